package dev.usagestats.benchmarks;

import dev.usagestats.Granularity;
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
 * The cost of a 14-day usage report over 1,000 series held in memory, at DAY (14 buckets) and at
 * HOUR (336 buckets), after 10^5, 10^6 and 10^7 recorded events: memory holds series x 15-minute
 * slots whatever the number of events, so the report time should follow series x buckets, not
 * events.
 *
 * <p>Setup records the events through bound handles, round robin over the series, spread evenly
 * over every minute of the 14 days by a hand-moved clock, flushing every second minute as the
 * background flusher would; it prints how long that took. Each measured call is one {@code
 * UsageStats.query}: it drains what is unflushed (nothing here), then sums the rollups into totals,
 * five trend series (one per model) and the distribution.
 *
 * <p>Run (from the repository root, after {@code mvn -B -pl benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar QueryBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class QueryBenchmark {
  static final int SERIES = 1000;
  static final Instant NOW = Instant.parse("2026-11-15T00:00:00Z");
  static final Duration RANGE = Duration.ofDays(14);
  private static final long MINUTE_MS = 60_000L;

  /** How many events were recorded before the reports are measured. */
  @Param({"100000", "1000000", "10000000"})
  public long events;

  /** DAY: 14 buckets; HOUR: 336 buckets. */
  @Param({"DAY", "HOUR"})
  public Granularity granularity;

  private UsageStats stats;
  private UsageQuery query;

  @Setup(Level.Trial)
  public void setUp() {
    long start = NOW.minus(RANGE).toEpochMilli();
    TestClock clock = TestClock.of(Instant.ofEpochMilli(start));
    stats =
        UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).maxSeries(SERIES).build();
    SeriesNames names = new SeriesNames(SERIES);
    UsageSeries[] handles = new UsageSeries[SERIES];
    for (int i = 0; i < SERIES; i++) {
      handles[i] = stats.series(names.tenant[i], names.apiKey[i], names.model[i]);
    }

    long began = System.nanoTime();
    long minutes = RANGE.toMinutes();
    int next = 0;
    for (long m = 0; m < minutes; m++) {
      clock.set(Instant.ofEpochMilli(start + m * MINUTE_MS));
      long n = events * (m + 1) / minutes - events * m / minutes;
      for (long e = 0; e < n; e++) {
        handles[next].record(RecordBenchmark.INPUT_TOKENS, RecordBenchmark.OUTPUT_TOKENS);
        next = next + 1 == SERIES ? 0 : next + 1;
      }
      if (m % 2 == 1) stats.flush();
    }
    clock.set(NOW);
    stats.flush();
    long tookNanos = System.nanoTime() - began;

    query = UsageQuery.builder().from(NOW.minus(RANGE)).to(NOW).granularity(granularity).build();
    UsageReport check = stats.query(query);
    if (check.totals().calls() != events || check.buckets().size() != expectedBuckets()) {
      throw new IllegalStateException(
          "setup recorded "
              + events
              + " events but the report counts "
              + check.totals().calls()
              + " calls in "
              + check.buckets().size()
              + " buckets");
    }
    System.out.printf(
        "%nsetup: %d events over %d series and %d minutes recorded and flushed in %d ms"
            + " (%.1f ns/event)%n",
        events,
        SERIES,
        minutes,
        TimeUnit.NANOSECONDS.toMillis(tookNanos),
        (double) tookNanos / events);
  }

  private int expectedBuckets() {
    return granularity == Granularity.DAY ? 14 : 14 * 24;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    stats.close();
  }

  @Benchmark
  public UsageReport report() {
    return stats.query(query);
  }
}
