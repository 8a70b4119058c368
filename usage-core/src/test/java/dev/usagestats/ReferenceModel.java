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
    Map<String, BigDecimal[]> seriesCost = new TreeMap<>();
    List<TrendSeries> series = new ArrayList<>();
    for (Map.Entry<List<String>, long[][]> en : groups.entrySet()) {
      List<TrendPoint> points = new ArrayList<>();
      long[][] v = en.getValue();
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
                : q.view().of(v[1][i], v[2][i]);
        points.add(new TrendPoint(starts.get(i), v[0][i], v[1][i], v[2][i], value));
      }
      TrendSeries ts = new TrendSeries(en.getKey().get(0), en.getKey().get(1), points);
      series.add(ts);
      BigDecimal[] groupCosts = groupCost.get(en.getKey());
      if (groupCosts != null) seriesCost.put(ts.label(), groupCosts);
    }
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
    return new Expected(first, end, total, List.copyOf(starts), series, distribution, cost);
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
      Cost cost) {}
}
