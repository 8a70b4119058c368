package dev.usagestats;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The naive model every report is checked against: a plain list of events, bucketed by asking
 * java.time about each 15-minute instant, summed in the most obvious way. Slow on purpose.
 */
final class ReferenceModel {
  private final List<UsageEvent> events = new ArrayList<>();

  List<UsageEvent> events() {
    return events;
  }

  void add(UsageEvent e) {
    events.add(e);
  }

  /**
   * Bucket starts of {@code [from, to)} widened to whole buckets. An instant on the 15-minute grid
   * starts a bucket if the local calendar says so: a new local hour, a new offset, a new date, a
   * Monday, a first of the month. Every real offset is a multiple of 15 minutes, so the grid holds
   * every such instant.
   */
  static List<Instant> bounds(Instant from, Instant to, ZoneId zone, Granularity g) {
    long step = g == Granularity.MINUTE ? 60_000L : 900_000L;
    long t = Math.floorDiv(from.toEpochMilli(), step) * step;
    while (!isStart(t, zone, g)) t -= step;
    List<Instant> out = new ArrayList<>();
    out.add(Instant.ofEpochMilli(t));
    do {
      t += step;
      while (!isStart(t, zone, g)) t += step;
      out.add(Instant.ofEpochMilli(t));
    } while (t < to.toEpochMilli());
    return out;
  }

  private static boolean isStart(long t, ZoneId zone, Granularity g) {
    Instant now = Instant.ofEpochMilli(t);
    Instant before = now.minusMillis(1);
    LocalDateTime here = LocalDateTime.ofInstant(now, zone);
    LocalDateTime prev = LocalDateTime.ofInstant(before, zone);
    boolean newDate = !here.toLocalDate().equals(prev.toLocalDate());
    return switch (g) {
      case MINUTE -> true;
      case HOUR ->
          here.getMinute() == 0
              || !zone.getRules().getOffset(now).equals(zone.getRules().getOffset(before));
      case DAY -> newDate;
      case WEEK -> newDate && here.getDayOfWeek() == DayOfWeek.MONDAY;
      case MONTH -> newDate && here.getDayOfMonth() == 1;
      case AUTO -> throw new IllegalArgumentException("AUTO");
    };
  }

  /** What the report for {@code q} must say, with {@code g} already resolved. */
  Expected expect(UsageQuery q, Instant from, Instant to, Granularity g) {
    return expect(q, from, to, g, null);
  }

  /**
   * What the report for {@code q} must say, priced with {@code prices} if not null: each event at
   * the price in force at its own time (prices change on 15-minute boundaries, so that is the price
   * of its slot), the tenant's negotiated price first.
   */
  Expected expect(UsageQuery q, Instant from, Instant to, Granularity g, ReferencePrices prices) {
    List<Instant> bounds = bounds(from, to, q.zone(), g);
    List<Instant> starts = bounds.subList(0, bounds.size() - 1);
    Instant first = bounds.get(0);
    Instant end = bounds.get(bounds.size() - 1);
    UsageTotals total = UsageTotals.empty();
    Map<String, UsageTotals> byModel = new TreeMap<>();
    Map<List<String>, long[][]> groups = new LinkedHashMap<>();
    Map<List<String>, BigDecimal[]> groupCost = new LinkedHashMap<>();
    Map<String, BigDecimal> modelCost = new TreeMap<>();
    Map<String, UsageTotals> unpricedByModel = new TreeMap<>();
    BigDecimal totalCost = BigDecimal.ZERO;
    BigDecimal[] bucketCost = new BigDecimal[starts.size()];
    java.util.Arrays.fill(bucketCost, BigDecimal.ZERO);
    for (UsageEvent e : events) {
      if (e.timestamp().isBefore(first) || !e.timestamp().isBefore(end)) continue;
      if (q.tenant() != null && !q.tenant().equals(e.tenant())) continue;
      if (!q.apiKeys().isEmpty() && !q.apiKeys().contains(e.apiKey())) continue;
      if (!q.models().isEmpty() && !q.models().contains(e.model())) continue;
      UsageTotals t =
          new UsageTotals(
              1,
              e.outcome() == Outcome.ERROR ? 1 : 0,
              e.inputTokens(),
              e.outputTokens(),
              e.cachedInputTokens(),
              e.cacheCreationInputTokens(),
              e.reasoningTokens());
      total = total.plus(t);
      byModel.merge(e.model(), t, UsageTotals::plus);
      int bucket = -1;
      for (int i = 0; i < starts.size(); i++) {
        if (!e.timestamp().isBefore(bounds.get(i)) && e.timestamp().isBefore(bounds.get(i + 1))) {
          bucket = i;
        }
      }
      String apiKey =
          q.groupBy() == GroupBy.API_KEY || q.groupBy() == GroupBy.API_KEY_AND_MODEL
              ? e.apiKey()
              : null;
      String model =
          q.groupBy() == GroupBy.MODEL || q.groupBy() == GroupBy.API_KEY_AND_MODEL
              ? e.model()
              : null;
      long[][] g3 =
          groups.computeIfAbsent(
              java.util.Arrays.asList(apiKey, model), k -> new long[3][starts.size()]);
      g3[0][bucket] += 1;
      g3[1][bucket] += e.inputTokens();
      g3[2][bucket] += e.outputTokens();
      if (prices != null) {
        ModelPrice p = prices.priceOf(e.tenant(), e.model(), e.timestamp());
        if (p == null) {
          unpricedByModel.merge(e.model(), t, UsageTotals::plus);
        } else {
          BigDecimal c = ReferencePrices.cost(e, p);
          totalCost = totalCost.add(c);
          modelCost.merge(e.model(), c, BigDecimal::add);
          bucketCost[bucket] = bucketCost[bucket].add(c);
          BigDecimal[] gc =
              groupCost.computeIfAbsent(
                  java.util.Arrays.asList(apiKey, model),
                  k -> {
                    BigDecimal[] a = new BigDecimal[starts.size()];
                    java.util.Arrays.fill(a, BigDecimal.ZERO);
                    return a;
                  });
          gc[bucket] = gc[bucket].add(c);
        }
      }
    }
    // Peaks: per member (a series, or with no tenant or key filter and grouping by model or none,
    // a model or all usage), per bucket, the most of the member's per-minute sums; a target's
    // peak is the sum over its members (exact when it has one).
    boolean fromAggregates =
        q.tenant() == null
            && q.apiKeys().isEmpty()
            && (q.groupBy() == GroupBy.MODEL || q.groupBy() == GroupBy.NONE);
    Map<List<String>, Map<List<String>, Map<Long, long[]>>> minuteSums = new LinkedHashMap<>();
    for (UsageEvent e : events) {
      if (e.timestamp().isBefore(first) || !e.timestamp().isBefore(end)) continue;
      if (q.tenant() != null && !q.tenant().equals(e.tenant())) continue;
      if (!q.apiKeys().isEmpty() && !q.apiKeys().contains(e.apiKey())) continue;
      if (!q.models().isEmpty() && !q.models().contains(e.model())) continue;
      for (List<String> target : List.of(groupOf(q, e), List.of("overall"))) {
        boolean whole = target.size() == 1 || q.groupBy() == GroupBy.NONE;
        List<String> member =
            !fromAggregates
                ? List.of(e.tenant(), e.apiKey(), e.model())
                : whole && q.models().isEmpty() ? List.of("all") : List.of(e.model());
        long minute = Math.floorDiv(e.timestamp().toEpochMilli(), 60_000L);
        long[] s =
            minuteSums
                .computeIfAbsent(target, k -> new LinkedHashMap<>())
                .computeIfAbsent(member, k -> new TreeMap<>())
                .computeIfAbsent(minute, k -> new long[2]);
        s[0] += 1;
        s[1] += e.inputTokens() + e.outputTokens();
      }
    }
    Map<String, BigDecimal[]> seriesCost = new TreeMap<>();
    List<TrendSeries> series = new ArrayList<>();
    for (Map.Entry<List<String>, long[][]> en : groups.entrySet()) {
      List<TrendPoint> points = new ArrayList<>();
      long[][] v = en.getValue();
      long[][] peaks = peaks(minuteSums.get(groupOf(en.getKey())), bounds);
      BigDecimal[] gc = groupCost.get(en.getKey());
      for (int i = 0; i < starts.size(); i++) {
        long value =
            q.view() == SeriesView.COST
                ? (gc == null
                    ? 0
                    : gc[i]
                        .setScale(2, java.math.RoundingMode.HALF_EVEN)
                        .unscaledValue()
                        .longValueExact())
                : q.view().of(v[1][i], v[2][i], peaks[0][i], peaks[1][i]);
        points.add(
            new TrendPoint(
                starts.get(i), v[0][i], v[1][i], v[2][i], value, peaks[0][i], peaks[1][i]));
      }
      TrendSeries ts =
          new TrendSeries(
              en.getKey().get(0),
              en.getKey().get(1),
              points,
              rangePeaks(peaks, minuteSums.get(groupOf(en.getKey())).size()));
      series.add(ts);
      BigDecimal[] groupCosts = groupCost.get(en.getKey());
      if (groupCosts != null) seriesCost.put(ts.label(), groupCosts);
    }
    Map<List<String>, Map<Long, long[]>> overall = minuteSums.get(List.of("overall"));
    Peaks overallPeaks =
        overall == null ? Peaks.none() : rangePeaks(peaks(overall, bounds), overall.size());
    series.sort(
        Comparator.comparing((TrendSeries s) -> Objects.requireNonNullElse(s.apiKey(), ""))
            .thenComparing(s -> Objects.requireNonNullElse(s.model(), "")));
    List<ModelShare> distribution = new ArrayList<>();
    for (Map.Entry<String, UsageTotals> en : byModel.entrySet()) {
      UsageTotals t = en.getValue();
      distribution.add(
          new ModelShare(
              en.getKey(),
              t,
              share(t.totalTokens(), total.totalTokens()),
              share(t.calls(), total.calls())));
    }
    distribution.sort(
        Comparator.comparingLong((ModelShare m) -> -m.totals().totalTokens())
            .thenComparing(ModelShare::model));
    Cost cost =
        prices == null
            ? null
            : new Cost(totalCost, List.of(bucketCost), seriesCost, modelCost, unpricedByModel);
    return new Expected(
        first, end, total, List.copyOf(starts), series, distribution, overallPeaks, cost);
  }

  private static List<String> groupOf(UsageQuery q, UsageEvent e) {
    String apiKey =
        q.groupBy() == GroupBy.API_KEY || q.groupBy() == GroupBy.API_KEY_AND_MODEL
            ? e.apiKey()
            : null;
    String model =
        q.groupBy() == GroupBy.MODEL || q.groupBy() == GroupBy.API_KEY_AND_MODEL ? e.model() : null;
    return groupOf(java.util.Arrays.asList(apiKey, model));
  }

  private static List<String> groupOf(List<String> apiKeyAndModel) {
    return List.of("group", String.valueOf(apiKeyAndModel));
  }

  /** Per bucket {peak calls, peak tokens}: the sum over members of each member's minute maximum. */
  private static long[][] peaks(
      Map<List<String>, Map<Long, long[]>> members, List<Instant> bounds) {
    int n = bounds.size() - 1;
    long[][] out = new long[2][n];
    for (Map<Long, long[]> minutes : members.values()) {
      long[][] max = new long[2][n];
      for (Map.Entry<Long, long[]> m : minutes.entrySet()) {
        long t = m.getKey() * 60_000L;
        for (int i = 0; i < n; i++) {
          if (t >= bounds.get(i).toEpochMilli() && t < bounds.get(i + 1).toEpochMilli()) {
            max[0][i] = Math.max(max[0][i], m.getValue()[0]);
            max[1][i] = Math.max(max[1][i], m.getValue()[1]);
          }
        }
      }
      for (int i = 0; i < n; i++) {
        out[0][i] += max[0][i];
        out[1][i] += max[1][i];
      }
    }
    return out;
  }

  private static Peaks rangePeaks(long[][] peaks, int members) {
    long calls = 0;
    long tokens = 0;
    for (int i = 0; i < peaks[0].length; i++) {
      calls = Math.max(calls, peaks[0][i]);
      tokens = Math.max(tokens, peaks[1][i]);
    }
    return new Peaks(calls, tokens, members > 1 ? PeakAccuracy.UPPER_BOUND : PeakAccuracy.EXACT);
  }

  /**
   * The exact peak of a query's selected usage over {@code [from, to)}: the most of its per-minute
   * sums, {calls, tokens}. An upper bound reported by the engine must be at least this.
   */
  long[] exactPeak(UsageQuery q, Instant from, Instant to) {
    Map<Long, long[]> sums = new TreeMap<>();
    for (UsageEvent e : events) {
      if (e.timestamp().isBefore(from) || !e.timestamp().isBefore(to)) continue;
      if (q.tenant() != null && !q.tenant().equals(e.tenant())) continue;
      if (!q.apiKeys().isEmpty() && !q.apiKeys().contains(e.apiKey())) continue;
      if (!q.models().isEmpty() && !q.models().contains(e.model())) continue;
      long[] s =
          sums.computeIfAbsent(
              Math.floorDiv(e.timestamp().toEpochMilli(), 60_000L), k -> new long[2]);
      s[0] += 1;
      s[1] += e.inputTokens() + e.outputTokens();
    }
    long[] max = new long[2];
    for (long[] s : sums.values()) {
      max[0] = Math.max(max[0], s[0]);
      max[1] = Math.max(max[1], s[1]);
    }
    return max;
  }

  /**
   * The expected cost: total, per bucket, per group label (null groups: nothing priced), per model
   * (absent: nothing priced), and unpriced usage per model.
   */
  record Cost(
      BigDecimal total,
      List<BigDecimal> buckets,
      Map<String, BigDecimal[]> groups,
      Map<String, BigDecimal> models,
      Map<String, UsageTotals> unpriced) {}

  private static double share(long part, long whole) {
    return whole == 0 ? 0.0 : (double) part / whole;
  }

  record Expected(
      Instant from,
      Instant to,
      UsageTotals totals,
      List<Instant> buckets,
      List<TrendSeries> series,
      List<ModelShare> distribution,
      Peaks peaks,
      Cost cost) {}
}
