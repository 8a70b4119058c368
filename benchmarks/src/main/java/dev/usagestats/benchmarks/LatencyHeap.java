package dev.usagestats.benchmarks;

import dev.usagestats.Outcome;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageSeries;
import dev.usagestats.UsageStats;
import dev.usagestats.testing.TestClock;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * The heap the memory-only engine retains for latency: {@code series} series (1,000 by default)
 * over 14 days, one call a minute on each, every call with a duration and a time to first token
 * (lognormal, per model a different median). Prints the heap retained after a full GC with the
 * engine holding the data, and the same with the same calls recorded without latency, and the time
 * of a 14-day daily report grouped by model with and without latency.
 *
 * <p>Run (from the repository root, after {@code mvn -B -pl benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar dev.usagestats.benchmarks.LatencyHeap 1000 14
 * </pre>
 */
public final class LatencyHeap {
  private LatencyHeap() {}

  public static void main(String[] args) throws Exception {
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int days = args.length > 1 ? Integer.parseInt(args[1]) : 14;
    long base = retained();
    for (boolean withLatency : new boolean[] {false, true}) {
      Instant start = Instant.parse("2026-03-02T00:00:00Z");
      TestClock clock = TestClock.of(start);
      UsageStats stats =
          UsageStats.builder().clock(clock).retention(Duration.ofDays(days + 1)).build();
      SeriesNames names = new SeriesNames(series);
      UsageSeries[] handles = new UsageSeries[series];
      for (int i = 0; i < series; i++) {
        handles[i] = stats.series(names.tenant[i], names.apiKey[i], names.model[i]);
      }
      Random rnd = new Random(7);
      long t0 = System.nanoTime();
      for (int m = 0; m < days * 1440; m++) {
        clock.set(start.plusSeconds(60L * m));
        for (int i = 0; i < series; i++) {
          long duration = -1;
          long firstToken = -1;
          if (withLatency) {
            duration = (long) (1.5e9 * (1 + i % 5) * Math.exp(0.6 * rnd.nextGaussian()));
            duration = Math.min(duration, 3_600_000_000_000L);
            firstToken = duration / 5;
          }
          handles[i].record(1200, 350, 0, 0, 0, Outcome.SUCCESS, duration, firstToken);
        }
        stats.flush();
      }
      long recordMs = (System.nanoTime() - t0) / 1_000_000;
      long heap = retained() - base;
      UsageQuery q =
          UsageQuery.builder()
              .from(start)
              .to(start.plus(Duration.ofDays(days)))
              .granularity(dev.usagestats.Granularity.DAY)
              .build();
      long best = Long.MAX_VALUE;
      UsageReport r = null;
      for (int k = 0; k < 10; k++) {
        long q0 = System.nanoTime();
        r = stats.query(q);
        best = Math.min(best, System.nanoTime() - q0);
      }
      System.out.printf(
          "latency=%s series=%d days=%d calls=%d retained=%.1f MB record+flush=%d ms"
              + " report(best of 10)=%.1f ms p95=%d ms%n",
          withLatency,
          series,
          days,
          r.totals().calls(),
          heap / 1e6,
          recordMs,
          best / 1e6,
          r.latencySummary().duration().p95Millis());
      stats.close();
      stats = null;
      handles = null;
    }
  }

  private static long retained() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
