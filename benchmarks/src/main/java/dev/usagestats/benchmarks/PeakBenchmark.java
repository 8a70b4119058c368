package dev.usagestats.benchmarks;

import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageSeries;
import dev.usagestats.UsageStats;
import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
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
 * What keeping peaks costs where it is paid: the drain (peaks are derived from whole minutes and
 * summed per model when a flush drains the recorder; the recording path does not change), and a
 * 30-day report from memory over 1,000 series (10 models x 100 keys), by model (peaks from the
 * per-model aggregates) and by API key (peaks bounded from the series). Uses only API that exists
 * without peaks too, so the same class runs against the code before them for a baseline.
 *
 * <p>{@code drain}: each invocation first records 3 events into each of the 1,000 series 20 seconds
 * after the previous invocation (not measured), then measures one {@code flush()}.
 *
 * <p>Run (from the repository root, after {@code mvn -B -pl benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar PeakBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PeakBenchmark {
  static final int SERIES = 1000;
  static final int MODELS = 10;
  static final Instant NOW = Instant.parse("2026-11-15T00:00:00Z");

  /** Grouping of the 30-day report: MODEL (exact peaks) or API_KEY (bounded peaks). */
  @Param({"MODEL", "API_KEY"})
  public String groupBy;

  private TestClock clock;
  private UsageStats stats;
  private UsageSeries[] series;
  private UsageQuery report;
  private long drains;

  @Setup(Level.Trial)
  public void setUp() {
    clock = TestClock.of(NOW.minus(Duration.ofDays(30)));
    stats =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .retention(Duration.ofDays(40))
            .build();
    series = new UsageSeries[SERIES];
    for (int i = 0; i < SERIES; i++) {
      series[i] = stats.series("t", "key-" + (i / MODELS), "model-" + (i % MODELS));
    }
    // 30 days, one event per series every 15 minutes, flushed every 2 minutes of clock.
    long quarters = Duration.ofDays(30).toMinutes() / 15;
    for (long q = 0; q < quarters; q++) {
      for (int i = 0; i < SERIES; i++) {
        clock.set(NOW.minus(Duration.ofDays(30)).plusSeconds(q * 900 + (i % 900)));
        series[i].record(100 + i % 50, 20 + i % 7, 0, 0, dev.usagestats.Outcome.SUCCESS);
        if (i % 134 == 0) stats.flush();
      }
    }
    stats.flush();
    clock.set(NOW);
    report =
        UsageQuery.builder()
            .from(NOW.minus(Duration.ofDays(30)))
            .to(NOW)
            .granularity(Granularity.DAY)
            .groupBy(GroupBy.valueOf(groupBy))
            .build();
  }

  @Setup(Level.Invocation)
  public void recordMinute() {
    clock.advance(Duration.ofSeconds(20));
    for (UsageSeries s : series) {
      s.record(10, 2, 0, 0, dev.usagestats.Outcome.SUCCESS);
      s.record(10, 2, 0, 0, dev.usagestats.Outcome.SUCCESS);
      s.record(10, 2, 0, 0, dev.usagestats.Outcome.SUCCESS);
    }
  }

  /** One drain of 1,000 series x 3 events (recorded before, not measured) into the rollups. */
  @Benchmark
  public void drain() {
    stats.flush();
    drains++;
  }

  /** A 30-day DAY report over the 1,000 series. */
  @Benchmark
  public UsageReport report30Days() {
    return stats.query(report);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    UsageReport r = stats.query(report);
    stats.close();
    if (r.totals().calls() == 0) throw new IllegalStateException("the report counted nothing");
  }
}
