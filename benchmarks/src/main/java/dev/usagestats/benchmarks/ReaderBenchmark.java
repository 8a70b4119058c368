package dev.usagestats.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.jdbc.JdbcUsageStore;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Many readers: 8 threads asking for the usage page's reports at once (month-end, every finance
 * user opening the page), against PostgreSQL holding {@link DenseHistory}'s year of dense history
 * (1,000 series, a 15-minute row in every quarter hour of 365 days, with its hour and day rows and
 * model sums; built on the first run if missing), through one engine and one connection pool of
 * {@code pool} connections, as a serving instance answers its page.
 *
 * <ul>
 *   <li>{@code pageReport}: the page's default report: the last 14 days in the engine's default
 *       zone (UTC), DAY buckets, all keys and all models, grouped by model (1,344,000 15-minute
 *       rows in range; it reads 294 day rows of the model sums).
 *   <li>{@code keyDetail}: the detail of one API key and one model over the same days (1,344
 *       15-minute rows; it reads 14 day rows).
 * </ul>
 *
 * <p>{@code Mode.SampleTime} gives each report's p50 and p99 (and the count of reports, so reports
 * per second); {@code Mode.Throughput} gives reports per second across the 8 threads.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ReaderBenchmark -prof gc \
 *     -rf json -rff benchmarks/results/readers.json
 * </pre>
 */
@Fork(1)
@Threads(8)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 2, time = 15)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
public class ReaderBenchmark {
  static final int SERIES = DenseHistory.SERIES;
  static final long CALLS_PER_ROW = 3;

  /** The page's "today": the last day of the dense history. */
  static final LocalDate TODAY = LocalDate.of(2026, 10, 30);

  /** One engine over the dense history, its pool and the two queries. */
  @State(Scope.Benchmark)
  public static class Readers {
    /** Connections in the pool the 8 reading threads share. */
    @Param({"2", "8"})
    public int pool;

    HikariDataSource ds;
    UsageStats stats;
    UsageQuery page;
    UsageQuery detail;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
      HikariConfig c = new HikariConfig();
      c.setJdbcUrl(StoreBenchmark.PG_URL);
      c.setMaximumPoolSize(pool);
      c.setMinimumIdle(pool);
      c.setPoolName("readers");
      ds = new HikariDataSource(c);
      try (JdbcUsageStore loader = DenseHistory.store(ds)) {
        DenseHistory.load(ds, loader, false);
      }
      DenseHistory.useModelSums(ds, true);
      JdbcUsageStore store = DenseHistory.store(ds);
      Instant now = TODAY.atTime(23, 59).toInstant(ZoneOffset.UTC);
      stats =
          UsageStats.builder()
              .store(store)
              .flushInterval(Duration.ZERO)
              .clock(Clock.fixed(now, ZoneOffset.UTC))
              .build();
      // what the page asks by default: the last 14 days up to today in the default zone
      page =
          stats
              .newQuery()
              .days(TODAY.minusDays(13), TODAY)
              .granularity(Granularity.DAY)
              .groupBy(GroupBy.MODEL)
              .build();
      detail =
          stats
              .newQuery()
              .days(TODAY.minusDays(13), TODAY)
              .granularity(Granularity.DAY)
              .groupBy(GroupBy.MODEL)
              .apiKey("key-7")
              .model("model-7")
              .build();
      check(stats.query(page), CALLS_PER_ROW * SERIES * 96 * 14);
      check(stats.query(detail), CALLS_PER_ROW * 96 * 14);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      stats.close();
      ds.close();
    }
  }

  private static void check(UsageReport r, long calls) {
    if (r.totals().calls() != calls) {
      throw new IllegalStateException(
          "report must count " + calls + " calls: " + r.totals().calls());
    }
  }

  /** The page's default report: 14 days, DAY, all keys and models, grouped by model. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public UsageReport pageReport(Readers r) {
    return r.stats.query(r.page);
  }

  /** One API key and one model over the same 14 days. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public UsageReport keyDetail(Readers r) {
    return r.stats.query(r.detail);
  }
}
