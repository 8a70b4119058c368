package dev.usagestats.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The before/after table of {@code benchmarks/compare.sh}: reads the JMH CSV results of two builds
 * measured in turn in one run ({@code NAME-base-rN.csv} and {@code NAME-head-rN.csv}, round {@code
 * N}) and prints, per configuration, each side's time in every round and their mean, the ratio head
 * ÷ base of the means, and allocation per operation.
 *
 * <p>Rows are matched on benchmark method, threads and parameters. The {@code impl} parameter of
 * {@code RecordBenchmark} was a lower-case string before it became {@link Implementation}, so it is
 * compared in upper case, the enum's spelling: {@code usagestats_handle} and {@code
 * USAGESTATS_HANDLE} are the same row.
 *
 * <p>Depends on the JDK only, so {@code compare.sh} runs it as a source file, whichever refs it
 * compares:
 *
 * <pre>
 * java benchmarks/src/main/java/dev/usagestats/benchmarks/Compare.java RESULTS_DIR [BASE HEAD]
 * </pre>
 */
public final class Compare {
  /** Head may be this much slower than base, the bound, before a row is flagged. */
  static final double TOLERANCE = 0.10;

  /** As {@link Summary#ZERO_BYTES}, repeated so this file compiles on its own. */
  static final double ZERO_BYTES = 1.0;

  private static final Pattern FILE = Pattern.compile("(\\w+)-(base|head)-r(\\d+)\\.csv");

  /** One configuration: benchmark method, threads and parameters ({@code impl} normalized). */
  record Key(String method, int threads, String params) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = method.compareTo(o.method);
      if (c != 0) return c;
      c = params.compareTo(o.params);
      return c != 0 ? c : Integer.compare(threads, o.threads);
    }
  }

  /** One side's figures for one configuration, one entry per round. */
  static final class Side {
    final TreeMap<Integer, Double> score = new TreeMap<>();
    final TreeMap<Integer, Double> bytes = new TreeMap<>();
    String unit = "";

    double mean() {
      return score.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    double meanBytes() {
      return bytes.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Largest minus smallest round, as a fraction of the mean: the run's own noise. */
    double spread() {
      if (score.size() < 2) return Double.NaN;
      double min = score.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      double max = score.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      return (max - min) / mean();
    }
  }

  private final Map<Key, Side[]> rows = new TreeMap<>();

  public static void main(String[] args) throws IOException {
    if (args.length != 1 && args.length != 3) {
      System.err.println("usage: Compare RESULTS_DIR [BASE_LABEL HEAD_LABEL]");
      System.exit(2);
    }
    Locale.setDefault(Locale.ROOT);
    Compare c = new Compare();
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of(args[0]))) {
      files = s.filter(p -> FILE.matcher(p.getFileName().toString()).matches()).sorted().toList();
    }
    for (Path f : files) c.read(f);
    c.print(System.out, args.length == 3 ? args[1] : "base", args.length == 3 ? args[2] : "head");
  }

  private void read(Path file) throws IOException {
    Matcher m = FILE.matcher(file.getFileName().toString());
    if (!m.matches()) return;
    int side = m.group(2).equals("base") ? 0 : 1;
    int round = Integer.parseInt(m.group(3));
    List<String> lines = Files.readAllLines(file);
    if (lines.isEmpty()) return;
    List<String> header = split(lines.get(0));
    for (String line : lines.subList(1, lines.size())) {
      List<String> f = split(line);
      if (f.size() != header.size()) continue;
      String benchmark = f.get(0);
      String metric = "";
      int sep = benchmark.indexOf(':');
      if (sep < 0) sep = benchmark.indexOf('\u00b7');
      if (sep >= 0) {
        metric = benchmark.substring(sep + 1);
        benchmark = benchmark.substring(0, sep);
      }
      if (!metric.isEmpty() && !metric.equals("gc.alloc.rate.norm")) continue;
      StringBuilder params = new StringBuilder();
      for (int i = 7; i < header.size(); i++) {
        String name = header.get(i).replaceFirst("^Param: ", "");
        String value = name.equals("impl") ? f.get(i).toUpperCase(Locale.ROOT) : f.get(i);
        if (params.length() > 0) params.append(' ');
        params.append(name).append('=').append(value);
      }
      Key key =
          new Key(
              benchmark.replaceAll(".*\\.(\\w+\\.\\w+)$", "$1"),
              Integer.parseInt(f.get(2)),
              params.toString());
      Side s = rows.computeIfAbsent(key, k -> new Side[] {new Side(), new Side()})[side];
      double value = number(f.get(4));
      if (metric.isEmpty()) {
        s.score.put(round, value);
        s.unit = f.get(6);
      } else {
        s.bytes.put(round, value);
      }
    }
  }

  private void print(PrintStream out, String baseLabel, String headLabel) {
    out.printf("base: %s; head: %s%n%n", baseLabel, headLabel);
    out.print("| benchmark | threads | params | unit | base rounds | base mean |");
    out.println(" head rounds | head mean | head ÷ base | base B/op | head B/op |");
    out.println("|---|---:|---|---|---|---:|---|---:|---:|---:|---:|");
    int slower = 0;
    int compared = 0;
    double worstSpread = 0;
    for (Map.Entry<Key, Side[]> e : rows.entrySet()) {
      Key k = e.getKey();
      Side base = e.getValue()[0];
      Side head = e.getValue()[1];
      double ratio = head.mean() / base.mean();
      boolean flagged = ratio > 1 + TOLERANCE;
      if (!Double.isNaN(ratio)) {
        compared++;
        if (flagged) slower++;
      }
      for (Side s : e.getValue()) {
        if (!Double.isNaN(s.spread())) worstSpread = Math.max(worstSpread, s.spread());
      }
      out.printf(
          "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          k.method(),
          k.threads(),
          k.params(),
          base.unit.isEmpty() ? head.unit : base.unit,
          rounds(base),
          num(base.mean()),
          rounds(head),
          num(head.mean()),
          Double.isNaN(ratio) ? "-" : (flagged ? "**" + fmt(ratio) + "×**" : fmt(ratio) + "×"),
          bytes(base.meanBytes()),
          bytes(head.meanBytes()));
    }
    out.println();
    out.printf(
        "%d of %d configurations more than %.0f%% slower at head (in bold). Rounds are"
            + " interleaved (base, head, base, head, ...), each a separate JMH run; the widest"
            + " spread between one side's rounds was %.0f%% of its mean, a measure of this run's"
            + " noise.%n",
        slower, compared, TOLERANCE * 100, worstSpread * 100);
  }

  private static String rounds(Side s) {
    if (s.score.isEmpty()) return "-";
    List<String> r = new ArrayList<>();
    for (double v : s.score.values()) r.add(num(v));
    return String.join(", ", r);
  }

  /** Splits one CSV line as JMH writes it: fields separated by commas, strings in quotes. */
  static List<String> split(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          f.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == ',' && !quoted) {
        fields.add(f.toString());
        f.setLength(0);
      } else {
        f.append(c);
      }
    }
    fields.add(f.toString());
    return fields;
  }

  private static double number(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
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
