package dev.usagestats.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.usagestats.EngineStats;
import dev.usagestats.UsageSeries;
import dev.usagestats.UsageStats;
import dev.usagestats.jdbc.JdbcUsageStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One node of the scale scenario ({@link ScaleScenario}): a {@link UsageStats} engine with its own
 * node id and a {@link JdbcUsageStore} on the shared database, recording into {@code series} series
 * (picked at random) at a steady {@code rate} events per second for {@code seconds} seconds, from
 * {@code startAt} on. After {@code close()} it writes to {@code outDir}:
 *
 * <ul>
 *   <li>{@code node-N.series}: what it recorded, one line per series it touched: {@code index calls
 *       inputTokens outputTokens};
 *   <li>{@code node-N.flushes}: each store append: {@code startMillis rows nanos ok};
 *   <li>{@code node-N.summary}: events, recording window, how far behind the schedule it fell, and
 *       the engine's counters after close.
 * </ul>
 *
 * <p>Arguments, in order: node index, JDBC URL, table prefix, series, rate, seconds, startAt (epoch
 * ms), flush interval (ms), outDir.
 */
public final class ScaleNode {
  private ScaleNode() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 9) {
      throw new IllegalArgumentException(
          "arguments: node url prefix series rate seconds startAtMillis flushMillis outDir, got "
              + args.length);
    }
    int node = Integer.parseInt(args[0]);
    String url = args[1];
    String prefix = args[2];
    int series = Integer.parseInt(args[3]);
    long rate = Long.parseLong(args[4]);
    long seconds = Long.parseLong(args[5]);
    long startAt = Long.parseLong(args[6]);
    long flushMillis = Long.parseLong(args[7]);
    Path out = Path.of(args[8]);

    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(2);
    config.setPoolName("scale-node-" + node);
    long[] calls = new long[series];
    long[] input = new long[series];
    long[] output = new long[series];
    long events = 0;
    long maxBehind = 0;
    long recordStart;
    long recordEnd;
    TimedStore timed;
    EngineStats engine;
    try (HikariDataSource ds = new HikariDataSource(config)) {
      timed = new TimedStore(JdbcUsageStore.builder(ds).tablePrefix(prefix).build());
      UsageStats stats =
          UsageStats.builder()
              .store(timed)
              .nodeId("node-" + node)
              .flushInterval(Duration.ofMillis(flushMillis))
              .closeTimeout(Duration.ofSeconds(60))
              .maxSeries(series)
              .build();
      UsageSeries[] handles = new UsageSeries[series];
      for (int i = 0; i < series; i++) handles[i] = stats.series(tenant(i), apiKey(i), model(i));
      SplittableRandom random = new SplittableRandom(node * 7919L + 17);
      long total = rate * seconds;
      long wait = startAt - System.currentTimeMillis();
      if (wait > 0) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wait));
      recordStart = System.currentTimeMillis();
      long t0 = System.nanoTime();
      while (events < total) {
        long due = Math.min(total, (System.nanoTime() - t0) * rate / 1_000_000_000L);
        maxBehind = Math.max(maxBehind, due - events);
        for (; events < due; events++) {
          int s = random.nextInt(series);
          long in = 1 + random.nextInt(4_000);
          long outTokens = 1 + random.nextInt(1_000);
          handles[s].record(in, outTokens);
          calls[s]++;
          input[s] += in;
          output[s] += outTokens;
        }
        LockSupport.parkNanos(200_000);
      }
      recordEnd = System.currentTimeMillis();
      stats.close();
      engine = stats.stats();
    }
    long closed = System.currentTimeMillis();

    try (PrintWriter w =
        new PrintWriter(Files.newBufferedWriter(out.resolve(name(node, "series"))))) {
      for (int i = 0; i < series; i++) {
        if (calls[i] > 0) w.println(i + " " + calls[i] + " " + input[i] + " " + output[i]);
      }
    }
    try (PrintWriter w =
        new PrintWriter(Files.newBufferedWriter(out.resolve(name(node, "flushes"))))) {
      for (TimedStore.Flush f : timed.flushes()) {
        w.println(f.startMillis() + " " + f.rows() + " " + f.nanos() + " " + f.ok());
      }
    }
    try (PrintWriter w =
        new PrintWriter(Files.newBufferedWriter(out.resolve(name(node, "summary"))))) {
      w.println("events=" + events);
      w.println("recordStart=" + recordStart);
      w.println("recordEnd=" + recordEnd);
      w.println("closed=" + closed);
      w.println("maxBehindEvents=" + maxBehind);
      w.println("failedFlushes=" + engine.failedFlushes());
      w.println("pendingRows=" + engine.pendingRows());
      w.println("refusedRows=" + engine.refusedRows());
      w.println("droppedCalls=" + engine.droppedCalls());
      w.println("overflowEvents=" + engine.overflowEvents());
    }
  }

  static String name(int node, String kind) {
    return "node-" + node + "." + kind;
  }

  static String tenant(int series) {
    return "tenant-" + series % 10;
  }

  static String apiKey(int series) {
    return "key-" + series;
  }

  static String model(int series) {
    return "model-" + series % 20;
  }
}
