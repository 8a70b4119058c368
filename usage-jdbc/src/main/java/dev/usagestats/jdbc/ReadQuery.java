package dev.usagestats.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One statement of a {@link RollupReader} read: its text and its parameters in order (Long, String,
 * String[] for a set bound as one array, long[] for bucket bounds), the read's filters as
 * conditions, and the prepared, bound statement.
 *
 * <p>Not thread-safe: built and run by one read.
 */
final class ReadQuery {
  private static final int FETCH_SIZE = 10_000;

  final StringBuilder text = new StringBuilder(512);
  final List<Object> params = new ArrayList<>();

  /** Adds the conditions and parameters of a tenant (if any), API key and model filter. */
  void filter(
      List<String> where,
      DialectSql sql,
      @Nullable String tenant,
      List<String> apiKeys,
      List<String> models) {
    if (tenant != null) {
      where.add("tenant = ?");
      params.add(tenant);
    }
    in(where, sql, "api_key", apiKeys);
    in(where, sql, "model", models);
  }

  /**
   * Adds {@code column} in {@code values} (nothing if empty): one array parameter where the dialect
   * binds arrays, an IN list otherwise.
   */
  void in(List<String> where, DialectSql sql, String column, List<String> values) {
    if (values.isEmpty()) return;
    if (sql.bindsArrays()) {
      where.add(sql.inArray(column));
      params.add(values.toArray(new String[0]));
    } else {
      where.add(column + " IN (" + "?, ".repeat(values.size() - 1) + "?)");
      params.addAll(values);
    }
  }

  /** The statement, prepared with the timeouts of {@code tx}, its parameters bound. */
  PreparedStatement prepare(Connection c, Transactions tx, DialectSql sql) throws SQLException {
    PreparedStatement ps = tx.prepare(c, text.toString());
    try {
      // Stream rows (a cursor in PostgreSQL, a streaming result in MariaDB) rather than let the
      // driver buffer them all, so the row cap bites before memory does.
      ps.setFetchSize(FETCH_SIZE);
      int p = 1;
      for (Object o : params) {
        if (o instanceof long[] seconds) {
          sql.bindBounds(c, ps, p++, seconds);
        } else if (o instanceof String[] values) {
          sql.bindArray(c, ps, p++, values);
        } else if (o instanceof Long l) {
          ps.setLong(p++, l);
        } else {
          ps.setString(p++, (String) o);
        }
      }
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }
}
