package dev.usagestats.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.usagestats.Outcome;
import dev.usagestats.PlanningQuery;
import dev.usagestats.PlanningReport;
import dev.usagestats.UsageSeries;
import dev.usagestats.UsageStats;
import dev.usagestats.jdbc.JdbcUsageStore;
import dev.usagestats.testing.TestClock;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.UUID;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The planning report (this week against last week, per model, in Asia/Kathmandu) over 1,000 series
 * (10 models x 100 keys) and 8 weeks of usage, one event per series per hour, from memory and from
 * PostgreSQL (127.0.0.1:5432, database test; rows compacted to 15-minute rows, as a store older
 * than compactAfter holds them). One call is two reports over the two weeks.
 *
 * <p>Run (from the repository root, after {@code mvn -B -pl benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar PlanningBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PlanningBenchmark {
  static final int SERIES = 1000;
  static final Instant NOW = Instant.parse("2026-11-19T12:00:00Z");

  /** memory, or postgresql. */
  @Param({"memory", "postgresql"})
  public String source;

  private UsageStats stats;
  private HikariDataSource ds;
  private String prefix;
  private PlanningQuery query;

  @Setup(Level.Trial)
  public void setUp() {
    TestClock clock = TestClock.of(NOW.minus(Duration.ofDays(56)));
    UsageStats.Builder b =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .retention(Duration.ofDays(60))
            .maxPendingRows(10_000_000);
    JdbcUsageStore store = null;
    if (source.equals("postgresql")) {
      ds = StoreBenchmark.pool("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
      prefix = "pb" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_";
      store =
          JdbcUsageStore.builder(ds)
              .tablePrefix(prefix)
              .createSchema(true)
              .clock(clock)
              .compactAfter(Duration.ofDays(1))
              .build();
      b.store(store);
    }
    stats = b.build();
    UsageSeries[] series = new UsageSeries[SERIES];
    for (int i = 0; i < SERIES; i++) {
      series[i] = stats.series("t", "key-" + (i / 10), "model-" + (i % 10));
    }
    for (long h = 0; h < 56 * 24; h++) {
      for (int i = 0; i < SERIES; i++) {
        clock.set(NOW.minus(Duration.ofDays(56)).plusSeconds(h * 3600 + (i % 3600)));
        series[i].record(100 + i % 50, 20 + i % 7, 0, 0, Outcome.SUCCESS);
      }
      if (h % 6 == 5) stats.flush();
    }
    stats.flush();
    clock.set(NOW);
    if (store != null) store.compact();
    query = PlanningQuery.builder().zone(ZoneId.of("Asia/Kathmandu")).build();
  }

  @Benchmark
  public PlanningReport plan() {
    return stats.plan(query);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    PlanningReport r = stats.plan(query);
    stats.close();
    if (ds != null) {
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
    if (r.current().calls() == 0) throw new IllegalStateException("the plan counted nothing");
  }
}
