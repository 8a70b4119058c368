package dev.usagestats.benchmarks;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;

/** What the nodes of the scale scenario wrote ({@link ScaleNode}), summed and summarized. */
final class ScaleReport {
  private final long[][] recorded; // per series: calls, input, output
  private final List<Properties> summaries = new ArrayList<>();
  private final List<long[]> flushes = new ArrayList<>(); // startMillis, rows, nanos, ok (1/0)

  private ScaleReport(int series) {
    recorded = new long[series][3];
  }

  static ScaleReport read(Path dir, int nodes, int series) throws IOException {
    ScaleReport r = new ScaleReport(series);
    for (int n = 0; n < nodes; n++) {
      for (String line : Files.readAllLines(dir.resolve(ScaleNode.name(n, "series")))) {
        String[] f = line.split(" ");
        long[] s = r.recorded[Integer.parseInt(f[0])];
        for (int i = 0; i < 3; i++) s[i] += Long.parseLong(f[i + 1]);
      }
      for (String line : Files.readAllLines(dir.resolve(ScaleNode.name(n, "flushes")))) {
        String[] f = line.split(" ");
        r.flushes.add(
            new long[] {
              Long.parseLong(f[0]),
              Long.parseLong(f[1]),
              Long.parseLong(f[2]),
              Boolean.parseBoolean(f[3]) ? 1 : 0
            });
      }
      Properties p = new Properties();
      try (var in = Files.newBufferedReader(dir.resolve(ScaleNode.name(n, "summary")))) {
        p.load(in);
      }
      r.summaries.add(p);
    }
    return r;
  }

  /** Calls, input and output tokens recorded into series {@code i} by all nodes. */
  long[] recorded(int i) {
    return recorded[i];
  }

  long totalEvents() {
    return summaries.stream().mapToLong(p -> num(p, "events")).sum();
  }

  long firstStart() {
    return summaries.stream().mapToLong(p -> num(p, "recordStart")).min().orElseThrow();
  }

  long lastClosed() {
    return summaries.stream().mapToLong(p -> num(p, "closed")).max().orElseThrow();
  }

  void printNodes(PrintWriter r, int rate, int seconds) {
    r.println(
        "node  events    events/s  most behind schedule  failed flushes  pending after close");
    for (int n = 0; n < summaries.size(); n++) {
      Properties p = summaries.get(n);
      double secs = (num(p, "recordEnd") - num(p, "recordStart")) / 1000.0;
      r.printf(
          "%4d  %8d  %8.0f  %8d events         %6d  %6d%n",
          n,
          num(p, "events"),
          num(p, "events") / secs,
          num(p, "maxBehindEvents"),
          num(p, "failedFlushes"),
          num(p, "pendingRows"));
      if (num(p, "overflowEvents") + num(p, "droppedCalls") + num(p, "refusedRows") > 0) {
        r.printf(
            "      overflow %s, dropped calls %s, refused rows %s%n",
            p.get("overflowEvents"), p.get("droppedCalls"), p.get("refusedRows"));
      }
    }
    r.printf(
        "events: %d recorded, %d planned%n",
        totalEvents(), (long) rate * seconds * summaries.size());
  }

  /** Flush latency per batch (all, and per minute of the run) and rows per second appended. */
  void printFlushes(PrintWriter r, double wallSeconds) {
    long rows = flushes.stream().filter(f -> f[3] == 1).mapToLong(f -> f[1]).sum();
    long failed = flushes.stream().filter(f -> f[3] == 0).count();
    r.printf(
        "flushes: %d batches (%d failed), %d rows appended = %.0f rows/s over %.1f s; per batch %s%n",
        flushes.size(), failed, rows, rows / wallSeconds, wallSeconds, latency(flushes));
    TreeMap<Long, List<long[]>> byMinute = new TreeMap<>();
    long first = firstStart();
    for (long[] f : flushes) {
      byMinute.computeIfAbsent((f[0] - first) / 60_000, k -> new ArrayList<>()).add(f);
    }
    byMinute.forEach(
        (m, fs) ->
            r.printf(
                "  minute %d: %d batches, %d rows, %s%n",
                m, fs.size(), fs.stream().mapToLong(f -> f[1]).sum(), latency(fs)));
  }

  private static String latency(List<long[]> fs) {
    long[] ns = fs.stream().mapToLong(f -> f[2]).sorted().toArray();
    if (ns.length == 0) return "no batches";
    long rows = fs.stream().mapToLong(f -> f[1]).sum();
    return String.format(
        "%.0f rows/batch, append p50 %.1f ms, p99 %.1f ms, max %.1f ms",
        rows / (double) ns.length,
        rank(ns, 0.50) / 1e6,
        rank(ns, 0.99) / 1e6,
        ns[ns.length - 1] / 1e6);
  }

  /** Nearest-rank percentile of sorted values. */
  private static long rank(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static long num(Properties p, String key) {
    return Long.parseLong(p.getProperty(key, "0"));
  }
}
