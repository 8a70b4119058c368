package dev.usagestats;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where usage spiked and responses slowed together: a plain function of a report's data ({@link
 * #of}), per group of the report (model, API key, or both) and per trend bucket.
 *
 * <p>For each group, a bucket is a <b>usage spike</b> when its calls or its tokens reach {@link
 * Thresholds#usageRatio()} times the median of the group's <i>other</i> buckets with calls; it is
 * <b>slow</b> when its p95 duration reaches {@link Thresholds#latencyRatio()} times the median p95
 * of the group's other buckets with at least {@link Thresholds#minCalls()} calls with latency
 * (which a slow bucket needs too). The bucket judged is left out of its own usual level, and a
 * group needs at least 3 other such buckets to have one. A bucket both spiking and slow is a {@link
 * Kind#SPIKE_WITH_SLOWDOWN}, a slow one without a spike a {@link Kind#SLOWDOWN}; a spike that kept
 * its speed is no finding.
 *
 * <pre>{@code
 * Diagnosis d = stats.diagnose(UsageQuery.builder().groupBy(GroupBy.API_KEY_AND_MODEL).build());
 * for (Diagnosis.Finding f : d.findings()) System.out.println(f);
 * }</pre>
 *
 * @param thresholds the thresholds applied
 * @param findings the buckets found, by group label then time
 */
public record Diagnosis(Thresholds thresholds, List<Finding> findings) {
  /** Copies the list. */
  public Diagnosis {
    Objects.requireNonNull(thresholds, "thresholds");
    findings = List.copyOf(findings);
  }

  /** What a finding is. */
  public enum Kind {
    /** Usage rose well above the group's usual level, and its p95 duration rose with it. */
    SPIKE_WITH_SLOWDOWN,
    /** The p95 duration rose well above the group's usual level without a usage spike. */
    SLOWDOWN
  }

  /**
   * The thresholds of a diagnosis.
   *
   * @param usageRatio calls or tokens at least this many times the group's median bucket make a
   *     spike; default 2.0
   * @param latencyRatio a p95 duration at least this many times the group's median bucket p95 is
   *     slow; default 1.5
   * @param minCalls a bucket's p95 counts only with at least this many calls with latency (fewer
   *     make a p95 of noise); default 10
   */
  public record Thresholds(double usageRatio, double latencyRatio, long minCalls) {
    /** The defaults: 2.0, 1.5, 10. */
    public static final Thresholds DEFAULT = new Thresholds(2.0, 1.5, 10);

    /** Checks the values. */
    public Thresholds {
      if (!(usageRatio > 1) || Double.isInfinite(usageRatio)) {
        throw new IllegalArgumentException("usageRatio must be > 1 and finite: " + usageRatio);
      }
      if (!(latencyRatio > 1) || Double.isInfinite(latencyRatio)) {
        throw new IllegalArgumentException("latencyRatio must be > 1 and finite: " + latencyRatio);
      }
      if (minCalls < 1) throw new IllegalArgumentException("minCalls must be >= 1: " + minCalls);
    }
  }

  /**
   * One bucket of one group.
   *
   * @param apiKey the group's API key, null when the report is not grouped by key
   * @param model the group's model, null when the report is not grouped by model
   * @param start the bucket's first instant
   * @param kind what was found
   * @param calls the bucket's calls
   * @param medianCalls the median calls of the group's other buckets with calls
   * @param tokens the bucket's input plus output tokens
   * @param medianTokens the median tokens of those buckets
   * @param p95Millis the bucket's p95 duration
   * @param medianP95Millis the median p95 of the group's other buckets with enough calls
   */
  public record Finding(
      @Nullable String apiKey,
      @Nullable String model,
      Instant start,
      Kind kind,
      long calls,
      double medianCalls,
      long tokens,
      double medianTokens,
      long p95Millis,
      double medianP95Millis) {
    /** The group's label, as its trend series has it ({@link TrendSeries#label()}). */
    public String label() {
      return TrendSeries.label(apiKey, model);
    }

    /** The larger of calls over their median and tokens over theirs: how far usage rose. */
    public double usageRatio() {
      double byCalls = calls / medianCalls;
      return medianTokens > 0 ? Math.max(byCalls, tokens / medianTokens) : byCalls;
    }

    /** The p95 over the median p95: how far latency rose. */
    public double latencyRatio() {
      return p95Millis / Math.max(medianP95Millis, 1);
    }
  }

  /** The diagnosis of a report with the default thresholds. */
  public static Diagnosis of(UsageReport report) {
    return of(report, Thresholds.DEFAULT);
  }

  /** The diagnosis of a report's trend series. */
  public static Diagnosis of(UsageReport report, Thresholds t) {
    Objects.requireNonNull(report, "report");
    Objects.requireNonNull(t, "thresholds");
    List<Finding> out = new ArrayList<>();
    for (TrendSeries s : report.series()) {
      List<TrendPoint> points = s.points();
      long[] calls = sorted(points.stream().mapToLong(TrendPoint::calls).filter(c -> c > 0));
      long[] tokens =
          sorted(points.stream().filter(p -> p.calls() > 0).mapToLong(TrendPoint::totalTokens));
      long[] p95s =
          sorted(
              points.stream()
                  .filter(p -> p.latency().duration().count() >= t.minCalls())
                  .mapToLong(p -> p.latency().duration().p95Millis()));
      if (p95s.length < MIN_OTHERS + 1) continue; // too few buckets for a usual level
      for (TrendPoint p : points) {
        LatencyStats d = p.latency().duration();
        if (p.calls() == 0 || d.count() < t.minCalls()) continue;
        double medianP95 = medianWithout(p95s, d.p95Millis());
        if (d.p95Millis() < t.latencyRatio() * Math.max(medianP95, 1)) continue;
        double medianCalls = medianWithout(calls, p.calls());
        double medianTokens = medianWithout(tokens, p.totalTokens());
        boolean spike =
            p.calls() >= t.usageRatio() * medianCalls
                || (medianTokens > 0 && p.totalTokens() >= t.usageRatio() * medianTokens);
        out.add(
            new Finding(
                s.apiKey(),
                s.model(),
                p.start(),
                spike ? Kind.SPIKE_WITH_SLOWDOWN : Kind.SLOWDOWN,
                p.calls(),
                medianCalls,
                p.totalTokens(),
                medianTokens,
                d.p95Millis(),
                medianP95));
      }
    }
    return new Diagnosis(t, out);
  }

  /** A group needs this many other buckets with latency besides the one judged. */
  private static final int MIN_OTHERS = 3;

  private static long[] sorted(java.util.stream.LongStream values) {
    return values.sorted().toArray();
  }

  /**
   * The median of {@code sorted} with one occurrence of {@code value} (which it holds) left out.
   */
  private static double medianWithout(long[] sorted, long value) {
    int at = Arrays.binarySearch(sorted, value);
    int n = sorted.length - 1;
    if (n == 0) return Double.NaN;
    // the k-th of the others is sorted[k] before the left-out index, sorted[k + 1] from it on
    java.util.function.IntToLongFunction other = k -> sorted[k < at ? k : k + 1];
    int m = n / 2;
    return n % 2 == 1
        ? other.applyAsLong(m)
        : (other.applyAsLong(m - 1) + (double) other.applyAsLong(m)) / 2;
  }

  /** The findings of one kind. */
  public List<Finding> findings(Kind kind) {
    return findings.stream().filter(f -> f.kind() == kind).toList();
  }

  @Override
  public String toString() {
    return "Diagnosis" + Arrays.toString(findings.toArray());
  }
}
