package dev.usagestats.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import dev.usagestats.jdbc.JdbcUsageStore;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Bytes per rollup row on PostgreSQL and MariaDB, for usage-jdbc's SCALING.md: loads 100,000 rows
 * (1,000 series x 100 spans) through {@code JdbcUsageStore.append}, of one grain (minute rows,
 * peaks NULL; or quarter-hour rows) and one naming style (the benchmarks' short names, {@code
 * key-123}; or names as long as real ones: a 32-character key id and a 30-character model), then
 * reads the table's size from the database: PostgreSQL {@code pg_relation_size}, {@code
 * pg_indexes_size} and {@code pg_column_size} after {@code VACUUM ANALYZE}; MariaDB {@code
 * information_schema.tables} after {@code ANALYZE TABLE} (InnoDB's page counts, so to a page).
 * Tables {@code bench_rowsize_*}, dropped at the end.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar:$HOME/.m2/repository/org/mariadb/jdbc/\
 * mariadb-java-client/3.5.6/mariadb-java-client-3.5.6.jar dev.usagestats.benchmarks.RowSize
 * </pre>
 */
public final class RowSize {
  private static final String PREFIX = "bench_rowsize_";
  private static final int SERIES = 1_000;
  private static final int SPANS = 100;

  private RowSize() {}

  public static void main(String[] args) throws SQLException {
    System.out.println(
        "database    grain         names  rows     heap B/row  index B/row  total B/row  tuple B");
    for (String db : args.length == 0 ? new String[] {"POSTGRESQL", "MARIADB"} : args) {
      boolean maria = db.equals("MARIADB");
      try (HikariDataSource ds =
          StoreBenchmark.pool(
              maria ? "jdbc:mariadb://127.0.0.1:3306/test?user=root" : StoreBenchmark.PG_URL)) {
        for (Grain grain : new Grain[] {Grain.MINUTE, Grain.QUARTER_HOUR}) {
          for (boolean longNames : new boolean[] {false, true}) {
            drop(ds);
            try (JdbcUsageStore store =
                JdbcUsageStore.builder(ds).tablePrefix(PREFIX).createSchema(true).build()) {
              load(store, grain, longNames);
            }
            System.out.printf(
                "%-11s %-13s %-6s %s%n",
                db, grain, longNames ? "long" : "short", measure(ds, maria));
          }
        }
        drop(ds);
      }
    }
  }

  private static void load(JdbcUsageStore store, Grain grain, boolean longNames) {
    SeriesKey[] keys = new SeriesKey[SERIES];
    for (int i = 0; i < SERIES; i++) {
      keys[i] =
          longNames
              ? new SeriesKey(
                  "tenant-acme-" + i % 10,
                  String.format("key_%028x", i * 0x9E3779B97F4A7C15L),
                  "anthropic/claude-sonnet-4-" + (20250000 + i % 20))
              : new SeriesKey("tenant-" + i % 10, "key-" + i, "model-" + i % 20);
    }
    long step = grain == Grain.MINUTE ? 60 : 900;
    long first = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();
    UsageTotals t = new UsageTotals(3, 0, 4200, 800, 100, 0, 0);
    List<UsageDelta> deltas = new ArrayList<>();
    for (int s = 0; s < SPANS; s++) {
      for (SeriesKey k : keys)
        deltas.add(new UsageDelta(k, Instant.ofEpochSecond(first + s * step), t, grain));
      if (deltas.size() >= 10_000) {
        store.append(new UsageBatch(UUID.randomUUID().toString(), "rowsize", deltas));
        deltas = new ArrayList<>();
      }
    }
  }

  private static String measure(HikariDataSource ds, boolean maria) throws SQLException {
    String t = PREFIX + "rollup";
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      long rows;
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + t)) {
        rs.next();
        rows = rs.getLong(1);
      }
      long heap;
      long index;
      double tuple = Double.NaN;
      if (maria) {
        st.execute("ANALYZE TABLE " + t);
        try (ResultSet rs =
            st.executeQuery(
                "SELECT data_length, index_length, avg_row_length FROM information_schema.tables"
                    + " WHERE table_schema = DATABASE() AND table_name = '"
                    + t
                    + "'")) {
          rs.next();
          heap = rs.getLong(1);
          index = rs.getLong(2);
          tuple = rs.getLong(3);
        }
      } else {
        st.execute("VACUUM ANALYZE " + t);
        try (ResultSet rs =
            st.executeQuery(
                "SELECT pg_relation_size('"
                    + t
                    + "'), pg_indexes_size('"
                    + t
                    + "'),"
                    + " (SELECT AVG(pg_column_size(r.*)) FROM "
                    + t
                    + " r)")) {
          rs.next();
          heap = rs.getLong(1);
          index = rs.getLong(2);
          tuple = rs.getDouble(3);
        }
      }
      return String.format(
          "%-8d %10.0f  %11.0f  %11.0f  %7.0f",
          rows, heap / (double) rows, index / (double) rows, (heap + index) / (double) rows, tuple);
    }
  }

  private static void drop(HikariDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      for (String s : List.of("rollup", "ledger", "schema_version"))
        st.execute("DROP TABLE IF EXISTS " + PREFIX + s);
    }
  }
}
