package dev.usagestats.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.jdbc.JdbcUsageStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A year of dense history, for {@link StoreBenchmark}'s {@code dense*} reports: 1,000 series, each
 * with a 15-minute row in every quarter hour of 365 UTC days (35,040,000 rows), as a store holds it
 * once compaction has folded every minute, and the hour and day rows of the grids of UTC, Kathmandu
 * and New York (the store's {@code reportZones}): UTC hours and Kathmandu's quarter-past hours
 * (8,760,000 rows each), and the days of UTC, Kathmandu and New York's two offsets (365,000 rows
 * each). Built once per database into the tables {@code bench_dense_*} and reused by later runs: a
 * marker table records a finished load, so a load cut short is started again.
 *
 * <p>Loading runs in the database, one day (96,000 rows) per {@code INSERT ... SELECT} in key
 * order: PostgreSQL from {@code generate_series}, MariaDB from its built-in sequence tables ({@code
 * seq_0_to_95}), both joined with a table of the 1,000 series' names and keys; then the store
 * builds the grids' rows from them ({@code rebuildCoarseRows}). Every 15-minute row holds the same
 * sums (3 calls, 4,200 input, 800 output, 100 cached input tokens), so a report's totals are known:
 * {@link #check} fails a run whose report does not add up. Beside them, as the store's append
 * writes them, the model sums (schema version 6): per quarter hour a row of each of the 20 models'
 * 50 series and one of all 1,000 (735,840 rows more), whose peaks say that every series' busiest
 * minute is the same. Each trial reads them, or (with {@code modelSums} false) reads the series'
 * rows as a store did before them.
 *
 * <p>Each trial builds an engine over the store (no flushing) and two queries in the zone under
 * test, grouped by model as the usage page asks: the 30 local days before 2026-10-31 at DAY, and
 * the 14 local days before it at HOUR.
 */
@State(Scope.Benchmark)
public class DenseHistory {
  static final String PREFIX = "bench_dense_grids_";
  static final int SERIES = 1_000;
  static final int DAYS = 365;
  static final LocalDate FIRST = LocalDate.of(2025, 11, 1);

  /** The reports end the day before: New York's 2026-10-30 ends at 04:00 UTC on the 31st. */
  static final LocalDate TODAY = LocalDate.of(2026, 10, 31);

  private static final String LOADED =
      "dense-v4 " + SERIES + " series x " + DAYS + " days, model sums, grids built";
  private static final long CALLS = 3;

  /** PostgreSQL's SHA-256 over tenant NUL api_key NUL model. */
  private static final String DIGEST =
      "sha256(convert_to(tenant, 'UTF8') || '\\x00'::bytea || convert_to(api_key, 'UTF8') ||"
          + " '\\x00'::bytea || convert_to(model, 'UTF8'))";

  /** The database holding the history. */
  @Param({"POSTGRESQL", "MARIADB"})
  public String database;

  /**
   * Whether reports over all keys may read the model sums: false sets the store's {@code
   * complete_from} past the history, so they read the series' rows as before schema version 6.
   */
  @Param({"true", "false"})
  public boolean modelSums;

  /** The zone the reports are asked in. */
  @Param({"Asia/Kathmandu", "America/New_York"})
  public String zone;

  HikariDataSource ds;
  UsageStats stats;
  UsageQuery days30;
  UsageQuery hours14;

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    ds =
        StoreBenchmark.pool(
            switch (database) {
              case "POSTGRESQL" -> StoreBenchmark.PG_URL;
              case "MARIADB" -> StoreBenchmark.MARIADB_URL;
              default -> throw new IllegalArgumentException("database: " + database);
            });
    try (JdbcUsageStore loader = store(ds)) {
      load(ds, loader, database.equals("MARIADB"));
    }
    useModelSums(ds, modelSums);
    // built after, so it reads the model sums' marker as just set
    JdbcUsageStore store = store(ds);
    stats = UsageStats.builder().store(store).flushInterval(Duration.ZERO).build();
    ZoneId z = ZoneId.of(zone);
    days30 =
        UsageQuery.builder()
            .zone(z)
            .days(TODAY.minusDays(30), TODAY.minusDays(1))
            .granularity(Granularity.DAY)
            .groupBy(GroupBy.MODEL)
            .build();
    hours14 =
        UsageQuery.builder()
            .zone(z)
            .days(TODAY.minusDays(14), TODAY.minusDays(1))
            .granularity(Granularity.HOUR)
            .groupBy(GroupBy.MODEL)
            .build();
    check(stats.query(days30), 30);
    check(stats.query(hours14), 14);
  }

  /**
   * Builds the history ahead of a JMH run (which builds it too, if missing, inside its first
   * trial's setup): {@code java -cp benchmarks.jar dev.usagestats.benchmarks.DenseHistory MARIADB}.
   */
  public static void main(String[] args) throws SQLException {
    String db = args.length == 0 ? "POSTGRESQL" : args[0];
    try (HikariDataSource ds =
        StoreBenchmark.pool(
            db.equals("MARIADB") ? StoreBenchmark.MARIADB_URL : StoreBenchmark.PG_URL)) {
      try (JdbcUsageStore store = store(ds)) {
        load(ds, store, db.equals("MARIADB"));
      }
    }
  }

  /** The store over the dense tables, with grids for the zones the reports are asked in. */
  static JdbcUsageStore store(HikariDataSource ds) {
    return JdbcUsageStore.builder(ds)
        .tablePrefix(PREFIX)
        .createSchema(true)
        .statementTimeout(Duration.ofSeconds(60))
        .reportZones(ZoneOffset.UTC, ZoneId.of("Asia/Kathmandu"), ZoneId.of("America/New_York"))
        .build();
  }

  /**
   * Lets stores built afterwards read the model sums over the whole history, or none of it (its
   * {@code complete_from} past the history: they read the series' rows, as before schema 6).
   */
  static void useModelSums(HikariDataSource ds, boolean use) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "UPDATE " + PREFIX + "model_sums SET complete_from = " + (use ? 0 : Long.MAX_VALUE));
    }
  }

  /** Fails unless the report holds every quarter hour of every series on each of its days. */
  static void check(UsageReport r, int days) {
    long want = CALLS * SERIES * 96L * days;
    if (r.totals().calls() != want) {
      throw new IllegalStateException(
          "dense report must count " + want + " calls: " + r.totals().calls());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    stats.close();
    ds.close();
  }

  /**
   * Loads the history unless a finished load is recorded: the 15-minute rows by SQL, then the hour
   * and day rows of the store's grids built from them ({@link JdbcUsageStore#rebuildCoarseRows()},
   * as after any bulk import).
   */
  static void load(HikariDataSource ds, JdbcUsageStore store, boolean mariadb) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS "
              + PREFIX
              + "loaded (what VARCHAR(100) NOT NULL, seconds BIGINT NOT NULL)");
      try (ResultSet rs = st.executeQuery("SELECT what FROM " + PREFIX + "loaded")) {
        if (rs.next() && rs.getString(1).equals(LOADED)) return;
      }
      long t0 = System.nanoTime();
      st.execute("DELETE FROM " + PREFIX + "loaded");
      st.execute((mariadb ? "TRUNCATE TABLE " : "TRUNCATE ") + PREFIX + "rollup");
      series(c, st, mariadb);
      long first = FIRST.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
      String insert = insertDay(mariadb);
      try (PreparedStatement ps = c.prepareStatement(insert)) {
        for (int d = 0; d < DAYS; d++) {
          ps.setLong(1, first + d * 86_400L);
          ps.executeUpdate();
          if (d % 30 == 29) {
            System.out.printf(
                "dense history: %d of %d days loaded, %d s%n",
                d + 1, DAYS, (System.nanoTime() - t0) / 1_000_000_000L);
          }
        }
      }
      long t1 = System.nanoTime();
      long coarse = store.rebuildCoarseRows();
      System.out.printf(
          "dense history: %d hour and day rows built in %d s%n",
          coarse, (System.nanoTime() - t1) / 1_000_000_000L);
      st.execute(mariadb ? "ANALYZE TABLE " + PREFIX + "rollup" : "ANALYZE " + PREFIX + "rollup");
      long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
      st.execute("INSERT INTO " + PREFIX + "loaded VALUES ('" + LOADED + "', " + seconds + ")");
      System.out.printf("dense history: loaded in %d s%n", seconds);
    }
  }

  /** The series' names and keys, with the store's series hash, checked against Java's. */
  private static void series(Connection c, Statement st, boolean mariadb) throws SQLException {
    st.execute("DROP TABLE IF EXISTS " + PREFIX + "series");
    String names =
        mariadb
            ? "SELECT seq AS i, CONCAT('tenant-', seq MOD 10) AS tenant, CONCAT('key-', seq) AS"
                + " api_key, CONCAT('model-', seq MOD 20) AS model, 1 AS n FROM seq_0_to_999"
                + " UNION ALL SELECT 1000 + seq, ' ', ' ', CONCAT('model-', seq), 50"
                + " FROM seq_0_to_19 UNION ALL SELECT 1020, ' ', ' ', ' ', 1000"
            : "SELECT i, 'tenant-' || (i % 10) AS tenant, 'key-' || i AS api_key, 'model-' ||"
                + " (i % 20) AS model, 1 AS n FROM generate_series(0, 999) i"
                + " UNION ALL SELECT 1000 + i, ' ', ' ', 'model-' || i, 50"
                + " FROM generate_series(0, 19) i UNION ALL SELECT 1020, ' ', ' ', ' ', 1000";
    // the model sums' hash is two zero bytes and the first 14 of the digest (Keys.seriesHash)
    String hash =
        mariadb
            ? "IF(tenant = ' ', CONCAT(UNHEX('0000'), UNHEX(SUBSTRING(SHA2(CONCAT(tenant, CHAR(0),"
                + " api_key, CHAR(0), model), 256), 1, 28))), UNHEX(SUBSTRING(SHA2(CONCAT(tenant,"
                + " CHAR(0), api_key, CHAR(0), model), 256), 1, 32)))"
            : "CASE WHEN tenant = ' ' THEN '\\x0000'::bytea || substring("
                + DIGEST
                + " from 1 for"
                + " 14) ELSE substring("
                + DIGEST
                + " from 1 for 16) END";
    st.execute(
        "CREATE TABLE "
            + PREFIX
            + "series AS SELECT i, tenant, api_key, model, n, "
            + hash
            + " AS series_hash FROM ("
            + names
            + ") n");
    try (ResultSet rs =
        st.executeQuery("SELECT series_hash FROM " + PREFIX + "series WHERE i = 7")) {
      rs.next();
      byte[] want = seriesHash("tenant-7", "key-7", "model-7");
      if (!Arrays.equals(rs.getBytes(1), want)) {
        throw new IllegalStateException("series hash in SQL differs from the store's");
      }
    }
    try (ResultSet rs =
        st.executeQuery("SELECT series_hash FROM " + PREFIX + "series WHERE i = 1007")) {
      rs.next();
      if (!Arrays.equals(rs.getBytes(1), seriesHash(" ", " ", "model-7"))) {
        throw new IllegalStateException("model sums' hash in SQL differs from the store's");
      }
    }
  }

  /** One UTC day of rows, its first second the parameter, in key order. */
  private static String insertDay(boolean mariadb) {
    String slots = mariadb ? "seq_0_to_95 q" : "generate_series(0, 95) AS q(seq)";
    return "INSERT INTO "
        + PREFIX
        + "rollup (bucket_start, series_hash, grain, tenant, api_key, model, calls, errors,"
        + " input_tokens, output_tokens, cached_input_tokens, reasoning_tokens,"
        + " cache_creation_input_tokens, peak_calls, peak_tokens)"
        + " SELECT b, series_hash, 15, tenant, api_key, model, "
        + CALLS
        + " * n, 0, 4200 * n, 800 * n, 100 * n, 0, 0, n, 1700 * n"
        + " FROM (SELECT ? + q.seq * 900 AS b, s.* FROM "
        + slots
        + ", "
        + PREFIX
        + "series s) r ORDER BY b, series_hash";
  }

  /**
   * The store's series hash: the first 16 bytes of SHA-256 over tenant NUL key NUL model; for the
   * model sums, two zero bytes and the first 14.
   */
  private static byte[] seriesHash(String tenant, String apiKey, String model) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update((tenant + '\0' + apiKey + '\0' + model).getBytes(StandardCharsets.UTF_8));
      byte[] digest = md.digest();
      if (!tenant.equals(" ")) return Arrays.copyOf(digest, 16);
      byte[] hash = new byte[16];
      System.arraycopy(digest, 0, hash, 2, 14);
      return hash;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
