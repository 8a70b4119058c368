package dev.usagestats.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import dev.usagestats.jdbc.JdbcUsageStore;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code JdbcUsageStore} speed: how many rollup rows a flush writes per second, how many minute
 * rows compaction folds per second, and how long a 30-day daily report over a year of stored
 * history takes.
 *
 * <p>Run (PostgreSQL on 127.0.0.1:5432, database {@code test}, user {@code postgres}):
 *
 * <pre>
 * mvn -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar StoreBenchmark -f 1 -wi 2 -i 3 -prof gc \
 *     -rf json -rff benchmarks/results/store.json
 * </pre>
 *
 * <p>Compaction on all three databases (MariaDB on 127.0.0.1:3306, database {@code test}, user
 * {@code root}; its driver is not a dependency of this module, so put it on the class path):
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar:$HOME/.m2/repository/org/mariadb/jdbc/\
 * mariadb-java-client/3.5.6/mariadb-java-client-3.5.6.jar org.openjdk.jmh.Main \
 *     'StoreBenchmark.compact' -rf json -rff benchmarks/results/store-compact.json
 * </pre>
 *
 * <ul>
 *   <li>{@code flush}: one {@code append} of a batch of 10,000 new rows (1,000 series x 10 minutes)
 *       in one transaction with its ledger row; the score is rows per second.
 *   <li>{@code dailyReport30Days}: {@code UsageStats.query} of the last 30 local days in
 *       Asia/Kathmandu (DAY buckets, grouped by model) over a store holding 1,000 series x 365 days
 *       of compacted 15-minute rows, 4 rows per series per day (1.46 million rows), built once in
 *       table {@code bench_hist_rollup} and reused.
 *   <li>{@code denseDays30} and {@code denseHours14}: {@code UsageStats.query} of the 30 local days
 *       before 2026-10-31 at DAY, and of the 14 before it at HOUR, grouped by model, in
 *       Asia/Kathmandu and America/New_York, on PostgreSQL and MariaDB, over a year of dense
 *       history: 1,000 series with a row in every quarter hour (35 million 15-minute rows) and the
 *       hour and day rows of the grids of UTC, Kathmandu and New York ({@link DenseHistory}; built
 *       once, in about 10 minutes per database, and reused). Build it ahead of the run with {@code
 *       java -cp benchmarks.jar:<mariadb driver> dev.usagestats.benchmarks.DenseHistory MARIADB}
 *       (or {@code POSTGRESQL}), then {@code 'StoreBenchmark.dense'} with the MariaDB driver on the
 *       class path as below.
 *   <li>{@code compact}: one {@code compact()} of 120,000 minute rows into 15-minute rows, one row
 *       per series per minute: dense (500 series, 4 hours) or sparse (8 series, 10.4 days, as a
 *       small deployment's history looks); the tables are emptied and the rows written before each
 *       call, outside the timing. The score is minute rows folded per second.
 * </ul>
 */
@Fork(1)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class StoreBenchmark {
  static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
  static final String MARIADB_URL = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
  private static final int COMPACT_ROWS = 120_000;
  private static final int SERIES = 1_000;
  private static final int MINUTES = 10;
  private static final int ROWS = SERIES * MINUTES;

  static HikariDataSource pool(String url) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setMaximumPoolSize(4);
    return new HikariDataSource(c);
  }

  /** The databases {@code flush} is measured on. */
  public enum Database {
    /** H2 in memory, a fresh database per trial. */
    H2,
    /** PostgreSQL on 127.0.0.1:5432, database {@code test}, user {@code postgres}. */
    POSTGRESQL;

    String url() {
      return this == H2 ? "jdbc:h2:mem:bench-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1" : PG_URL;
    }
  }

  /** A fresh store per trial on the database under test. */
  @State(Scope.Benchmark)
  public static class FlushState {
    @Param public Database database;

    HikariDataSource ds;
    JdbcUsageStore store;
    String prefix;
    SeriesKey[] keys = new SeriesKey[SERIES];
    long nextMinute = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() / 60;

    @Setup(Level.Trial)
    public void setUp() {
      ds = pool(database.url());
      prefix = "bench_flush_" + UUID.randomUUID().toString().substring(0, 8) + "_";
      store = JdbcUsageStore.builder(ds).tablePrefix(prefix).createSchema(true).build();
      for (int i = 0; i < SERIES; i++) {
        keys[i] = new SeriesKey("tenant-" + i % 10, "key-" + i, "model-" + i % 20);
      }
    }

    UsageBatch nextBatch() {
      List<UsageDelta> deltas = new ArrayList<>(ROWS);
      UsageTotals t = new UsageTotals(3, 0, 4200, 800, 100, 0, 0);
      for (int m = 0; m < MINUTES; m++) {
        Instant minute = Instant.ofEpochSecond((nextMinute + m) * 60);
        for (SeriesKey k : keys) deltas.add(new UsageDelta(k, minute, t));
      }
      nextMinute += MINUTES;
      return new UsageBatch(UUID.randomUUID().toString(), "bench", deltas);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
      store.close();
      try (Connection c = ds.getConnection();
          Statement st = c.createStatement()) {
        st.execute("DROP TABLE IF EXISTS " + prefix + "rollup");
        st.execute("DROP TABLE IF EXISTS " + prefix + "latency");
        st.execute("DROP TABLE IF EXISTS " + prefix + "ledger");
        st.execute("DROP TABLE IF EXISTS " + prefix + "schema_version");
        st.execute("DROP TABLE IF EXISTS " + prefix + "grid");
      }
      ds.close();
    }
  }

  /** A store on the database under test, refilled with minute rows before each compaction. */
  @State(Scope.Benchmark)
  public static class CompactState {
    @Param({"H2", "POSTGRESQL", "MARIADB"})
    public String database;

    /** Series with a row in every minute; 120,000 rows in all, so fewer series span more time. */
    @Param({"500", "8"})
    public int series;

    HikariDataSource ds;
    JdbcUsageStore store;
    String prefix;
    SeriesKey[] keys;
    long folded;

    @Setup(Level.Trial)
    public void setUp() {
      if (COMPACT_ROWS % series != 0) {
        throw new IllegalArgumentException("series must divide " + COMPACT_ROWS + ": " + series);
      }
      ds =
          pool(
              switch (database) {
                case "H2" -> "jdbc:h2:mem:bench-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
                case "POSTGRESQL" -> PG_URL;
                case "MARIADB" -> MARIADB_URL;
                default -> throw new IllegalArgumentException("database: " + database);
              });
      prefix = "bench_compact_" + UUID.randomUUID().toString().substring(0, 8) + "_";
      store =
          JdbcUsageStore.builder(ds)
              .tablePrefix(prefix)
              .createSchema(true)
              .compactAfter(Duration.ofMinutes(15))
              .clock(Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC))
              .build();
      keys = new SeriesKey[series];
      for (int i = 0; i < series; i++) {
        keys[i] = new SeriesKey("tenant-" + i % 10, "key-" + i, "model-" + i % 20);
      }
    }

    /** Empties the tables and writes the minute rows, in batches of 10,000 as a flush would. */
    @Setup(Level.Invocation)
    public void fill() throws SQLException {
      try (Connection c = ds.getConnection();
          Statement st = c.createStatement()) {
        st.execute("TRUNCATE TABLE " + prefix + "rollup");
        st.execute("TRUNCATE TABLE " + prefix + "ledger");
      }
      UsageTotals t = new UsageTotals(3, 0, 4200, 800, 100, 50, 0);
      long first = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() / 60;
      List<UsageDelta> deltas = new ArrayList<>();
      for (int m = 0; m < COMPACT_ROWS / series; m++) {
        Instant minute = Instant.ofEpochSecond((first + m) * 60);
        for (SeriesKey k : keys) deltas.add(new UsageDelta(k, minute, t));
        if (deltas.size() >= 10_000) {
          store.append(new UsageBatch(UUID.randomUUID().toString(), "bench", deltas));
          deltas = new ArrayList<>();
        }
      }
      if (!deltas.isEmpty()) {
        store.append(new UsageBatch(UUID.randomUUID().toString(), "bench", deltas));
      }
    }

    @TearDown(Level.Invocation)
    public void check() {
      // a run that folded nothing measured nothing
      if (folded != COMPACT_ROWS) {
        throw new IllegalStateException("compact folded " + folded + " rows, not " + COMPACT_ROWS);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
      store.close();
      try (Connection c = ds.getConnection();
          Statement st = c.createStatement()) {
        st.execute("DROP TABLE IF EXISTS " + prefix + "rollup");
        st.execute("DROP TABLE IF EXISTS " + prefix + "latency");
        st.execute("DROP TABLE IF EXISTS " + prefix + "ledger");
        st.execute("DROP TABLE IF EXISTS " + prefix + "schema_version");
        st.execute("DROP TABLE IF EXISTS " + prefix + "grid");
      }
      ds.close();
    }
  }

  /** A year of history for 1,000 series in PostgreSQL, and an engine reading it. */
  @State(Scope.Benchmark)
  public static class History {
    static final String PREFIX = "bench_hist_";
    static final ZoneId ZONE = ZoneId.of("Asia/Kathmandu");
    HikariDataSource ds;
    UsageStats stats;
    UsageQuery query;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
      ds = pool(PG_URL);
      JdbcUsageStore store =
          JdbcUsageStore.builder(ds).tablePrefix(PREFIX).createSchema(true).build();
      LocalDate today = LocalDate.of(2026, 11, 1);
      long end = today.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
      long start = end - 365L * 86_400;
      long expected = SERIES * 365L * 4;
      try (Connection c = ds.getConnection();
          Statement st = c.createStatement()) {
        long have;
        try (ResultSet rs =
            st.executeQuery("SELECT COUNT(*) FROM " + PREFIX + "rollup WHERE grain = 15")) {
          rs.next();
          have = rs.getLong(1);
        }
        if (have != expected) {
          st.execute("TRUNCATE " + PREFIX + "rollup");
          // one 15-minute row per series every 6 hours, each series at its own quarter, written in
          // time order as a live store would be
          st.execute(
              "INSERT INTO "
                  + PREFIX
                  + "rollup SELECT "
                  + start
                  + " + d * 86400 + h * 21600 + 900 * (s % 4), decode(md5('s' || s), 'hex'), 15,"
                  + " 'tenant-' || (s % 10), 'key-' || s, 'model-' || (s % 20), 3, 0, 4200, 800,"
                  + " 100, 0 FROM generate_series(0, 999) s, generate_series(0, 364) d,"
                  + " generate_series(0, 3) h ORDER BY 1");
          // rows written by hand: the hour and day rows are built from them
          store.rebuildCoarseRows();
          st.execute("ANALYZE " + PREFIX + "rollup");
        }
      }
      stats = UsageStats.builder().store(store).flushInterval(Duration.ZERO).build();
      query =
          UsageQuery.builder()
              .zone(ZONE)
              .days(today.minusDays(30), today.minusDays(1))
              .granularity(Granularity.DAY)
              .groupBy(GroupBy.MODEL)
              .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      stats.close();
      ds.close();
    }
  }

  /** Rows per second written by one batched, transactional append. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(ROWS)
  public void flush(FlushState s) {
    s.store.append(s.nextBatch());
  }

  /** Minute rows per second folded into 15-minute rows by one {@code compact()}. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(COMPACT_ROWS)
  @Warmup(iterations = 1, time = 1)
  @Measurement(iterations = 5, time = 1)
  public long compact(CompactState s) {
    s.folded = s.store.compact();
    return s.folded;
  }

  /** A 30-day daily report in Asia/Kathmandu over a year of history for 1,000 series. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public UsageReport dailyReport30Days(History h) {
    return h.stats.query(h.query);
  }

  /** A 30-day DAY report by model over a year of dense history (every series every quarter). */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public UsageReport denseDays30(DenseHistory h) {
    return h.stats.query(h.days30);
  }

  /** A 14-day HOUR report by model over a year of dense history. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public UsageReport denseHours14(DenseHistory h) {
    return h.stats.query(h.hours14);
  }
}
