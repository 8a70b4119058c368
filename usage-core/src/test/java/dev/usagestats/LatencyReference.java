package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The latency a report must show, from the raw recorded latencies: for each group and bucket, the
 * exact percentiles of the events' millisecond values, which the report must give within the
 * histogram's stated precision (the bin of the exact value, never below it); counts and the output
 * rate sums exactly.
 */
final class LatencyReference {
  static final List<SeriesView> VIEWS =
      Arrays.stream(SeriesView.values()).filter(SeriesView::isLatency).toList();

  private LatencyReference() {}

  static UsageQuery withView(UsageQuery q, SeriesView view) {
    UsageQuery.Builder b =
        UsageQuery.builder()
            .from(q.from())
            .to(q.to())
            .zone(q.zone())
            .granularity(q.granularity())
            .apiKeys(q.apiKeys())
            .models(q.models())
            .groupBy(q.groupBy())
            .view(view);
    if (q.tenant() != null) b.tenant(q.tenant());
    return b.build();
  }

  /** The series with their latency left out, to compare the rest with a reference that has none. */
  static List<TrendSeries> withoutLatency(List<TrendSeries> series) {
    List<TrendSeries> out = new ArrayList<>();
    for (TrendSeries s : series) {
      List<TrendPoint> points = new ArrayList<>();
      for (TrendPoint p : s.points()) {
        points.add(
            new TrendPoint(
                p.start(),
                p.calls(),
                p.inputTokens(),
                p.outputTokens(),
                p.value(),
                p.peakCallsPerMinute(),
                p.peakTokensPerMinute(),
                p.cost()));
      }
      out.add(new TrendSeries(s.apiKey(), s.model(), points, s.peaks()));
    }
    return out;
  }

  /** Checks every point's, every series' and the report's latency against the events. */
  static void check(UsageReport r, UsageQuery q, List<UsageEvent> events) {
    List<UsageEvent> all = new ArrayList<>();
    for (TrendSeries s : r.series()) {
      List<UsageEvent> ofSeries = new ArrayList<>();
      for (int i = 0; i < s.points().size(); i++) {
        Instant start = r.buckets().get(i);
        Instant end = i + 1 < r.buckets().size() ? r.buckets().get(i + 1) : r.to();
        List<UsageEvent> in = select(events, q, s, start, end);
        ofSeries.addAll(in);
        check(s.points().get(i).latency(), in, s.label() + " at " + start);
      }
      check(s.latencySummary(), ofSeries, s.label());
      checkSums(s.latency(), ofSeries, s.label());
      all.addAll(ofSeries);
    }
    check(r.latencySummary(), all, "report");
    checkSums(r.latency(), all, "report");
  }

  /** A latency view's values are the view of each point's latency. */
  static void checkView(UsageReport withView, UsageReport plain, SeriesView view) {
    assertThat(withView.series()).hasSameSizeAs(plain.series());
    for (int s = 0; s < plain.series().size(); s++) {
      List<TrendPoint> points = withView.series().get(s).points();
      for (int i = 0; i < points.size(); i++) {
        LatencySummary l = plain.series().get(s).points().get(i).latency();
        long want =
            switch (view) {
              case P50_DURATION -> l.duration().count() == 0 ? -1 : l.duration().p50Millis();
              case P95_DURATION -> l.duration().count() == 0 ? -1 : l.duration().p95Millis();
              case P99_DURATION -> l.duration().count() == 0 ? -1 : l.duration().p99Millis();
              case P95_TIME_TO_FIRST_TOKEN ->
                  l.timeToFirstToken().count() == 0 ? -1 : l.timeToFirstToken().p95Millis();
              default -> throw new AssertionError(view);
            };
        assertThat(points.get(i).value()).as("%s point %s", view, i).isEqualTo(want);
      }
    }
  }

  private static List<UsageEvent> select(
      List<UsageEvent> events, UsageQuery q, TrendSeries s, Instant start, Instant end) {
    List<UsageEvent> out = new ArrayList<>();
    for (UsageEvent e : events) {
      if (e.timestamp().isBefore(start) || !e.timestamp().isBefore(end)) continue;
      if (q.tenant() != null && !q.tenant().equals(e.tenant())) continue;
      if (!q.apiKeys().isEmpty() && !q.apiKeys().contains(e.apiKey())) continue;
      if (!q.models().isEmpty() && !q.models().contains(e.model())) continue;
      if (s.apiKey() != null && !s.apiKey().equals(e.apiKey())) continue;
      if (s.model() != null && !s.model().equals(e.model())) continue;
      out.add(e);
    }
    return out;
  }

  private static void check(LatencySummary got, List<UsageEvent> events, String where) {
    check(got.duration(), millis(events, true), where + " duration");
    check(got.timeToFirstToken(), millis(events, false), where + " time to first token");
  }

  private static void checkSums(LatencyTotals got, List<UsageEvent> events, String where) {
    long tokens = 0;
    long millis = 0;
    for (UsageEvent e : events) {
      if (e.duration() == null || e.timeToFirstToken() == null) continue;
      tokens += e.outputTokens();
      millis += (e.duration().toNanos() - e.timeToFirstToken().toNanos()) / 1_000_000L;
    }
    assertThat(got.streamedOutputTokens()).as(where + " streamed output tokens").isEqualTo(tokens);
    assertThat(got.generationMillis()).as(where + " generation millis").isEqualTo(millis);
  }

  private static long[] millis(List<UsageEvent> events, boolean duration) {
    return events.stream()
        .map(e -> duration ? e.duration() : e.timeToFirstToken())
        .filter(d -> d != null)
        .mapToLong(d -> d.toNanos() / 1_000_000L)
        .sorted()
        .toArray();
  }

  private static void check(LatencyStats got, long[] sorted, String where) {
    assertThat(got.count()).as(where + " count").isEqualTo(sorted.length);
    if (sorted.length == 0) {
      assertThat(got).isEqualTo(LatencyStats.NONE);
      return;
    }
    int n = sorted.length;
    long[] reported = {got.p50Millis(), got.p90Millis(), got.p95Millis(), got.p99Millis()};
    double[] ps = {50, 90, 95, 99};
    for (int i = 0; i < ps.length; i++) {
      long exact = sorted[(int) Math.max(1, Math.ceil(ps[i] / 100 * n)) - 1];
      assertWithinBin(reported[i], exact, where + " p" + ps[i]);
    }
    assertWithinBin(got.maxMillis(), sorted[n - 1], where + " max");
    double mean = Arrays.stream(sorted).average().orElseThrow();
    assertThat(got.meanMillis())
        .as(where + " mean")
        .isBetween(mean - mean / 128 - 1, mean + mean / 128 + 1);
  }

  /** The stated precision: the value of the bin holding the exact value, never below it. */
  private static void assertWithinBin(long got, long exact, String where) {
    assertThat(got).as(where).isBetween(exact, Math.max(exact, exact + exact / 128));
    assertThat(LatencyHistogram.binOf(got))
        .as(where + " bin")
        .isEqualTo(LatencyHistogram.binOf(exact));
  }
}
