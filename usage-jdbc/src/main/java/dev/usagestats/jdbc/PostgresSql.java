package dev.usagestats.jdbc;

import dev.usagestats.spi.Measure;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;

/**
 * PostgreSQL 15+: {@code INSERT ... ON CONFLICT DO UPDATE}, reads summed per bucket with {@code
 * width_bucket}, compaction as one {@code DELETE ... RETURNING} statement, transactional DDL under
 * an advisory lock. Stateless; used through {@link Dialect#POSTGRESQL}.
 */
final class PostgresSql implements DialectSql {
  private static final Set<String> RETRY_STATES = Set.of("40001", "40P01");

  @Override
  public String scriptFolder() {
    return "db/usagestats/postgresql";
  }

  @Override
  public String additiveUpsert(Tables t, String source) {
    StringBuilder sb = new StringBuilder("INSERT INTO ").append(t.rollup());
    sb.append(" (").append(Tables.list(Tables.COLUMNS, "")).append(") ").append(source);
    sb.append(" ON CONFLICT (bucket_start, series_hash, grain) DO UPDATE SET ");
    String sep = "";
    for (Measure m : Measure.all()) {
      String c = m.column();
      sb.append(sep).append(c).append(" = ");
      sb.append(DialectSql.merge(m, t.rollup() + "." + c, "EXCLUDED." + c));
      sep = ", ";
    }
    return sb.toString();
  }

  @Override
  public String valuesRow() {
    return "(" + "?, ".repeat(Tables.COLUMNS.size() - 1) + "?)";
  }

  @Override
  public String ledgerInsert(Tables t) {
    return "INSERT INTO "
        + t.ledger()
        + " (batch_id, node_id, applied_at) VALUES (?, ?, ?) ON CONFLICT (batch_id) DO NOTHING";
  }

  @Override
  public boolean sumsBucketsInSql() {
    return true;
  }

  @Override
  public String bucketIndex() {
    return "width_bucket(bucket_start, ?) - 1";
  }

  @Override
  public void bindBounds(Connection c, PreparedStatement ps, int index, long[] seconds)
      throws SQLException {
    Long[] s = new Long[seconds.length];
    for (int i = 0; i < s.length; i++) s[i] = seconds[i];
    ps.setArray(index, c.createArrayOf("bigint", s));
  }

  @Override
  public void beforeSummingRead(Connection c) throws SQLException {
    // Sum groups in a hash table: room for it (instead of an on-disk sort), and no sort at all.
    // PostgreSQL does not know how rows spread over grains, so it guesses a plan's day or hour
    // rows far too few (185 for 30,000) and would sort them by their text keys, at 4 times the
    // cost. The settings end with the read-only transaction.
    try (Statement st = c.createStatement()) {
      st.execute("SET LOCAL work_mem = '32MB'");
      st.execute("SET LOCAL enable_sort = off");
    }
  }

  @Override
  public int foldIsolation() {
    return Connection.TRANSACTION_READ_COMMITTED;
  }

  /**
   * One statement: delete the slice's minute rows and add exactly the deleted rows, summed, into
   * quarter rows and the grids' rows. A minute row being updated by an append is waited for and
   * deleted with the append's sum in it; a row inserted after the statement began is not seen,
   * stays, and the next pass folds it.
   */
  @Override
  public List<FoldStep> foldSlice(Tables t, List<Grid> grids) {
    String moved =
        "WITH moved AS (DELETE FROM "
            + t.rollup()
            + " WHERE "
            + DialectSql.SLICE
            + " RETURNING "
            + Tables.list(Tables.COLUMNS, "")
            + "), folded AS ("
            + additiveUpsert(t, DialectSql.foldSource("moved", grids))
            + ") SELECT COUNT(*) FROM moved";
    return List.of(new FoldStep(moved, FoldStep.Kind.COUNT));
  }

  @Override
  public String shareLock() {
    return " FOR SHARE";
  }

  @Override
  public boolean transactionalDdl() {
    return true;
  }

  @Override
  public boolean locksSchema() {
    return true;
  }

  @Override
  public void lockSchema(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      ps.setLong(1, lockKey(name));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
      }
    }
  }

  @Override
  public void unlockSchema(Connection c, String name) {
    // the advisory lock is transaction-scoped: commit or rollback releases it
  }

  @Override
  public boolean isMissingTable(SQLException e) {
    return "42P01".equals(e.getSQLState());
  }

  @Override
  public boolean isTransient(SQLException e) {
    return DialectSql.matches(e, RETRY_STATES, Set.of());
  }

  /** Sets go as one {@code text[]} parameter: PostgreSQL takes at most 65,535 parameters. */
  @Override
  public boolean bindsArrays() {
    return true;
  }

  @Override
  public int maxSetSize() {
    return Integer.MAX_VALUE;
  }

  @Override
  public String inArray(String column) {
    return column + " = ANY(?)";
  }

  @Override
  public void bindArray(Connection c, PreparedStatement ps, int index, String[] values)
      throws SQLException {
    ps.setArray(index, c.createArrayOf("text", values));
  }

  /** A stable 64-bit key for the advisory lock: FNV-1a over the name's UTF-8 bytes. */
  private static long lockKey(String name) {
    long h = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
