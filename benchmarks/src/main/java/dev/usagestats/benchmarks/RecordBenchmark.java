package dev.usagestats.benchmarks;

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
 * The cost of recording one event (a call, its input tokens and its output tokens, for one tenant,
 * API key id and model) in usagestats and in what a user would pick instead.
 *
 * <p>Each operation records into the next of {@code series} prebuilt series, round robin, from a
 * per-thread position; every series exists before measuring starts. The implementations,
 * usagestats' and its peers', are the constants of {@link Implementation}, each with what one
 * operation does.
 *
 * <p>Run (from the repository root, after {@code mvn -B -pl benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar RecordBenchmark -t 1 -prof gc
 * java -jar benchmarks/target/benchmarks.jar RecordBenchmark -t 2 -prof gc
 * </pre>
 *
 * or {@code benchmarks/run.sh quick|full}, which runs both and writes JSON results.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class RecordBenchmark {
  /** Tokens of every recorded event. */
  static final long INPUT_TOKENS = 1200;

  static final long OUTPUT_TOKENS = 350;

  /**
   * The implementation under test: every constant of {@link Implementation} unless {@code -p impl=}
   * names some.
   */
  @Param public Implementation impl;

  /** How many series the events are spread over, round robin. */
  @Param({"1", "1000"})
  public int series;

  private Contender contender;

  /** Each thread's position in the round robin. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    /** Threads start apart, so two threads do not walk the same series in step. */
    @Setup(Level.Trial)
    public void setUp(RecordBenchmark benchmark, ThreadParams threads) {
      next = (int) ((long) threads.getThreadIndex() * benchmark.series / threads.getThreadCount());
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    contender = impl.create(new SeriesNames(series));
  }

  /** Fails the run if the implementation counted nothing: a no-op must not pass for fast. */
  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      long calls = contender.recorded();
      if (calls <= 0) {
        throw new IllegalStateException(impl + " counted no calls: " + calls);
      }
    } finally {
      contender.close();
    }
  }

  @Benchmark
  public void record(Cursor cursor) {
    int i = cursor.next;
    cursor.next = i + 1 == series ? 0 : i + 1;
    contender.record(i, INPUT_TOKENS, OUTPUT_TOKENS);
  }
}
