package dev.usagestats.internal;

import dev.usagestats.CostLine;
import dev.usagestats.CostReport;
import dev.usagestats.GroupBy;
import dev.usagestats.LatencySummary;
import dev.usagestats.LatencyTotals;
import dev.usagestats.ModelShare;
import dev.usagestats.PriceBook;
import dev.usagestats.PriceVersion;
import dev.usagestats.SeriesKey;
import dev.usagestats.SeriesView;
import dev.usagestats.TrendPoint;
import dev.usagestats.TrendSeries;
import dev.usagestats.UnpricedUsage;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageTotals;
import dev.usagestats.spi.Measure;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Sums series into a report: per group a trend (calls, input, output per bucket), per model and
 * overall every {@link Measure}. Whatever the source (memory or store), a report is built here. Not
 * thread-safe; one per query.
 *
 * <pre>
 * Pricing
 *
 * With a price book, backends read a finer plan (the report's bounds split at every price change
 * inside the range; all on 15-minute steps, which memory and stores read exactly), so one price
 * applies to each read bucket: the one in force at its start, the tenant's first. Each row (a
 * series' counts in one read bucket) adds its counts, never a cost, to its series' line for that
 * price version and to its group's cell for (report bucket, version); cost is linear in the counts
 * and exact in BigDecimal, so pricing these sums once in build() equals pricing every slot. Rows
 * no price applies to are summed per series as unpriced, with the reason.
 * </pre>
 */
final class ReportAccumulator {
  private record GroupKey(@Nullable String apiKey, @Nullable String model) {}

  private record TenantModel(String tenant, String model) {}

  /**
   * How a tenant's use of a model is priced: its entry (or why none), and the version per read
   * bucket. Shared by the series of that tenant and model.
   */
  private static final class Resolution {
    final @Nullable String entry;
    final @Nullable String reason;
    final int[] versionOf; // per read bucket: a version id, -1 for none, -2 not looked up yet

    Resolution(@Nullable String entry, @Nullable String reason, int buckets) {
      this.entry = entry;
      this.reason = reason;
      this.versionOf = new int[buckets];
      java.util.Arrays.fill(versionOf, -2);
    }
  }

  /**
   * One series of a priced report: where its rows go (its group, its model's totals, its
   * resolution), and its counts per version (its cost lines) and unpriced.
   */
  private static final class Pricing {
    final Group group;
    final long[] modelTotals;
    final Resolution resolution;
    long[][] byVersion = new long[4][];
    long @Nullable [] unpriced;

    Pricing(Group group, long[] modelTotals, Resolution resolution) {
      this.group = group;
      this.modelTotals = modelTotals;
      this.resolution = resolution;
    }
  }

  /** {@code table}, or a longer copy of it, with a slot for version id {@code v}. */
  private static long[][] withRoom(long[][] table, int v) {
    return v < table.length
        ? table
        : java.util.Arrays.copyOf(table, Math.max(table.length * 2, v + 1));
  }

  /** The counts of version id {@code v} in {@code table}, created if none. */
  private static long[] cell(long[][] table, int v) {
    long[] c = table[v];
    if (c == null) {
      c = new long[Measure.COUNT];
      table[v] = c;
    }
    return c;
  }

  private static final class Group {
    final GroupKey key;
    final long[] calls;
    final long[] input;
    final long[] output;
    final long[] totals = new long[Measure.COUNT];
    final ReportPeaks.Cells peaks;
    final ReportLatency.Cells latency;

    /** When priced: per report bucket, counts per version id (null until used). */
    long[][] @Nullable [] priced;

    boolean anyPriced;

    Group(GroupKey key, int buckets, ReportPeaks.Cells peaks, ReportLatency.Cells latency) {
      this.key = key;
      this.latency = latency;
      this.calls = new long[buckets];
      this.input = new long[buckets];
      this.output = new long[buckets];
      this.peaks = peaks;
    }
  }

  /**
   * The most trend cells (buckets x groups) a report may hold: 2,000,000, about 48 MB of counts.
   * Checked before a group's arrays are allocated.
   */
  static final long MAX_CELLS = 2_000_000;

  private static final Comparator<SeriesKey> SERIES_ORDER =
      Comparator.comparing(SeriesKey::tenant)
          .thenComparing(SeriesKey::apiKey)
          .thenComparing(SeriesKey::model);

  private static final Comparator<CostLine> VERSION_ORDER =
      Comparator.comparing((CostLine l) -> l.version().effectiveFrom())
          .thenComparing(l -> l.version().tenant() == null ? "" : l.version().tenant());

  private final BucketPlan plan;
  private final BucketPlan reportPlan;
  private final int[] reportBucketOf;

  private final @Nullable PriceBook book;
  private final Map<SeriesKey, Pricing> pricing = new HashMap<>();
  private final Map<TenantModel, Resolution> resolutions = new HashMap<>();
  private final Map<PriceVersion, Integer> versionIds = new IdentityHashMap<>();
  private final List<PriceVersion> versions = new ArrayList<>();
  private final List<Pricer> pricers = new ArrayList<>();
  private final UsageQuery query;
  private final GroupBy groupBy;
  private final @Nullable String tenant;
  private final Set<String> apiKeys;
  private final Set<String> models;
  private final Map<GroupKey, Group> groups = new HashMap<>();
  private final Map<String, long[]> modelTotals = new HashMap<>();
  private final long[] totals = new long[Measure.COUNT];

  /** The peaks: which members feed which groups, and each group's and the report's peaks. */
  private final ReportPeaks peaks;

  private final ReportLatency latency;

  /**
   * From when the source holds every row, if the range starts earlier (epoch millis), else null.
   */
  private @Nullable Long incompleteBefore;

  ReportAccumulator(BucketPlan plan, UsageQuery query) {
    this(plan, query, null);
  }

  /**
   * An accumulator for a report over {@code reportPlan}, priced with {@code book} if not null: then
   * backends read {@code reportPlan} split at the book's changes.
   */
  ReportAccumulator(BucketPlan reportPlan, UsageQuery query, @Nullable PriceBook book) {
    this.reportPlan = reportPlan;
    this.book = book;
    if (book != null) {
      long[] changes = new long[book.changes().size()];
      for (int i = 0; i < changes.length; i++) changes[i] = book.changes().get(i).toEpochMilli();
      this.plan = reportPlan.refine(changes);
    } else {
      this.plan = reportPlan;
    }
    this.reportBucketOf = new int[plan.size()];
    for (int i = 0; i < plan.size(); i++) reportBucketOf[i] = reportPlan.bucketOf(plan.bounds[i]);
    this.query = query;
    this.groupBy = query.groupBy();
    this.tenant = query.tenant();
    this.apiKeys = query.apiKeys();
    this.models = query.models();
    this.peaks =
        new ReportPeaks(
            query,
            reportPlan.size(),
            plan == reportPlan ? null : reportBucketOf,
            key -> group(key).peaks);
    this.latency = new ReportLatency(reportPlan.size());
  }

  /** Adds a series' latency in read bucket {@code bucket}: a memory slot ({@link LatencySlots}). */
  void addLatency(SeriesKey key, int bucket, byte[] slot) {
    latency.add(group(key).latency, reportBucketOf[bucket], slot);
  }

  /** Adds a series' merged latency in read bucket {@code bucket} (a store or pending row). */
  void addLatency(SeriesKey key, int bucket, LatencyTotals l) {
    if (l.isEmpty() && l.streamedOutputTokens() == 0) return;
    latency.add(group(key).latency, reportBucketOf[bucket], l);
  }

  /**
   * Whether the report needs every series apart to bound its peaks (a store must then not sum rows
   * across tenants or keys).
   */
  boolean needsSeriesPeaks() {
    return peaks.needsSeriesPeaks();
  }

  /**
   * Whether a peak aggregate serves this report: a model's when the report's peaks come from
   * aggregates and the model is selected; all usage's when, besides, no model filter is set.
   */
  boolean wantsAggregate(SeriesKey key) {
    return peaks.wantsAggregate(key);
  }

  /**
   * Adds one member's peaks in read bucket {@code b}: a series' (its calls are not used), or a peak
   * aggregate's with its calls there. Each (member, read bucket) is added once.
   */
  void addPeak(SeriesKey key, int b, long calls, long peakCalls, long peakTokens) {
    peaks.add(key, b, calls, peakCalls, peakTokens);
  }

  /**
   * Adds one member's peaks in every read bucket where {@code has[b] != 0}: {@code calls} per
   * bucket (a peak aggregate's; null for a series), {@code peakCalls} and {@code peakTokens} per
   * bucket.
   */
  void addPeaks(
      SeriesKey key, long[] has, long @Nullable [] calls, long[] peakCalls, long[] peakTokens) {
    peaks.add(key, has, calls, peakCalls, peakTokens);
  }

  /**
   * Tells the report from when its source holds every row ({@code keptFromMillis}, epoch millis): a
   * range that starts earlier is flagged ({@link UsageReport#incompleteBefore()}), with the latest
   * such instant of all sources.
   */
  void keptFrom(long keptFromMillis) {
    if (reportPlan.from() >= keptFromMillis) return;
    if (incompleteBefore == null || incompleteBefore < keptFromMillis) {
      incompleteBefore = keptFromMillis;
    }
  }

  /** The plan backends read: the report's, split at price changes when priced. */
  BucketPlan plan() {
    return plan;
  }

  /** Whether a price book prices this report. */
  boolean priced() {
    return book != null;
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

  /**
   * The per-bucket arrays of the series' group: {calls, input, output}. Only for an unpriced
   * report, whose read plan is the report's plan.
   */
  long[][] trendOf(SeriesKey key) {
    if (book != null) throw new IllegalStateException("a priced report takes rows: addRow");
    Group g = group(key);
    return new long[][] {g.calls, g.input, g.output};
  }

  /** Adds one series' totals over the range (every measure) to its group, model and overall. */
  void addTotals(SeriesKey key, long[] fields) {
    addTotals(group(key), key, fields);
  }

  private void addTotals(Group g, SeriesKey key, long[] fields) {
    addTotals(g, modelTotals.computeIfAbsent(key.model(), k -> new long[Measure.COUNT]), fields);
  }

  private void addTotals(Group g, long[] m, long[] fields) {
    for (Measure measure : Measure.sums()) {
      int f = measure.ordinal();
      g.totals[f] = Math.addExact(g.totals[f], fields[f]);
      m[f] = Math.addExact(m[f], fields[f]);
      totals[f] = Math.addExact(totals[f], fields[f]);
    }
  }

  /**
   * Adds one row: a series' counts in one bucket of the read plan, with its peaks there (a peak
   * aggregate's row adds peaks only). Each (series, read bucket) is added once.
   */
  void addRow(SeriesKey key, int bucket, long[] fields) {
    addPeak(
        key,
        bucket,
        fields[Series.CALLS],
        fields[Measure.PEAK_CALLS_PER_MINUTE.ordinal()],
        fields[Measure.PEAK_TOKENS_PER_MINUTE.ordinal()]);
    if (Series.isAggregate(key)) return;
    Pricing p = null;
    Group g;
    if (book != null) {
      // One lookup per row: the series' pricing holds its group and its model's totals.
      p = pricing.get(key);
      if (p == null) {
        p = pricingOf(key);
        pricing.put(key, p);
      }
      g = p.group;
    } else {
      g = group(key);
    }
    int rb = reportBucketOf[bucket];
    g.calls[rb] = Math.addExact(g.calls[rb], fields[Series.CALLS]);
    g.input[rb] = Math.addExact(g.input[rb], fields[Series.INPUT]);
    g.output[rb] = Math.addExact(g.output[rb], fields[Series.OUTPUT]);
    if (p == null) {
      addTotals(g, key, fields);
    } else {
      addTotals(g, p.modelTotals, fields);
      price(p, key, bucket, rb, fields);
    }
  }

  private void price(Pricing p, SeriesKey key, int bucket, int rb, long[] fields) {
    Group g = p.group;
    Resolution r = p.resolution;
    int v = r.versionOf[bucket];
    if (v == -2) {
      v = -1;
      if (r.entry != null) {
        PriceVersion found =
            book.priceAt(key.tenant(), r.entry, Instant.ofEpochMilli(plan.bounds[bucket]));
        if (found != null) v = versionId(found);
      }
      r.versionOf[bucket] = v;
    }
    if (v < 0) {
      if (p.unpriced == null) p.unpriced = new long[Measure.COUNT];
      Measure.add(p.unpriced, fields);
      return;
    }
    p.byVersion = withRoom(p.byVersion, v);
    Measure.add(cell(p.byVersion, v), fields);
    if (g.priced == null) g.priced = new long[reportPlan.size()][][];
    long[][] row = g.priced[rb];
    row = withRoom(row == null ? new long[versions.size()][] : row, v);
    g.priced[rb] = row;
    Measure.add(cell(row, v), fields);
    g.anyPriced = true;
  }

  private Pricing pricingOf(SeriesKey key) {
    Resolution r =
        resolutions.computeIfAbsent(
            new TenantModel(key.tenant(), key.model()), k -> resolutionOf(k.model()));
    return new Pricing(
        group(key), modelTotals.computeIfAbsent(key.model(), k -> new long[Measure.COUNT]), r);
  }

  private Resolution resolutionOf(String model) {
    try {
      String entry = book.entryFor(model).orElse(null);
      return new Resolution(
          entry, entry == null ? "no price entry for model " + model : null, plan.size());
    } catch (IllegalArgumentException e) {
      return new Resolution(null, e.getMessage(), plan.size());
    }
  }

  private int versionId(PriceVersion v) {
    Integer id = versionIds.get(v);
    if (id == null) {
      id = versions.size();
      versions.add(v);
      pricers.add(new Pricer(v.price()));
      versionIds.put(v, id);
    }
    return id;
  }

  /**
   * The last key {@link #group} was asked for, and its group: a read asks for one series' thrice.
   */
  private @Nullable SeriesKey lastKey;

  private @Nullable Group lastGroup;

  private Group group(SeriesKey key) {
    if (key == lastKey) return lastGroup;
    Group g = findGroup(key);
    lastKey = key;
    lastGroup = g;
    return g;
  }

  private Group findGroup(SeriesKey key) {
    GroupKey gk =
        switch (groupBy) {
          case MODEL -> new GroupKey(null, key.model());
          case API_KEY -> new GroupKey(key.apiKey(), null);
          case API_KEY_AND_MODEL -> new GroupKey(key.apiKey(), key.model());
          case NONE -> new GroupKey(null, null);
        };
    Group g = groups.get(gk);
    if (g != null) return g;
    long cells = (long) (groups.size() + 1) * reportPlan.size();
    if (cells > MAX_CELLS) {
      throw new IllegalArgumentException(
          "report must hold at most "
              + MAX_CELLS
              + " buckets x groups: "
              + reportPlan.size()
              + " "
              + reportPlan.granularity
              + " buckets x more than "
              + groups.size()
              + " groups by "
              + groupBy
              + "; choose a coarser granularity, a shorter range, fewer filters' values or another"
              + " grouping");
    }
    g = new Group(gk, reportPlan.size(), peaks.newCells(), latency.newCells());
    groups.put(gk, g);
    return g;
  }

  UsageReport build(UsageQuery query, Instant asOf) {
    peaks.finish();
    SeriesView view = query.view();
    int n = reportPlan.size();
    List<Instant> buckets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) buckets.add(Instant.ofEpochMilli(reportPlan.bounds[i]));

    // Price each distinct (series, version) and (group, bucket, version) sum once.
    BigDecimal[] versionCost = null;
    List<CostLine> costLines = new ArrayList<>();
    Map<String, BigDecimal> modelCost = new HashMap<>();
    BigDecimal totalCost = BigDecimal.ZERO;
    BigDecimal[] bucketCost = null;
    if (book != null) {
      bucketCost = new BigDecimal[n];
      java.util.Arrays.fill(bucketCost, BigDecimal.ZERO);
      // Lines by tenant, key, model (the series, sorted once), then effective-from.
      List<SeriesKey> keys = new ArrayList<>(pricing.keySet());
      keys.sort(SERIES_ORDER);
      List<CostLine> ofSeries = new ArrayList<>();
      for (SeriesKey k : keys) {
        long[][] byVersion = pricing.get(k).byVersion;
        ofSeries.clear();
        for (int id = 0; id < byVersion.length; id++) {
          if (byVersion[id] == null) continue;
          PriceVersion v = versions.get(id);
          UsageTotals t = totalsOf(byVersion[id]);
          BigDecimal cost = plain(pricers.get(id).cost(byVersion[id]));
          ofSeries.add(new CostLine(k.tenant(), k.apiKey(), k.model(), v, t, cost));
          modelCost.merge(k.model(), cost, BigDecimal::add);
          totalCost = totalCost.add(cost);
        }
        if (ofSeries.size() > 1) ofSeries.sort(VERSION_ORDER);
        costLines.addAll(ofSeries);
      }
    }

    List<TrendSeries> series = new ArrayList<>();
    long[] allCalls = new long[n];
    LatencyTotals allLatency = LatencyTotals.empty();
    for (Group g : groups.values()) {
      if (isEmpty(g.totals)) continue;
      LatencyTotals groupLatency = g.latency.total();
      allLatency = allLatency.plus(groupLatency);
      for (int i = 0; i < n; i++) allCalls[i] += g.calls[i];
      ReportPeaks.Cells pc = g.peaks;
      BigDecimal[] costs = null;
      if (g.anyPriced) {
        costs = new BigDecimal[n];
        java.util.Arrays.fill(costs, BigDecimal.ZERO);
        for (int rb = 0; rb < n; rb++) {
          long[][] row = g.priced[rb];
          if (row == null) continue;
          for (int id = 0; id < row.length; id++) {
            if (row[id] == null) continue;
            BigDecimal cost = pricers.get(id).cost(row[id]);
            costs[rb] = costs[rb].add(cost);
            bucketCost[rb] = bucketCost[rb].add(cost);
          }
        }
      }
      List<TrendPoint> points = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        boolean unknown = peaks.unknown(pc, i, g.calls[i]);
        long peakCalls = unknown ? Measure.UNKNOWN : pc.calls[i];
        long peakTokens = unknown ? Measure.UNKNOWN : pc.tokens[i];
        BigDecimal cost = costs == null ? null : plain(costs[i]);
        LatencySummary lat = g.latency.summary(i);
        long value =
            view == SeriesView.COST
                ? minorUnits(cost)
                : view.isLatency()
                    ? view.of(lat)
                    : view.of(g.input[i], g.output[i], peakCalls, peakTokens);
        points.add(
            new TrendPoint(
                buckets.get(i),
                g.calls[i],
                g.input[i],
                g.output[i],
                value,
                peakCalls,
                peakTokens,
                cost,
                lat));
      }
      series.add(
          new TrendSeries(
              g.key.apiKey(), g.key.model(), points, peaks.peaks(pc, g.calls), groupLatency));
    }
    series.sort(
        Comparator.comparing((TrendSeries s) -> s.apiKey() == null ? "" : s.apiKey())
            .thenComparing(s -> s.model() == null ? "" : s.model()));

    UsageTotals all = totalsOf(totals);
    List<ModelShare> distribution = new ArrayList<>();
    for (Map.Entry<String, long[]> e : modelTotals.entrySet()) {
      if (isEmpty(e.getValue())) continue;
      UsageTotals t = totalsOf(e.getValue());
      BigDecimal cost = modelCost.get(e.getKey());
      distribution.add(
          new ModelShare(
              e.getKey(),
              t,
              share(t.totalTokens(), all.totalTokens()),
              share(t.calls(), all.calls()),
              cost == null ? null : plain(cost),
              cost == null ? 0.0 : share(cost, totalCost)));
    }
    distribution.sort(
        Comparator.comparingLong((ModelShare m) -> -m.totals().totalTokens())
            .thenComparing(ModelShare::model));

    CostReport cost = null;
    if (book != null) {
      List<UnpricedUsage> unpricedUsage = new ArrayList<>();
      for (Map.Entry<SeriesKey, Pricing> e : pricing.entrySet()) {
        SeriesKey k = e.getKey();
        Pricing p = e.getValue();
        if (p.unpriced == null) continue;
        String reason =
            p.resolution.reason != null
                ? p.resolution.reason
                : "no price of "
                    + p.resolution.entry
                    + " in force for tenant "
                    + k.tenant()
                    + " yet";
        unpricedUsage.add(
            new UnpricedUsage(k.tenant(), k.apiKey(), k.model(), totalsOf(p.unpriced), reason));
      }
      unpricedUsage.sort(
          Comparator.comparing(UnpricedUsage::tenant)
              .thenComparing(UnpricedUsage::apiKey)
              .thenComparing(UnpricedUsage::model));
      cost =
          new CostReport(
              book.currency(),
              plain(totalCost),
              java.util.Arrays.stream(bucketCost).map(ReportAccumulator::plain).toList(),
              costLines,
              unpricedUsage);
    }

    return new UsageReport(
        Instant.ofEpochMilli(reportPlan.from()),
        Instant.ofEpochMilli(reportPlan.to()),
        reportPlan.zone,
        reportPlan.granularity,
        groupBy,
        view,
        asOf,
        all,
        buckets,
        series,
        distribution,
        peaks.peaks(peaks.overall(), allCalls),
        cost,
        allLatency,
        incompleteBefore == null ? null : Instant.ofEpochMilli(incompleteBefore));
  }

  /** An amount without trailing zeros (0.0075, not 0.0075000): the same value, shown plainly. */
  private static BigDecimal plain(BigDecimal amount) {
    if (amount.signum() == 0) return BigDecimal.ZERO;
    BigDecimal s = amount.stripTrailingZeros();
    return s.scale() < 0 ? s.setScale(0) : s;
  }

  /** The view value of a cost: its displayed amount in minor units (0 when unpriced). */
  private long minorUnits(@Nullable BigDecimal cost) {
    if (cost == null) return 0;
    return CostReport.display(cost, book.currency()).unscaledValue().longValueExact();
  }

  /** {@code part / whole} as a double, 0 when the whole is 0; computed one way everywhere. */
  static double share(BigDecimal part, BigDecimal whole) {
    return whole.signum() == 0 ? 0.0 : part.divide(whole, MathContext.DECIMAL64).doubleValue();
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
