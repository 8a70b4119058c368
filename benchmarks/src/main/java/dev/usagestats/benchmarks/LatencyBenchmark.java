package dev.usagestats.benchmarks;

import dev.usagestats.Outcome;
import dev.usagestats.UsageSeries;
import dev.usagestats.UsageStats;
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
import org.openjdk.jmh.infra.ThreadParams;

/**
 * What latency adds to a handle record: the same record with no latency, with a duration, and with
 * a duration and a time to first token, in one run, so the difference is a ratio within one run.
 * Durations walk 128 values from 100 ms to about 10 s, so bins vary as in real traffic; the engine
 * drains every second, so the interval's bin table has grown to the traffic before measuring.
 *
 * <p>Run (from the repository root, after {@code mvn -B -pl benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar LatencyBenchmark -t 1 -prof gc
 * java -jar benchmarks/target/benchmarks.jar LatencyBenchmark -t 2 -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class LatencyBenchmark {
  /** How many series the records are spread over, round robin. */
  @Param({"1", "1000"})
  public int series;

  /** none, duration, or duration and time to first token. */
  @Param({"none", "duration", "both"})
  public String latency;

  private UsageStats stats;
  private UsageSeries[] handles;
  private long durationOn;
  private long firstTokenOn;

  /** Each thread's position in the round robin and in the durations. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
    long step;

    @Setup(Level.Trial)
    public void setUp(LatencyBenchmark b, ThreadParams threads) {
      next = (int) ((long) threads.getThreadIndex() * b.series / threads.getThreadCount());
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    // A drain every second, as a deployment flushing every few seconds has: the interval's bin
    // table has grown to the traffic's distinct (series, bin) pairs before measuring starts.
    stats = UsageStats.builder().flushInterval(java.time.Duration.ofSeconds(1)).build();
    handles = new UsageSeries[series];
    SeriesNames names = new SeriesNames(series);
    for (int i = 0; i < series; i++) {
      handles[i] = stats.series(names.tenant[i], names.apiKey[i], names.model[i]);
    }
    durationOn = latency.equals("none") ? 0 : -1;
    firstTokenOn = latency.equals("both") ? -1 : 0;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    stats.close();
  }

  @Benchmark
  public void record(Cursor c) {
    int i = c.next;
    c.next = i + 1 == series ? 0 : i + 1;
    // 100 ms plus up to ~10 s in 128 steps of ~78 ms, a new value every call: each series sees
    // 128 distinct durations, as a model with a wide latency spread does
    long duration = 100_000_000L + ((c.step++ & 127) * 78_125_000L);
    handles[i].record(
        RecordBenchmark.INPUT_TOKENS,
        RecordBenchmark.OUTPUT_TOKENS,
        0,
        0,
        0,
        Outcome.SUCCESS,
        (duration & durationOn) | ~durationOn,
        ((duration >>> 2) & firstTokenOn) | ~firstTokenOn);
  }
}
