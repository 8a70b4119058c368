package dev.usagestats.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Turns the JSON that {@code benchmarks/run.sh} wrote into Markdown tables: time and allocation per
 * operation, ratios against each peer from the same run, scaling from one thread to two, report
 * time against recorded events, and each target of the benchmarks issue with its measured value.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.usagestats.benchmarks.Summary benchmarks/results/DIR
 * </pre>
 */
public final class Summary {
  /**
   * Below this many bytes per operation a benchmark counts as allocation-free: one object is at
   * least 16 bytes, so less than 1 B/op means fewer than one allocation per 16 operations, which is
   * what the harness and the background flusher leave behind.
   */
  static final double ZERO_BYTES = 1.0;

  /** One JMH result row. */
  record Row(
      String benchmark,
      String method,
      int threads,
      JsonNode params,
      double score,
      double error,
      String unit,
      double bytesPerOp) {
    String param(String name) {
      JsonNode p = params.get(name);
      return p == null ? "" : p.asText();
    }
  }

  private final List<Row> rows = new ArrayList<>();
  private final PrintStream out;
  private int misses;

  private Summary(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: Summary RESULTS_DIR");
      System.exit(2);
    }
    Locale.setDefault(Locale.ROOT);
    Summary s = new Summary(System.out);
    Path dir = Path.of(args[0]);
    for (String f :
        new String[] {
          "record-t1.json", "record-t2.json", "query.json", "baseline.json", "store.json"
        }) {
      Path p = dir.resolve(f);
      if (Files.exists(p)) s.read(p);
    }
    s.print();
  }

  private void read(Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    for (JsonNode r : root) {
      JsonNode primary = r.get("primaryMetric");
      JsonNode alloc = r.path("secondaryMetrics").path("gc.alloc.rate.norm");
      rows.add(
          new Row(
              r.get("benchmark").asText().replaceAll(".*\\.(\\w+Benchmark)\\..*", "$1"),
              r.get("benchmark").asText().replaceAll(".*\\.", ""),
              r.get("threads").asInt(),
              r.path("params"),
              primary.get("score").asDouble(),
              primary.get("scoreError").asDouble(),
              primary.get("scoreUnit").asText(),
              alloc.isMissingNode() ? Double.NaN : alloc.get("score").asDouble()));
    }
  }

  private Optional<Row> find(Predicate<Row> p) {
    return rows.stream().filter(p).findFirst();
  }

  private Optional<Row> record(Implementation impl, int series, int threads) {
    return find(
        r ->
            r.benchmark().equals("RecordBenchmark")
                && r.threads() == threads
                && r.param("impl").equalsIgnoreCase(impl.name())
                && r.param("series").equals(Integer.toString(series)));
  }

  private Optional<Row> query(long events, String granularity) {
    return find(
        r ->
            r.benchmark().equals("QueryBenchmark")
                && r.param("events").equals(Long.toString(events))
                && r.param("granularity").equals(granularity));
  }

  private void print() {
    printRecord();
    printListener();
    printScaling();
    printQuery();
    printBaseline();
    printStore();
    printTargets();
  }

  private void printRecord() {
    if (rows.stream().noneMatch(r -> r.benchmark().equals("RecordBenchmark"))) return;
    for (int threads : new int[] {1, 2}) {
      for (int series : new int[] {1, 1000}) {
        Optional<Row> byName = record(Implementation.USAGESTATS_BY_NAME, series, threads);
        Optional<Row> handle = record(Implementation.USAGESTATS_HANDLE, series, threads);
        if (byName.isEmpty() && handle.isEmpty()) continue;
        out.printf(
            "%n#### RecordBenchmark, %d thread%s, %d series%n%n",
            threads, threads == 1 ? "" : "s", series);
        out.println("| impl | ns/op | ± | B/op | ÷ usagestats_by_name | ÷ usagestats_handle |");
        out.println("|---|---:|---:|---:|---:|---:|");
        for (Implementation impl : Implementation.values()) {
          Optional<Row> r = record(impl, series, threads);
          if (r.isEmpty()) continue;
          Row x = r.get();
          out.printf(
              "| %s | %s | %s | %s | %s | %s |%n",
              impl.label(),
              num(x.score()),
              num(x.error()),
              bytes(x.bytesPerOp()),
              ratio(x, byName),
              ratio(x, handle));
        }
      }
    }
    out.println();
    out.println(
        "A ratio is the row's time divided by the usagestats variant's time in the same run:"
            + " above 1 means usagestats is faster.");
  }

  /**
   * What usage-micrometer's listener adds to a record: each {@code *_micrometer} variant's time
   * minus the same variant's time without it, from the same run. The ± is the sum of both figures'
   * intervals, a conservative bound for the difference.
   */
  private void printListener() {
    if (record(Implementation.USAGESTATS_HANDLE_MICROMETER, 1, 1).isEmpty()
        && record(Implementation.USAGESTATS_BY_NAME_MICROMETER, 1, 1).isEmpty()) return;
    out.printf("%n#### The Micrometer listener's cost: with it minus without it, same run%n%n");
    out.println(
        "| variant | threads | series | without ns/op | with ns/op | added ns/op | ± | with B/op |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Implementation with : listenerVariants()) {
      Implementation impl = without(with);
      for (int threads : new int[] {1, 2}) {
        for (int series : new int[] {1, 1000}) {
          Optional<Row> a = record(impl, series, threads);
          Optional<Row> b = record(with, series, threads);
          if (a.isEmpty() || b.isEmpty()) continue;
          out.printf(
              "| %s | %d | %d | %s | %s | %s | %s | %s |%n",
              impl.label(),
              threads,
              series,
              num(a.get().score()),
              num(b.get().score()),
              num(b.get().score() - a.get().score()),
              num(a.get().error() + b.get().error()),
              bytes(b.get().bytesPerOp()));
        }
      }
    }
  }

  /** The implementations that are a usagestats variant with usage-micrometer's listener. */
  private static List<Implementation> listenerVariants() {
    return Arrays.stream(Implementation.values()).filter(i -> i.withoutListener() != null).toList();
  }

  private static Implementation without(Implementation withListener) {
    return Objects.requireNonNull(withListener.withoutListener(), "withoutListener");
  }

  private void printScaling() {
    if (rows.stream().noneMatch(r -> r.benchmark().equals("RecordBenchmark"))) return;
    out.printf("%n#### Scaling: throughput (million events/s, all threads)%n%n");
    out.println("| impl | series | 1 thread | 2 threads | 2 ÷ 1 |");
    out.println("|---|---:|---:|---:|---:|");
    for (Implementation impl : Implementation.values()) {
      for (int series : new int[] {1, 1000}) {
        Optional<Row> one = record(impl, series, 1);
        Optional<Row> two = record(impl, series, 2);
        if (one.isEmpty() || two.isEmpty()) continue;
        double t1 = 1e3 / one.get().score();
        double t2 = 2e3 / two.get().score();
        out.printf(
            "| %s | %d | %s | %s | %.2f× |%n", impl.label(), series, num(t1), num(t2), t2 / t1);
      }
    }
  }

  private void printQuery() {
    if (query(100_000, "DAY").isEmpty()) return;
    out.printf("%n#### QueryBenchmark: 14-day report over 1,000 series%n%n");
    out.println("| events | DAY (14 buckets) ms | ± | B/op | HOUR (336 buckets) ms | ± | B/op |");
    out.println("|---:|---:|---:|---:|---:|---:|---:|");
    for (long events : new long[] {100_000, 1_000_000, 10_000_000}) {
      Optional<Row> day = query(events, "DAY");
      Optional<Row> hour = query(events, "HOUR");
      out.printf(
          "| %,d | %s | %s | %s | %s | %s | %s |%n",
          events,
          day.map(r -> num(r.score())).orElse("-"),
          day.map(r -> num(r.error())).orElse("-"),
          day.map(r -> bytes(r.bytesPerOp())).orElse("-"),
          hour.map(r -> num(r.score())).orElse("-"),
          hour.map(r -> num(r.error())).orElse("-"),
          hour.map(r -> bytes(r.bytesPerOp())).orElse("-"));
    }
  }

  private void printBaseline() {
    List<Row> base = rows.stream().filter(r -> r.benchmark().equals("BaselineBenchmark")).toList();
    if (base.isEmpty()) return;
    out.printf("%n#### BaselineBenchmark: parts of a record path, 1 thread%n%n");
    out.println("| operation | ns/op | ± |");
    out.println("|---|---:|---:|");
    for (Row r : base) {
      out.printf("| %s | %s | %s |%n", r.method(), num(r.score()), num(r.error()));
    }
  }

  /** {@code StoreBenchmark}'s rows, as they come: its modes and units differ per method. */
  private void printStore() {
    List<Row> store = rows.stream().filter(r -> r.benchmark().equals("StoreBenchmark")).toList();
    if (store.isEmpty()) return;
    out.printf("%n#### StoreBenchmark: the JDBC store%n%n");
    out.println("| method | params | score | ± | unit | B/op |");
    out.println("|---|---|---:|---:|---|---:|");
    for (Row r : store) {
      StringBuilder params = new StringBuilder();
      r.params()
          .fields()
          .forEachRemaining(
              e -> params.append(e.getKey()).append('=').append(e.getValue().asText()).append(' '));
      out.printf(
          "| %s | %s | %s | %s | %s | %s |%n",
          r.method(),
          params.toString().trim(),
          num(r.score()),
          num(r.error()),
          r.unit(),
          bytes(r.bytesPerOp()));
    }
    out.println();
    out.println(
        "`flush` counts one operation per row written (10,000 rows per append), so ops/s is rows/s"
            + " and B/op is per row.");
  }

  private void printTargets() {
    out.printf("%n#### Targets%n%n");
    out.println("| target | measured | verdict |");
    out.println("|---|---|---|");
    for (int threads : new int[] {1, 2}) {
      for (int series : new int[] {1, 1000}) {
        String at = " (" + threads + "t, " + series + "s)";
        Optional<Row> byName = record(Implementation.USAGESTATS_BY_NAME, series, threads);
        Optional<Row> handle = record(Implementation.USAGESTATS_HANDLE, series, threads);
        Optional<Row> otel = record(Implementation.OTEL_SDK, series, threads);
        Optional<Row> lookup = record(Implementation.MICROMETER_LOOKUP, series, threads);
        if (threads == 1) {
          byName.ifPresent(
              r -> target("by_name ≤ 50 ns/op" + at, num(r.score()) + " ns", r.score() <= 50));
          handle.ifPresent(
              r -> target("handle ≤ 20 ns/op" + at, num(r.score()) + " ns", r.score() <= 20));
        }
        if (byName.isPresent() && otel.isPresent()) {
          double q = otel.get().score() / byName.get().score();
          target("by_name faster than otel_sdk" + at, fmt(q) + "×", q > 1);
        }
        if (byName.isPresent() && lookup.isPresent()) {
          double q = lookup.get().score() / byName.get().score();
          target("by_name ≥ 10× faster than micrometer_lookup" + at, fmt(q) + "×", q >= 10);
        }
        Optional<Row> naive = record(Implementation.NAIVE_MAP, series, threads);
        if (series == 1 && handle.isPresent() && naive.isPresent()) {
          double q = handle.get().score() / naive.get().score();
          target("handle within 2× of naive_map" + at, fmt(q) + "× its time", q <= 2);
        }
        for (Implementation with : listenerVariants()) {
          Implementation impl = without(with);
          Optional<Row> a = record(impl, series, threads);
          Optional<Row> b = record(with, series, threads);
          if (a.isEmpty() || b.isEmpty()) continue;
          double added = b.get().score() - a.get().score();
          target(
              "Micrometer listener adds ≤ 25 ns/op to " + impl.label() + at,
              num(added) + " ns",
              added <= 25);
        }
        Optional<Row> handleMm =
            record(Implementation.USAGESTATS_HANDLE_MICROMETER, series, threads);
        Optional<Row> byNameMm =
            record(Implementation.USAGESTATS_BY_NAME_MICROMETER, series, threads);
        for (Optional<Row> r : List.of(handle, byName, handleMm, byNameMm)) {
          r.ifPresent(
              x ->
                  target(
                      x.param("impl").toLowerCase(Locale.ROOT) + " 0 B/op" + at,
                      bytes(x.bytesPerOp()) + " B/op",
                      x.bytesPerOp() < ZERO_BYTES));
        }
      }
    }
    for (Implementation impl :
        List.of(Implementation.USAGESTATS_HANDLE, Implementation.USAGESTATS_BY_NAME)) {
      for (int series : new int[] {1, 1000}) {
        Optional<Row> one = record(impl, series, 1);
        Optional<Row> two = record(impl, series, 2);
        if (one.isEmpty() || two.isEmpty()) continue;
        double q = 2 * one.get().score() / two.get().score();
        target(
            impl.label() + " 2 threads ≥ 1.7× throughput of 1 (" + series + "s)",
            fmt(q) + "×",
            q >= 1.7);
      }
    }
    for (long events : new long[] {100_000, 1_000_000, 10_000_000}) {
      query(events, "HOUR")
          .ifPresent(
              r ->
                  target(
                      String.format(Locale.ROOT, "14-day HOUR report < 10 ms (%,d events)", events),
                      num(r.score()) + " ms",
                      r.score() < 10));
    }
    for (String g : new String[] {"DAY", "HOUR"}) {
      double min = Double.MAX_VALUE;
      double max = 0;
      int n = 0;
      for (long events : new long[] {100_000, 1_000_000, 10_000_000}) {
        Optional<Row> r = query(events, g);
        if (r.isEmpty()) continue;
        min = Math.min(min, r.get().score());
        max = Math.max(max, r.get().score());
        n++;
      }
      if (n == 3) {
        target(
            g + " report flat (max ÷ min ≤ 1.5) from 1e5 to 1e7 events",
            fmt(max / min) + "×",
            max / min <= 1.5);
      }
    }
    out.printf("%n%d target%s missed.%n", misses, misses == 1 ? "" : "s");
  }

  private void target(String what, String measured, boolean met) {
    if (!met) misses++;
    out.printf("| %s | %s | %s |%n", what, measured, met ? "met" : "**missed**");
  }

  private static String ratio(Row x, Optional<Row> base) {
    return base.map(b -> fmt(x.score() / b.score()) + "×").orElse("-");
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "-" : fmt(v);
  }

  private static String bytes(double v) {
    if (Double.isNaN(v)) return "-";
    return v < ZERO_BYTES
        ? String.format(Locale.ROOT, "%.3f", v)
        : String.format(Locale.ROOT, "%,.0f", v);
  }
}
