package dev.usagestats.internal;

import dev.usagestats.GroupBy;
import dev.usagestats.ModelShare;
import dev.usagestats.PeakAccuracy;
import dev.usagestats.Peaks;
import dev.usagestats.SeriesKey;
import dev.usagestats.SeriesView;
import dev.usagestats.TrendPoint;
import dev.usagestats.TrendSeries;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageTotals;
import dev.usagestats.spi.Measure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Sums series into a report: per group a trend (calls, input, output per bucket), per model and
 * overall every {@link Measure}. Whatever the source (memory or store), a report is built here. Not
 * thread-safe; one per query.
 */
final class ReportAccumulator {
  private record GroupKey(@Nullable String apiKey, @Nullable String model) {}

  private static final class Group {
    final GroupKey key;
    final long[] calls;
    final long[] input;
    final long[] output;
    final long[] totals = new long[Measure.COUNT];
    final PeakCells peaks;

    Group(GroupKey key, int buckets) {
      this.key = key;
      this.calls = new long[buckets];
      this.input = new long[buckets];
      this.output = new long[buckets];
      this.peaks = new PeakCells(buckets);
    }
  }

  /**
   * Peaks of one target (a group, or the whole report) per bucket: the sum of its members' peaks
   * (one member: exact), and, when fed from aggregates, their calls, which must equal the target's
   * calls for the peak to cover all of its usage.
   */
  private static final class PeakCells {
    final long[] calls;
    final long[] tokens;
    final long[] aggregateCalls;
    @Nullable SeriesKey member;
    boolean severalMembers;

    PeakCells(int buckets) {
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

    /** Whether bucket b's peak is unknown, given the target's own calls there. */
    boolean unknown(int b, long targetCalls, boolean fromAggregates) {
      if (calls[b] < 0 || tokens[b] < 0) return true;
      return fromAggregates && aggregateCalls[b] != targetCalls;
    }

    private static long sumPeak(long a, long b) {
      return a < 0 || b < 0 ? Measure.UNKNOWN : Math.addExact(a, b);
    }
  }

  /**
   * The most trend cells (buckets x groups) a report may hold: 2,000,000, about 48 MB of counts.
   * Checked before a group's arrays are allocated.
   */
  static final long MAX_CELLS = 2_000_000;

  private final BucketPlan plan;
  private final UsageQuery query;
  private final GroupBy groupBy;
  private final @Nullable String tenant;
  private final Set<String> apiKeys;
  private final Set<String> models;
  private final Map<GroupKey, Group> groups = new HashMap<>();
  private final Map<String, long[]> modelTotals = new HashMap<>();
  private final long[] totals = new long[Measure.COUNT];

  /**
   * Whether peaks come from the peak aggregates (per model, and of all usage): with no tenant or
   * API key filter, every group by model or none is a union of whole models. Otherwise they come
   * from the series.
   */
  private final boolean fromAggregates;

  private final PeakCells overallPeaks;

  ReportAccumulator(BucketPlan plan, UsageQuery query) {
    this.plan = plan;
    this.query = query;
    this.groupBy = query.groupBy();
    this.tenant = query.tenant();
    this.apiKeys = query.apiKeys();
    this.models = query.models();
    this.fromAggregates =
        tenant == null
            && apiKeys.isEmpty()
            && (groupBy == GroupBy.MODEL || groupBy == GroupBy.NONE);
    this.overallPeaks = new PeakCells(plan.size());
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

  private static final PeakCells[] NO_TARGETS = new PeakCells[0];

  /**
   * Where a member's peaks go: for a peak aggregate, the groups and the report it covers exactly
   * (or as one of several models); for a series, its group and the report, unless the report's
   * peaks come from aggregates.
   */
  private PeakCells[] targets(SeriesKey key) {
    if (Series.isAggregate(key)) {
      if (!wantsAggregate(key)) return NO_TARGETS;
      if (isAllAggregate(key)) {
        // all usage: the report's peaks, and the one group's when not grouped
        return groupBy == GroupBy.NONE
            ? new PeakCells[] {overallPeaks, group(key).peaks}
            : new PeakCells[] {overallPeaks};
      }
      if (models.isEmpty()) return new PeakCells[] {group(key).peaks}; // grouped by model
      return new PeakCells[] {group(key).peaks, overallPeaks};
    }
    if (fromAggregates) return NO_TARGETS;
    return new PeakCells[] {group(key).peaks, overallPeaks};
  }

  /**
   * Adds one member's peaks in bucket {@code b}: a series' (its calls are not used), or a peak
   * aggregate's with its calls there. Each (member, bucket) is added once.
   */
  void addPeak(SeriesKey key, int b, long calls, long peakCalls, long peakTokens) {
    for (PeakCells t : targets(key)) t.add(key, b, calls, peakCalls, peakTokens);
  }

  /**
   * Adds one member's peaks in every bucket where {@code has[b] != 0}: {@code calls} per bucket (a
   * peak aggregate's; null for a series), {@code peakCalls} and {@code peakTokens} per bucket.
   */
  void addPeaks(
      SeriesKey key, long[] has, long @Nullable [] calls, long[] peakCalls, long[] peakTokens) {
    PeakCells[] targets = targets(key);
    if (targets.length == 0) return;
    for (int b = 0; b < has.length; b++) {
      if (has[b] == 0) continue;
      long c = calls == null ? 0 : calls[b];
      for (PeakCells t : targets) t.add(key, b, c, peakCalls[b], peakTokens[b]);
    }
  }

  BucketPlan plan() {
    return plan;
  }

  UsageQuery query() {
    return query;
  }

  boolean matches(SeriesKey key) {
    return (tenant == null || tenant.equals(key.tenant()))
        && (apiKeys.isEmpty() || apiKeys.contains(key.apiKey()))
        && (models.isEmpty() || models.contains(key.model()));
  }

  /**
   * Like {@link #matches}, for a store row that may be summed across tenants or keys: an empty part
   * (never a valid name) stands for "summed" and passes, as the store filtered before summing.
   * Checking the parts that are present keeps a store whose comparison is looser than Java's (a
   * collation that ignores trailing spaces, say) from adding another name's usage.
   */
  boolean matchesSummed(SeriesKey key) {
    return (tenant == null || key.tenant().isEmpty() || tenant.equals(key.tenant()))
        && (apiKeys.isEmpty() || key.apiKey().isEmpty() || apiKeys.contains(key.apiKey()))
        && (models.isEmpty() || models.contains(key.model()));
  }

  /** The per-bucket arrays of the series' group: {calls, input, output}. */
  long[][] trendOf(SeriesKey key) {
    Group g = group(key);
    return new long[][] {g.calls, g.input, g.output};
  }

  /** Adds one series' totals over the range (every measure) to its group, model and overall. */
  void addTotals(SeriesKey key, long[] fields) {
    Group g = group(key);
    long[] m = modelTotals.computeIfAbsent(key.model(), k -> new long[Measure.COUNT]);
    for (Measure measure : Measure.sums()) {
      int f = measure.ordinal();
      g.totals[f] = Math.addExact(g.totals[f], fields[f]);
      m[f] = Math.addExact(m[f], fields[f]);
      totals[f] = Math.addExact(totals[f], fields[f]);
    }
  }

  /**
   * Adds one row: a series' counts in one bucket, with its peaks there (a peak aggregate's row adds
   * peaks only). Each (series, bucket) is added once.
   */
  void addRow(SeriesKey key, int bucket, long[] fields) {
    addPeak(
        key,
        bucket,
        fields[Series.CALLS],
        fields[Measure.PEAK_CALLS_PER_MINUTE.ordinal()],
        fields[Measure.PEAK_TOKENS_PER_MINUTE.ordinal()]);
    if (Series.isAggregate(key)) return;
    Group g = group(key);
    g.calls[bucket] = Math.addExact(g.calls[bucket], fields[Series.CALLS]);
    g.input[bucket] = Math.addExact(g.input[bucket], fields[Series.INPUT]);
    g.output[bucket] = Math.addExact(g.output[bucket], fields[Series.OUTPUT]);
    addTotals(key, fields);
  }

  private Group group(SeriesKey key) {
    GroupKey gk =
        switch (groupBy) {
          case MODEL -> new GroupKey(null, key.model());
          case API_KEY -> new GroupKey(key.apiKey(), null);
          case API_KEY_AND_MODEL -> new GroupKey(key.apiKey(), key.model());
          case NONE -> new GroupKey(null, null);
        };
    Group g = groups.get(gk);
    if (g != null) return g;
    long cells = (long) (groups.size() + 1) * plan.size();
    if (cells > MAX_CELLS) {
      throw new IllegalArgumentException(
          "report must hold at most "
              + MAX_CELLS
              + " buckets x groups: "
              + plan.size()
              + " "
              + plan.granularity
              + " buckets x more than "
              + groups.size()
              + " groups by "
              + groupBy
              + "; choose a coarser granularity, a shorter range, fewer filters' values or another"
              + " grouping");
    }
    g = new Group(gk, plan.size());
    groups.put(gk, g);
    return g;
  }

  UsageReport build(UsageQuery query, Instant asOf) {
    SeriesView view = query.view();
    List<Instant> buckets = new ArrayList<>(plan.size());
    for (int i = 0; i < plan.size(); i++) buckets.add(Instant.ofEpochMilli(plan.bounds[i]));

    List<TrendSeries> series = new ArrayList<>();
    long[] allCalls = new long[plan.size()];
    for (Group g : groups.values()) {
      if (isEmpty(g.totals)) continue;
      for (int i = 0; i < plan.size(); i++) allCalls[i] += g.calls[i];
      PeakCells pc = g.peaks;
      List<TrendPoint> points = new ArrayList<>(plan.size());
      for (int i = 0; i < plan.size(); i++) {
        boolean unknown = pc.unknown(i, g.calls[i], fromAggregates);
        long peakCalls = unknown ? Measure.UNKNOWN : pc.calls[i];
        long peakTokens = unknown ? Measure.UNKNOWN : pc.tokens[i];
        points.add(
            new TrendPoint(
                buckets.get(i),
                g.calls[i],
                g.input[i],
                g.output[i],
                view.of(g.input[i], g.output[i], peakCalls, peakTokens),
                peakCalls,
                peakTokens));
      }
      series.add(new TrendSeries(g.key.apiKey(), g.key.model(), points, peaks(pc, g.calls)));
    }
    series.sort(
        Comparator.comparing((TrendSeries s) -> s.apiKey() == null ? "" : s.apiKey())
            .thenComparing(s -> s.model() == null ? "" : s.model()));

    UsageTotals all = totalsOf(totals);
    List<ModelShare> distribution = new ArrayList<>();
    for (Map.Entry<String, long[]> e : modelTotals.entrySet()) {
      if (isEmpty(e.getValue())) continue;
      UsageTotals t = totalsOf(e.getValue());
      distribution.add(
          new ModelShare(
              e.getKey(),
              t,
              share(t.totalTokens(), all.totalTokens()),
              share(t.calls(), all.calls())));
    }
    distribution.sort(
        Comparator.comparingLong((ModelShare m) -> -m.totals().totalTokens())
            .thenComparing(ModelShare::model));

    return new UsageReport(
        Instant.ofEpochMilli(plan.from()),
        Instant.ofEpochMilli(plan.to()),
        plan.zone,
        plan.granularity,
        groupBy,
        view,
        asOf,
        all,
        buckets,
        series,
        distribution,
        peaks(overallPeaks, allCalls));
  }

  /** A target's peaks over the range: the largest of its buckets', unknown if any bucket is. */
  private Peaks peaks(PeakCells pc, long[] calls) {
    long maxCalls = 0;
    long maxTokens = 0;
    for (int i = 0; i < calls.length; i++) {
      if (pc.unknown(i, calls[i], fromAggregates)) return Peaks.unknown();
      maxCalls = Math.max(maxCalls, pc.calls[i]);
      maxTokens = Math.max(maxTokens, pc.tokens[i]);
    }
    PeakAccuracy accuracy = pc.severalMembers ? PeakAccuracy.UPPER_BOUND : PeakAccuracy.EXACT;
    return new Peaks(maxCalls, maxTokens, accuracy);
  }

  static double share(long part, long whole) {
    return whole == 0 ? 0.0 : (double) part / (double) whole;
  }

  private static boolean isEmpty(long[] counts) {
    return Measure.isZero(counts);
  }

  private static UsageTotals totalsOf(long[] counts) {
    return Measure.totals(counts);
  }
}
