package dev.usagestats.benchmarks;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the parts of a recording path cost on this machine, to read {@link RecordBenchmark} against:
 * a clock read (with the system clock the engine reads none per event: a ticker thread publishes
 * the current minute; an injected clock is read once per event) and uncontended atomic adds (the
 * engine does five per event: enter, calls, input, output, exit).
 *
 * <p>Run (from the repository root, after {@code mvn -B -pl benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar BaselineBenchmark -t 1
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BaselineBenchmark {
  private final Clock clock = Clock.systemUTC();
  private final AtomicLongArray cells = new AtomicLongArray(32);
  private final LongAdder adder = new LongAdder();
  private long plain;

  /** The empty method: JMH's own cost per call. */
  @Benchmark
  public void empty() {}

  /** {@code Clock.systemUTC().millis()}: what a record would cost more if it read the clock. */
  @Benchmark
  public long clockMillis() {
    return clock.millis();
  }

  /** {@code System.currentTimeMillis()}. */
  @Benchmark
  public long currentTimeMillis() {
    return System.currentTimeMillis();
  }

  /** {@code System.nanoTime()}. */
  @Benchmark
  public long nanoTime() {
    return System.nanoTime();
  }

  /** One uncontended {@code AtomicLongArray.getAndAdd}: a locked add on x86. */
  @Benchmark
  public long oneAtomicAdd() {
    return cells.getAndAdd(0, 3);
  }

  /** Five uncontended atomic adds on one cache line: the engine's count per event. */
  @Benchmark
  public void fiveAtomicAdds() {
    cells.getAndIncrement(0);
    cells.getAndIncrement(2);
    cells.getAndAdd(3, 1200);
    cells.getAndAdd(4, 350);
    cells.getAndIncrement(1);
  }

  /** Three uncontended {@code LongAdder.add}s: what {@code naive_held} does per event. */
  @Benchmark
  public void threeLongAdderAdds() {
    adder.increment();
    adder.add(1200);
    adder.add(350);
  }

  /** A plain add to a field, for scale. */
  @Benchmark
  public long plainAdd() {
    return plain += 3;
  }
}
