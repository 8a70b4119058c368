package dev.usagestats.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.LatencyStats;
import dev.usagestats.Outcome;
import dev.usagestats.SeriesKey;
import dev.usagestats.TrendSeries;
import dev.usagestats.UsageListener;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The demo traffic's latency: every call records a duration, streamed calls a time to first token,
 * the engine's figures match the recorded values, the reasoning model is slower with a longer tail,
 * and a batch burst slows the models it shares.
 */
class TrafficGeneratorLatencyTest {
  private static final Instant NOW = Instant.parse("2026-11-18T12:00:00Z"); // a Wednesday noon
  private static final String R1 = "public/deepseek-r1";
  private static final String GLM = "public/glm-4.5";
  private static final String QWEN = "public/qwen3-235b";

  /** What the listener heard of one call. */
  private record Heard(
      String apiKey, String model, Outcome outcome, long durationNanos, long firstTokenNanos) {}

  @Test
  void backfill_everyCallHasADuration_streamedCallsATimeToFirstToken() {
    TestClock clock = TestClock.of(NOW);
    List<Heard> heard = new ArrayList<>();
    try (UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .listener(listener(heard))
            .build()) {
      new TrafficGenerator(stats, clock, DemoCatalog.standard(), 7).backfill(Duration.ofDays(3));

      UsageReport r =
          stats.query(UsageQuery.builder().from(NOW.minus(Duration.ofDays(3))).to(NOW).build());
      assertThat(heard).hasSize((int) r.totals().calls());
      String batchKey = batchKeyId();
      for (Heard h : heard) {
        assertThat(h.durationNanos()).as("every call has a duration").isPositive();
        if (h.firstTokenNanos() >= 0) {
          assertThat(h.firstTokenNanos()).isLessThanOrEqualTo(h.durationNanos());
          assertThat(h.outcome()).as("a failed call streams nothing").isEqualTo(Outcome.SUCCESS);
          assertThat(h.apiKey()).as("batch calls are not streamed").isNotEqualTo(batchKey);
        }
      }
      List<Heard> interactive =
          heard.stream()
              .filter(h -> !h.apiKey().equals(batchKey) && h.outcome() == Outcome.SUCCESS)
              .toList();
      long streamed = heard.stream().filter(h -> h.firstTokenNanos() >= 0).count();
      assertThat(streamed * 100.0 / interactive.size())
          .as("about 85% of interactive calls stream")
          .isBetween(80.0, 90.0);

      // The engine counts what was recorded, and its percentiles are those of the recorded values.
      assertThat(r.latencySummary().duration().count()).isEqualTo(r.totals().calls());
      assertThat(r.latencySummary().timeToFirstToken().count()).isEqualTo(streamed);
      Map<String, List<Long>> byModel =
          heard.stream()
              .collect(
                  Collectors.groupingBy(
                      Heard::model,
                      Collectors.mapping(h -> h.durationNanos() / 1_000_000, Collectors.toList())));
      for (TrendSeries s : r.series()) {
        List<Long> millis = byModel.get(s.model());
        LatencyStats d = s.latencySummary().duration();
        assertThat(d.count()).as(s.model()).isEqualTo(millis.size());
        assertWithin(s.model() + " p50", d.p50Millis(), percentile(millis, 50));
        assertWithin(s.model() + " p95", d.p95Millis(), percentile(millis, 95));
        assertWithin(s.model() + " max", d.maxMillis(), percentile(millis, 100));
      }

      LatencyStats r1 = series(r, R1).latencySummary().duration();
      LatencyStats glm = series(r, GLM).latencySummary().duration();
      assertThat(r1.p50Millis())
          .as("the reasoning model is slower")
          .isGreaterThan(3 * glm.p50Millis());
      assertThat((double) r1.p99Millis() / r1.p50Millis())
          .as("and its tail is heavier")
          .isGreaterThan((double) glm.p99Millis() / glm.p50Millis());
      assertThat(series(r, R1).latencySummary().outputTokensPerSecond())
          .isLessThan(series(r, GLM).latencySummary().outputTokensPerSecond());
    }
  }

  @Test
  void backfill_batchBurst_slowsTheModelsItSharesOnly() {
    TestClock clock = TestClock.of(NOW);
    try (UsageStats stats =
        UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build()) {
      TrafficGenerator traffic = new TrafficGenerator(stats, clock, DemoCatalog.standard(), 7);
      traffic.backfill(Duration.ofDays(14));
      assertThat(traffic.batchModels()).contains(QWEN).doesNotContain(GLM, R1);

      int burstDays = 0;
      for (LocalDate day = LocalDate.of(2026, 11, 6); day.isBefore(LocalDate.of(2026, 11, 18)); ) {
        LocalDate next = day.plusDays(1);
        if (!TrafficGenerator.burstHour(day.atTime(2, 0).atZone(ZoneOffset.UTC))) {
          day = next;
          continue;
        }
        burstDays++;
        // 01:00 to 06:00 of the burst day against the same hours of the day before.
        long qwenBurst = p95(stats, QWEN, day);
        long qwenBefore = p95(stats, QWEN, day.minusDays(1));
        long glmBurst = p95(stats, GLM, day);
        long glmBefore = p95(stats, GLM, day.minusDays(1));
        assertThat((double) qwenBurst / qwenBefore).as("qwen3 on " + day).isGreaterThan(1.5);
        assertThat((double) glmBurst / glmBefore).as("glm on " + day).isBetween(0.6, 1.5);
        day = next;
      }
      assertThat(burstDays).as("two weeks hold burst days").isGreaterThanOrEqualTo(2);
    }
  }

  private static long p95(UsageStats stats, String model, LocalDate day) {
    Instant from = day.atTime(1, 0).toInstant(ZoneOffset.UTC);
    UsageReport r =
        stats.query(
            UsageQuery.builder()
                .from(from)
                .to(from.plus(Duration.ofHours(5)))
                .model(model)
                .build());
    LatencyStats d = r.latencySummary().duration();
    assertThat(d.count()).as(model + " on " + day).isGreaterThan(20);
    return d.p95Millis();
  }

  private static UsageListener listener(List<Heard> heard) {
    return (SeriesKey key) ->
        new UsageListener.SeriesListener() {
          @Override
          public void onRecord(
              long in, long out, long cached, long creation, long reasoning, Outcome outcome) {
            throw new AssertionError("the traffic records every call with a latency");
          }

          @Override
          public void onRecord(
              long in,
              long out,
              long cached,
              long creation,
              long reasoning,
              Outcome outcome,
              long durationNanos,
              long firstTokenNanos) {
            heard.add(
                new Heard(key.apiKey(), key.model(), outcome, durationNanos, firstTokenNanos));
          }
        };
  }

  private static String batchKeyId() {
    return DemoCatalog.standard().keys().stream()
        .filter(k -> k.name().contains("batch"))
        .findFirst()
        .orElseThrow()
        .id();
  }

  private static TrendSeries series(UsageReport r, String model) {
    return r.series().stream().filter(s -> model.equals(s.model())).findFirst().orElseThrow();
  }

  /** The nearest-rank percentile of whole milliseconds. */
  private static long percentile(List<Long> millis, double p) {
    List<Long> sorted = millis.stream().sorted().toList();
    int rank = (int) Math.ceil(p / 100 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  /**
   * Never below the exact value, at most 1/128 of it (or 1 ms) above: the histogram's precision.
   */
  private static void assertWithin(String what, long actual, long exact) {
    assertThat(actual).as(what).isBetween(exact, exact + Math.max(1, exact / 128));
  }
}
