package dev.usagestats.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The before/after table of {@code benchmarks/compare.sh}: reads the JMH JSON results of two builds
 * measured in turn in one run ({@code NAME-base-rN.json} and {@code NAME-head-rN.json}, round
 * {@code N}) and prints, per configuration, each side's score in every round, head ÷ base per round
 * and of the means, the best measured iteration of each side and their ratio, and allocation per
 * operation.
 *
 * <p>Why three ratios: on a machine shared with other work the load changes from minute to minute
 * and moves the figures more than a code change does. Base and head of one round run one after the
 * other, so the ratio within a round pairs figures taken under similar load; the best iteration (of
 * all rounds) is the one least disturbed. When the three agree, the difference is the code's.
 *
 * <p>Rows are matched on benchmark method, threads and parameters. The {@code impl} parameter of
 * {@code RecordBenchmark} was a lower-case string before it became {@link Implementation}, so it is
 * compared in upper case, the enum's spelling: {@code usagestats_handle} and {@code
 * USAGESTATS_HANDLE} are the same row.
 *
 * <p>Depends on the JDK only, so {@code compare.sh} runs it as a source file whichever refs it
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

  private static final Pattern FILE = Pattern.compile("(.+)-(base|head)-r(\\d+)\\.json");

  /** One configuration: benchmark method, threads and parameters ({@code impl} normalized). */
  record Key(String method, int threads, String params) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = method.compareTo(o.method);
      if (c != 0) return c;
      c = Integer.compare(threads, o.threads);
      return c != 0 ? c : params.compareTo(o.params);
    }
  }

  /** One side's figures for one configuration, by round. */
  static final class Side {
    final TreeMap<Integer, Double> score = new TreeMap<>();
    final TreeMap<Integer, Double> bytes = new TreeMap<>();
    double best = Double.NaN;
    String unit = "";

    double mean() {
      return score.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    double meanBytes() {
      return bytes.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
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
    String text = Files.readString(file);
    if (text.isBlank()) return;
    for (Object o : (List<?>) new Json(text).value()) {
      Map<?, ?> r = (Map<?, ?>) o;
      StringBuilder params = new StringBuilder();
      if (r.get("params") instanceof Map<?, ?> p) {
        for (Map.Entry<?, ?> e : p.entrySet()) {
          String name = (String) e.getKey();
          String value = (String) e.getValue();
          if (params.length() > 0) params.append(' ');
          params.append(name).append('=');
          params.append(name.equals("impl") ? value.toUpperCase(Locale.ROOT) : value);
        }
      }
      String benchmark = (String) r.get("benchmark");
      Key key =
          new Key(
              benchmark.replaceAll(".*\\.(\\w+\\.\\w+)$", "$1"),
              (int) number(r.get("threads")),
              params.toString());
      Side s = rows.computeIfAbsent(key, k -> new Side[] {new Side(), new Side()})[side];
      Map<?, ?> primary = (Map<?, ?>) r.get("primaryMetric");
      s.score.put(round, number(primary.get("score")));
      s.unit = (String) primary.get("scoreUnit");
      if (primary.get("rawData") instanceof List<?> forks) {
        for (Object fork : forks) {
          for (Object v : (List<?>) fork) {
            double x = number(v);
            if (Double.isNaN(s.best) || x < s.best) s.best = x;
          }
        }
      }
      if (r.get("secondaryMetrics") instanceof Map<?, ?> sec
          && sec.get("gc.alloc.rate.norm") instanceof Map<?, ?> alloc) {
        s.bytes.put(round, number(alloc.get("score")));
      }
    }
  }

  private void print(PrintStream out, String baseLabel, String headLabel) {
    out.printf("base: %s; head: %s%n%n", baseLabel, headLabel);
    out.print("| benchmark | threads | params | unit | base by round | head by round |");
    out.print(" head ÷ base by round | head ÷ base of means | best base | best head |");
    out.println(" head ÷ base of bests | base B/op | head B/op |");
    out.println("|---|---:|---|---|---|---|---|---:|---:|---:|---:|---:|---:|");
    int flagged = 0;
    int compared = 0;
    for (Map.Entry<Key, Side[]> e : rows.entrySet()) {
      Key k = e.getKey();
      Side base = e.getValue()[0];
      Side head = e.getValue()[1];
      List<String> paired = new ArrayList<>();
      for (Map.Entry<Integer, Double> b : base.score.entrySet()) {
        Double h = head.score.get(b.getKey());
        if (h != null) paired.add(fmt(h / b.getValue()));
      }
      double means = head.mean() / base.mean();
      double bests = head.best / base.best;
      boolean slower = means > 1 + TOLERANCE;
      if (!Double.isNaN(means)) compared++;
      if (slower) flagged++;
      out.printf(
          "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          k.method(),
          k.threads(),
          k.params(),
          base.unit.isEmpty() ? head.unit : base.unit,
          rounds(base),
          rounds(head),
          paired.isEmpty() ? "-" : String.join(", ", paired),
          Double.isNaN(means) ? "-" : (slower ? "**" + fmt(means) + "**" : fmt(means)),
          num(base.best),
          num(head.best),
          num(bests),
          bytes(base.meanBytes()),
          bytes(head.meanBytes()));
    }
    out.println();
    out.printf(
        "Scores are JMH's mean per round (each round one JMH run per side, base then head); a"
            + " best is the fastest measured iteration of all rounds. %d of %d configurations are"
            + " more than %.0f%% slower at head by the means (in bold).%n",
        flagged, compared, TOLERANCE * 100);
  }

  private static String rounds(Side s) {
    if (s.score.isEmpty()) return "-";
    List<String> r = new ArrayList<>();
    for (double v : s.score.values()) r.add(num(v));
    return String.join(", ", r);
  }

  private static double number(Object o) {
    if (o instanceof Number n) return n.doubleValue();
    if (o instanceof String s) {
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
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

  /**
   * Just enough JSON for JMH's result files: objects (as insertion-ordered maps), arrays, strings,
   * numbers (also JMH's bare {@code NaN} and {@code Infinity}), booleans and null.
   */
  static final class Json {
    private final String s;
    private int i;

    Json(String s) {
      this.s = s;
    }

    Object value() {
      skip();
      if (i >= s.length()) throw error("a value");
      char c = s.charAt(i);
      switch (c) {
        case '{':
          return object();
        case '[':
          return array();
        case '"':
          return string();
        default:
          return literal();
      }
    }

    private Map<String, Object> object() {
      Map<String, Object> m = new LinkedHashMap<>();
      i++;
      skip();
      if (peek() == '}') {
        i++;
        return m;
      }
      while (true) {
        skip();
        String key = string();
        skip();
        expect(':');
        m.put(key, value());
        skip();
        if (peek() == ',') {
          i++;
        } else {
          expect('}');
          return m;
        }
      }
    }

    private List<Object> array() {
      List<Object> a = new ArrayList<>();
      i++;
      skip();
      if (peek() == ']') {
        i++;
        return a;
      }
      while (true) {
        a.add(value());
        skip();
        if (peek() == ',') {
          i++;
        } else {
          expect(']');
          return a;
        }
      }
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        if (i >= s.length()) throw error("a closing quote");
        char c = s.charAt(i++);
        if (c == '"') return b.toString();
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'r' -> b.append('\r');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'u' -> {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> b.append(e);
        }
      }
    }

    private Object literal() {
      int start = i;
      while (i < s.length() && ",]} \t\r\n".indexOf(s.charAt(i)) < 0) i++;
      String t = s.substring(start, i);
      switch (t) {
        case "true":
          return Boolean.TRUE;
        case "false":
          return Boolean.FALSE;
        case "null":
          return "";
        default:
          try {
            return Double.parseDouble(t);
          } catch (NumberFormatException e) {
            throw error("a number");
          }
      }
    }

    private void skip() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    private char peek() {
      return i < s.length() ? s.charAt(i) : '\0';
    }

    private void expect(char c) {
      if (peek() != c) throw error("'" + c + "'");
      i++;
    }

    private IllegalArgumentException error(String wanted) {
      return new IllegalArgumentException("JSON: expected " + wanted + " at offset " + i);
    }
  }
}
