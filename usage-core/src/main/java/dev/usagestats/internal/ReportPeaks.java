package dev.usagestats.internal;

import dev.usagestats.GroupBy;
import dev.usagestats.PeakAccuracy;
import dev.usagestats.Peaks;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageQuery;
import dev.usagestats.spi.Measure;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The peak part of a {@link ReportAccumulator}: which members (series, or peak aggregates) feed
 * which targets (a group, the whole report), and each target's peaks per report bucket. Not
 * thread-safe; one per query, owned by its accumulator.
 *
 * <pre>
 * Design notes
 *
 * Members and targets. With no tenant or API key filter and a grouping by model or none, every
 * target is a union of whole models, so its peaks come from the peak aggregates (exact for one
 * member); otherwise from the series (the sum of their peaks: an upper bound). A target's peak in
 * a bucket is the sum over its members of each member's peak there, and, fed from aggregates, it
 * is known only if the aggregates' calls there equal the target's own.
 *
 * Priced reads. A priced report reads a finer plan (report buckets split at price changes), so a
 * member may come in several rows for one report bucket. Its peak in the report bucket is the
 * largest of its rows' (and its calls their sum): those are kept per member and report bucket, and
 * handed to the targets once, at finish(), so the sum over members is the same as for an unpriced
 * read of the same usage.
 * </pre>
 */
final class ReportPeaks {
  /**
   * Peaks of one target (a group, or the whole report) per report bucket: the sum of its members'
   * peaks (one member: exact), and, when fed from aggregates, their calls, which must equal the
   * target's calls for the peak to cover all of its usage.
   */
  static final class Cells {
    final long[] calls;
    final long[] tokens;
    final long[] aggregateCalls;
    @Nullable SeriesKey member;
    boolean severalMembers;

    Cells(int buckets) {
      calls = new long[buckets];
      tokens = new long[buckets];
      aggregateCalls = new long[buckets];
    }

    void add(SeriesKey key, int b, long memberCalls, long peakCalls, long peakTokens) {
      if (!severalMembers) {
        if (member == null) member = key;
        else if (!member.equals(key)) severalMembers = true;
      }
      calls[b] = sumPeak(calls[b], peakCalls);
      tokens[b] = sumPeak(tokens[b], peakTokens);
      aggregateCalls[b] = Math.addExact(aggregateCalls[b], memberCalls);
    }

    private static long sumPeak(long a, long b) {
      return a < 0 || b < 0 ? Measure.UNKNOWN : Math.addExact(a, b);
    }
  }

  private static final Cells[] NO_TARGETS = new Cells[0];

  private final GroupBy groupBy;
  private final Set<String> models;
  private final int buckets;

  /** Per read bucket, its report bucket; null when the read plan is the report's. */
  private final int @Nullable [] reportBucketOf;

  /** A group's cells, by a member's key: the accumulator's group lookup. */
  private final Function<SeriesKey, Cells> groupCells;

  /** Whether peaks come from the peak aggregates rather than from the series. */
  private final boolean fromAggregates;

  private final Cells overall;

  /**
   * With a finer read plan: per member, per report bucket {had a row, calls, peak calls, peak
   * tokens}, handed to the targets at {@link #finish}.
   */
  private final Map<SeriesKey, long[][]> members = new HashMap<>();

  /**
   * @param buckets the report's buckets
   * @param reportBucketOf per read bucket, its report bucket, or null if the read plan is the
   *     report's
   */
  ReportPeaks(
      UsageQuery query,
      int buckets,
      int @Nullable [] reportBucketOf,
      Function<SeriesKey, Cells> groupCells) {
    this.groupBy = query.groupBy();
    this.models = query.models();
    this.buckets = buckets;
    this.reportBucketOf = reportBucketOf;
    this.groupCells = groupCells;
    this.fromAggregates =
        query.tenant() == null
            && query.apiKeys().isEmpty()
            && (groupBy == GroupBy.MODEL || groupBy == GroupBy.NONE);
    this.overall = new Cells(buckets);
  }

  /** New cells for a group. */
  Cells newCells() {
    return new Cells(buckets);
  }

  /**
   * Whether the report needs every series apart to bound its peaks (a store must then not sum rows
   * across tenants or keys).
   */
  boolean needsSeriesPeaks() {
    return !fromAggregates;
  }

  /**
   * Whether a peak aggregate serves this report: a model's when the report's peaks come from
   * aggregates and the model is selected; all usage's when, besides, no model filter is set.
   */
  boolean wantsAggregate(SeriesKey key) {
    if (!fromAggregates || !Series.isAggregate(key)) return false;
    if (isAllAggregate(key)) return models.isEmpty();
    if (models.isEmpty()) return groupBy == GroupBy.MODEL;
    return models.contains(key.model());
  }

  private static boolean isAllAggregate(SeriesKey key) {
    return Checks.AGGREGATE.equals(key.model());
  }

  /**
   * Where a member's peaks go: for a peak aggregate, the groups and the report it covers exactly
   * (or as one of several models); for a series, its group and the report, unless the report's
   * peaks come from aggregates.
   */
  private Cells[] targets(SeriesKey key) {
    if (Series.isAggregate(key)) {
      if (!wantsAggregate(key)) return NO_TARGETS;
      if (isAllAggregate(key)) {
        // all usage: the report's peaks, and the one group's when not grouped
        return groupBy == GroupBy.NONE
            ? new Cells[] {overall, groupCells.apply(key)}
            : new Cells[] {overall};
      }
      if (models.isEmpty()) return new Cells[] {groupCells.apply(key)}; // grouped by model
      return new Cells[] {groupCells.apply(key), overall};
    }
    if (fromAggregates) return NO_TARGETS;
    return new Cells[] {groupCells.apply(key), overall};
  }

  /**
   * Adds one member's peaks in read bucket {@code b}: a series' (its calls are not used), or a peak
   * aggregate's with its calls there. Each (member, read bucket) is added once.
   */
  void add(SeriesKey key, int b, long calls, long peakCalls, long peakTokens) {
    if (reportBucketOf == null) {
      for (Cells t : targets(key)) t.add(key, b, calls, peakCalls, peakTokens);
      return;
    }
    if (Series.isAggregate(key) ? !wantsAggregate(key) : fromAggregates) return;
    long[][] m = members.computeIfAbsent(key, k -> new long[4][buckets]);
    int rb = reportBucketOf[b];
    m[0][rb] = 1;
    m[1][rb] = Math.addExact(m[1][rb], calls);
    m[2][rb] = maxPeak(m[2][rb], peakCalls);
    m[3][rb] = maxPeak(m[3][rb], peakTokens);
  }

  /**
   * Adds one member's peaks in every read bucket where {@code has[b] != 0}: {@code calls} per
   * bucket (a peak aggregate's; null for a series), {@code peakCalls} and {@code peakTokens} per
   * bucket.
   */
  void add(
      SeriesKey key, long[] has, long @Nullable [] calls, long[] peakCalls, long[] peakTokens) {
    if (reportBucketOf != null) {
      for (int b = 0; b < has.length; b++) {
        if (has[b] != 0) add(key, b, calls == null ? 0 : calls[b], peakCalls[b], peakTokens[b]);
      }
      return;
    }
    Cells[] targets = targets(key);
    if (targets.length == 0) return;
    for (int b = 0; b < has.length; b++) {
      if (has[b] == 0) continue;
      long c = calls == null ? 0 : calls[b];
      for (Cells t : targets) t.add(key, b, c, peakCalls[b], peakTokens[b]);
    }
  }

  /** Hands the members kept per report bucket (a finer read plan) to their targets. Once. */
  void finish() {
    for (Map.Entry<SeriesKey, long[][]> e : members.entrySet()) {
      long[][] m = e.getValue();
      Cells[] targets = targets(e.getKey());
      for (int rb = 0; rb < buckets; rb++) {
        if (m[0][rb] == 0) continue;
        for (Cells t : targets) t.add(e.getKey(), rb, m[1][rb], m[2][rb], m[3][rb]);
      }
    }
    members.clear();
  }

  private static long maxPeak(long a, long b) {
    return a < 0 || b < 0 ? Measure.UNKNOWN : Math.max(a, b);
  }

  /** Whether report bucket b's peak of {@code c} is unknown, given the target's calls there. */
  boolean unknown(Cells c, int b, long targetCalls) {
    if (c.calls[b] < 0 || c.tokens[b] < 0) return true;
    return fromAggregates && c.aggregateCalls[b] != targetCalls;
  }

  /** The report's cells. */
  Cells overall() {
    return overall;
  }

  /** A target's peaks over the range: the largest of its buckets', unknown if any bucket's is. */
  Peaks peaks(Cells c, long[] calls) {
    long maxCalls = 0;
    long maxTokens = 0;
    for (int i = 0; i < calls.length; i++) {
      if (unknown(c, i, calls[i])) return Peaks.unknown();
      maxCalls = Math.max(maxCalls, c.calls[i]);
      maxTokens = Math.max(maxTokens, c.tokens[i]);
    }
    PeakAccuracy accuracy = c.severalMembers ? PeakAccuracy.UPPER_BOUND : PeakAccuracy.EXACT;
    return new Peaks(maxCalls, maxTokens, accuracy);
  }
}
