package dev.usagestats;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A period against the one before it, per model (or API key): calls, tokens and peak rates in each,
 * the change, the share of all usage, and a rank. Rows that had usage before and none now are
 * listed too, last: they are the ones to scale down. A plain function of two two-bucket {@link
 * UsageReport}s, one grouped and one not ({@link #of}); immutable.
 *
 * @param zone the zone the periods follow
 * @param previousFrom the previous period's first instant
 * @param currentFrom the current period's first instant (the previous period's end)
 * @param currentTo the current period's end, exclusive
 * @param groupBy what a row is: {@link GroupBy#MODEL} or {@link GroupBy#API_KEY}
 * @param previous totals of the previous period
 * @param current totals of the current period
 * @param rows ranked rows with usage in the current period (rank 1 = most tokens), then rows with
 *     usage only in the previous period (rank 0)
 * @param asOf when the report was made
 */
public record PlanningReport(
    ZoneId zone,
    Instant previousFrom,
    Instant currentFrom,
    Instant currentTo,
    GroupBy groupBy,
    PeriodUsage previous,
    PeriodUsage current,
    List<Row> rows,
    Instant asOf) {

  /** Copies the rows. */
  public PlanningReport {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(previousFrom, "previousFrom");
    Objects.requireNonNull(currentFrom, "currentFrom");
    Objects.requireNonNull(currentTo, "currentTo");
    Objects.requireNonNull(groupBy, "groupBy");
    Objects.requireNonNull(previous, "previous");
    Objects.requireNonNull(current, "current");
    rows = List.copyOf(rows);
    Objects.requireNonNull(asOf, "asOf");
  }

  /**
   * Usage in one period.
   *
   * @param calls invocations
   * @param tokens input plus output tokens
   * @param peaks the most calls and tokens in one UTC minute of the period, with their accuracy
   */
  public record PeriodUsage(long calls, long tokens, Peaks peaks) {
    /** Checks the fields. */
    public PeriodUsage {
      if (calls < 0) throw new IllegalArgumentException("calls must be >= 0: " + calls);
      if (tokens < 0) throw new IllegalArgumentException("tokens must be >= 0: " + tokens);
      Objects.requireNonNull(peaks, "peaks");
    }
  }

  /** Where a row stands between the two periods. */
  public enum Status {
    /** Usage now, none before. */
    NEW,
    /** Usage before and now. */
    ONGOING,
    /** Usage before, none now: a candidate to scale down. */
    GONE
  }

  /**
   * One model (or API key).
   *
   * @param name the model, or the API key id
   * @param previous its usage in the previous period
   * @param current its usage in the current period
   * @param tokensChange tokens now relative to before, minus one ({@code 0.25} = 25% more, {@code
   *     -1} = none now); null when there were none before
   * @param callsChange likewise for calls
   * @param tokenShare its part of all tokens in the current period, 0 to 1
   * @param rank 1 for the most tokens in the current period (ties by name); 0 for a GONE row
   * @param status new, ongoing or gone
   */
  public record Row(
      String name,
      PeriodUsage previous,
      PeriodUsage current,
      @Nullable Double tokensChange,
      @Nullable Double callsChange,
      double tokenShare,
      int rank,
      Status status) {
    /** Checks the fields. */
    public Row {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(previous, "previous");
      Objects.requireNonNull(current, "current");
      Objects.requireNonNull(status, "status");
    }
  }

  /** The rows whose usage stopped: candidates to scale down. */
  public List<Row> gone() {
    return rows.stream().filter(r -> r.status() == Status.GONE).toList();
  }

  /**
   * The plan from reports with exactly two buckets (previous period, current period): {@code
   * report} grouped by model or API key, as {@link PlanningQuery#toUsageQuery} asks for, and {@code
   * overall} the same query grouped by {@link GroupBy#NONE} (for each period's peaks of all usage,
   * exact without a tenant filter).
   *
   * @throws IllegalArgumentException if a report has not two buckets or another grouping
   */
  public static PlanningReport of(UsageReport report, UsageReport overall) {
    Objects.requireNonNull(report, "report");
    Objects.requireNonNull(overall, "overall");
    if (overall.groupBy() != GroupBy.NONE || !overall.buckets().equals(report.buckets())) {
      throw new IllegalArgumentException(
          "overall must be grouped by NONE with the same buckets: " + overall.groupBy());
    }
    if (report.buckets().size() != 2) {
      throw new IllegalArgumentException(
          "report must have 2 buckets (previous, current): " + report.buckets().size());
    }
    GroupBy g = report.groupBy();
    if (g != GroupBy.MODEL && g != GroupBy.API_KEY) {
      throw new IllegalArgumentException("report must be grouped by MODEL or API_KEY: " + g);
    }
    Map<String, PeriodUsage[]> byName = new LinkedHashMap<>();
    long[] calls = new long[2];
    long[] tokens = new long[2];
    for (TrendSeries s : report.series()) {
      String name = g == GroupBy.MODEL ? s.model() : s.apiKey();
      PeriodUsage[] u = new PeriodUsage[2];
      for (int i = 0; i < 2; i++) {
        TrendPoint p = s.points().get(i);
        u[i] = new PeriodUsage(p.calls(), p.totalTokens(), peaks(p, s.peaks().accuracy()));
        calls[i] = Math.addExact(calls[i], p.calls());
        tokens[i] = Math.addExact(tokens[i], p.totalTokens());
      }
      byName.put(Objects.requireNonNull(name, "name"), u);
    }
    List<Row> now = new ArrayList<>();
    List<Row> gone = new ArrayList<>();
    for (Map.Entry<String, PeriodUsage[]> e : byName.entrySet()) {
      PeriodUsage before = e.getValue()[0];
      PeriodUsage after = e.getValue()[1];
      if (before.calls() == 0 && after.calls() == 0) continue;
      Status status =
          before.calls() == 0 ? Status.NEW : after.calls() == 0 ? Status.GONE : Status.ONGOING;
      Row r =
          new Row(
              e.getKey(),
              before,
              after,
              change(before.tokens(), after.tokens()),
              change(before.calls(), after.calls()),
              tokens[1] == 0 ? 0.0 : (double) after.tokens() / tokens[1],
              0,
              status);
      (status == Status.GONE ? gone : now).add(r);
    }
    now.sort(Comparator.comparingLong((Row r) -> -r.current().tokens()).thenComparing(Row::name));
    gone.sort(Comparator.comparingLong((Row r) -> -r.previous().tokens()).thenComparing(Row::name));
    List<Row> rows = new ArrayList<>(now.size() + gone.size());
    for (int i = 0; i < now.size(); i++) {
      Row r = now.get(i);
      rows.add(
          new Row(
              r.name(),
              r.previous(),
              r.current(),
              r.tokensChange(),
              r.callsChange(),
              r.tokenShare(),
              i + 1,
              r.status()));
    }
    rows.addAll(gone);
    Peaks[] all = {Peaks.none(), Peaks.none()};
    for (TrendSeries s : overall.series()) {
      for (int i = 0; i < 2; i++) all[i] = peaks(s.points().get(i), s.peaks().accuracy());
    }
    return new PlanningReport(
        report.zone(),
        report.buckets().get(0),
        report.buckets().get(1),
        report.to(),
        g,
        new PeriodUsage(calls[0], tokens[0], all[0]),
        new PeriodUsage(calls[1], tokens[1], all[1]),
        rows,
        report.asOf());
  }

  /**
   * A period's peaks from its point; the series' accuracy, or, where the series' range is unknown
   * (the other period is) but this period is known, an upper bound, which an exact value also is.
   */
  private static Peaks peaks(TrendPoint p, PeakAccuracy accuracy) {
    if (p.peakCallsPerMinute() < 0 || p.peakTokensPerMinute() < 0) return Peaks.unknown();
    if (accuracy == PeakAccuracy.UNKNOWN) accuracy = PeakAccuracy.UPPER_BOUND;
    return new Peaks(p.peakCallsPerMinute(), p.peakTokensPerMinute(), accuracy);
  }

  private static @Nullable Double change(long before, long after) {
    return before == 0 ? null : (double) (after - before) / before;
  }
}
