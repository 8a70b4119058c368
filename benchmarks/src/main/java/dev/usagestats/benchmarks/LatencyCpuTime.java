package dev.usagestats.benchmarks;

import dev.usagestats.Outcome;
import dev.usagestats.UsageSeries;
import dev.usagestats.UsageStats;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.CyclicBarrier;

/**
 * {@link LatencyBenchmark}'s loop timed by each recording thread's CPU time instead of the wall
 * clock: on a machine shared with other work, time a thread spends descheduled inflates JMH's
 * figures (and their errors) but not these. It does not replace the JMH run; it tells apart, on a
 * busy machine, what the record path costs from what the neighbours cost. Cache pollution by the
 * neighbours still counts. Prints, for each latency mode, the lowest round (the mean over the
 * threads of their CPU ns per record) after the first third of the rounds, which warm up.
 *
 * <p>Run (from the repository root, after {@code mvn -B -pl benchmarks -am package -DskipTests});
 * arguments: series, threads, rounds, records per thread and round:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.usagestats.benchmarks.LatencyCpuTime 1 1 12 5000000
 * </pre>
 *
 * Each mode runs in a JVM of its own, as JMH forks one per parameter, so the JIT compiles each path
 * alone.
 */
public final class LatencyCpuTime {
  private LatencyCpuTime() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 5) {
      run(args[0], args);
      return;
    }
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 12;
    long perRound = args.length > 3 ? Long.parseLong(args[3]) : 5_000_000L;
    String java = ProcessHandle.current().info().command().orElse("java");
    String classpath = System.getProperty("java.class.path");
    for (String latency : new String[] {"none", "duration", "both"}) {
      Process p =
          new ProcessBuilder(
                  java,
                  "-cp",
                  classpath,
                  LatencyCpuTime.class.getName(),
                  latency,
                  String.valueOf(series),
                  String.valueOf(threads),
                  String.valueOf(rounds),
                  String.valueOf(perRound))
              .inheritIO()
              .start();
      if (p.waitFor() != 0) throw new IllegalStateException(latency + " failed");
    }
  }

  private static void run(String latency, String[] args) throws Exception {
    int series = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    long perRound = Long.parseLong(args[4]);
    UsageStats stats = UsageStats.builder().flushInterval(Duration.ofSeconds(1)).build();
    SeriesNames names = new SeriesNames(series);
    UsageSeries[] handles = new UsageSeries[series];
    for (int i = 0; i < series; i++) {
      handles[i] = stats.series(names.tenant[i], names.apiKey[i], names.model[i]);
    }
    long durationOn = latency.equals("none") ? 0 : -1;
    long firstTokenOn = latency.equals("both") ? -1 : 0;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    double[][] nanos = new double[threads][rounds];
    CyclicBarrier barrier = new CyclicBarrier(threads);
    Thread[] recorders = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      recorders[t] =
          new Thread(
              () -> {
                int next = (int) ((long) id * series / threads);
                long step = 0;
                try {
                  for (int r = 0; r < rounds; r++) {
                    barrier.await();
                    long t0 = mx.getCurrentThreadCpuTime();
                    for (long i = 0; i < perRound; i++) {
                      int k = next;
                      next = k + 1 == series ? 0 : k + 1;
                      // as LatencyBenchmark: 128 durations from 100 ms to about 10 s
                      long duration = 100_000_000L + ((step++ & 127) * 78_125_000L);
                      handles[k].record(
                          RecordBenchmark.INPUT_TOKENS,
                          RecordBenchmark.OUTPUT_TOKENS,
                          0,
                          0,
                          0,
                          Outcome.SUCCESS,
                          (duration & durationOn) | ~durationOn,
                          ((duration >>> 2) & firstTokenOn) | ~firstTokenOn);
                    }
                    nanos[id][r] = (mx.getCurrentThreadCpuTime() - t0) / (double) perRound;
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      recorders[t].start();
    }
    for (Thread t : recorders) t.join();
    stats.close();
    double best = Double.MAX_VALUE;
    StringBuilder all = new StringBuilder();
    for (int r = rounds / 3; r < rounds; r++) {
      double mean = 0;
      for (int t = 0; t < threads; t++) mean += nanos[t][r] / threads;
      best = Math.min(best, mean);
      all.append(String.format(" %.1f", mean));
    }
    System.out.printf(
        "latency=%-8s series=%d threads=%d: lowest %.1f CPU ns/record (rounds:%s)%n",
        latency, series, threads, best, all);
  }
}
