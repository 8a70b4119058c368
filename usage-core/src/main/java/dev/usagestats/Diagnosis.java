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
 * Thresholds#usageRatio()} times the group's median over its buckets with calls; it is <b>slow</b>
 * when its p95 duration reaches {@link Thresholds#latencyRatio()} times the median of the group's
 * bucket p95s (over buckets with at least {@link Thresholds#minCalls()} calls with latency, which a
 * slow bucket needs too). A bucket both spiking and slow is a {@link Kind#SPIKE_WITH_SLOWDOWN}, a
 * slow one without a spike a {@link Kind#SLOWDOWN}; a spike that kept its speed is no finding.
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
   * @param medianCalls the group's median calls over its buckets with calls
   * @param tokens the bucket's input plus output tokens
   * @param medianTokens the group's median tokens over its buckets with calls
   * @param p95Millis the bucket's p95 duration
   * @param medianP95Millis the median of the group's bucket p95s
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
      double medianCalls = median(points.stream().mapToLong(TrendPoint::calls).filter(c -> c > 0));
      double medianTokens =
          median(points.stream().filter(p -> p.calls() > 0).mapToLong(TrendPoint::totalTokens));
      double medianP95 =
          median(
              points.stream()
                  .filter(p -> p.latency().duration().count() >= t.minCalls())
                  .mapToLong(p -> p.latency().duration().p95Millis()));
      for (TrendPoint p : points) {
        if (p.calls() == 0) continue;
        boolean spike =
            p.calls() >= t.usageRatio() * medianCalls
                || (medianTokens > 0 && p.totalTokens() >= t.usageRatio() * medianTokens);
        LatencyStats d = p.latency().duration();
        boolean slow =
            !Double.isNaN(medianP95)
                && d.count() >= t.minCalls()
                && d.p95Millis() >= t.latencyRatio() * Math.max(medianP95, 1);
        if (!slow) continue;
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

  private static double median(java.util.stream.LongStream values) {
    long[] v = values.sorted().toArray();
    if (v.length == 0) return Double.NaN;
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + (double) v[m]) / 2;
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
