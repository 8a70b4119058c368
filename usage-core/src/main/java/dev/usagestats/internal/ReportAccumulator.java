package dev.usagestats.internal;

import dev.usagestats.GroupBy;
import dev.usagestats.ModelShare;
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

    Group(GroupKey key, int buckets) {
      this.key = key;
      this.calls = new long[buckets];
      this.input = new long[buckets];
      this.output = new long[buckets];
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

  ReportAccumulator(BucketPlan plan, UsageQuery query) {
    this.plan = plan;
    this.query = query;
    this.groupBy = query.groupBy();
    this.tenant = query.tenant();
    this.apiKeys = query.apiKeys();
    this.models = query.models();
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
    for (int f = 0; f < Measure.COUNT; f++) {
      g.totals[f] = Math.addExact(g.totals[f], fields[f]);
      m[f] = Math.addExact(m[f], fields[f]);
      totals[f] = Math.addExact(totals[f], fields[f]);
    }
  }

  /** Adds one row: a series' counts in one bucket. */
  void addRow(SeriesKey key, int bucket, long[] fields) {
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
    for (Group g : groups.values()) {
      if (isEmpty(g.totals)) continue;
      List<TrendPoint> points = new ArrayList<>(plan.size());
      for (int i = 0; i < plan.size(); i++) {
        points.add(
            new TrendPoint(
                buckets.get(i),
                g.calls[i],
                g.input[i],
                g.output[i],
                view.of(g.input[i], g.output[i])));
      }
      series.add(new TrendSeries(g.key.apiKey(), g.key.model(), points));
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
        distribution);
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
