package dev.usagestats.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.ModelShare;
import dev.usagestats.TestClock;
import dev.usagestats.TrendPoint;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficGeneratorTest {
  private static final Instant NOW = Instant.parse("2026-11-18T12:00:00Z"); // a Wednesday noon

  @Test
  void backfill_fourteenDays_engineHoldsExactlyWhatWasRecorded() {
    TestClock clock = new TestClock(NOW);
    try (UsageStats stats = newStats(clock)) {
      TrafficGenerator traffic = new TrafficGenerator(stats, clock, DemoCatalog.standard(), 7);

      UsageTotals recorded = traffic.backfill(Duration.ofDays(14));

      UsageReport r =
          stats.query(UsageQuery.builder().from(NOW.minus(Duration.ofDays(14))).to(NOW).build());
      assertThat(r.totals()).isEqualTo(recorded);
      assertThat(recorded.calls()).isGreaterThan(50_000);
      assertThat(recorded.errors()).isPositive();
      assertThat(recorded.reasoningTokens()).isPositive();
      assertThat(recorded.cachedInputTokens()).isPositive();
      assertThat(r.distribution()).hasSize(4);
    }
  }

  @Test
  void backfill_cacheWrites_aFewPercentOfInputForSomeModelsOnly() {
    TestClock clock = new TestClock(NOW);
    try (UsageStats stats = newStats(clock)) {
      new TrafficGenerator(stats, clock, DemoCatalog.standard(), 7).backfill(Duration.ofDays(14));

      UsageReport r =
          stats.query(UsageQuery.builder().from(NOW.minus(Duration.ofDays(14))).to(NOW).build());
      long writes = r.totals().cacheCreationInputTokens();
      assertThat(writes).isPositive();
      assertThat(writes * 100)
          .as("a few percent of all input")
          .isLessThan(r.totals().inputTokens() * 5);
      assertThat(r.totals().cachedInputTokens() + writes).isLessThan(r.totals().inputTokens());
      Map<String, Long> byModel = new HashMap<>();
      for (ModelShare m : r.distribution()) {
        byModel.put(m.model(), m.totals().cacheCreationInputTokens());
      }
      assertThat(byModel.get("public/qwen3-235b")).isPositive();
      assertThat(byModel.get("public/kimi-k2")).isPositive();
      assertThat(byModel.get("public/deepseek-r1")).isZero();
      assertThat(byModel.get("public/glm-4.5")).isZero();
    }
  }

  @Test
  void tick_cacheWrites_neverMoreThanInputLeavesUncached() {
    TestClock clock = new TestClock(NOW);
    List<UsageEvent> events = new ArrayList<>();
    try (UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .listener(
                key ->
                    (in, out, cached, cacheCreation, reasoning, outcome) ->
                        events.add(
                            new UsageEvent(
                                NOW,
                                key.tenant(),
                                key.apiKey(),
                                key.model(),
                                in,
                                out,
                                cached,
                                cacheCreation,
                                reasoning,
                                outcome)))
            .build()) {
      TrafficGenerator traffic = new TrafficGenerator(stats, clock, DemoCatalog.standard(), 5);
      for (int i = 0; i < 3_600; i++) {
        clock.advance(Duration.ofSeconds(1));
        traffic.tick();
      }
    }
    assertThat(events).anyMatch(e -> e.cacheCreationInputTokens() > 0);
    assertThat(events).anyMatch(e -> e.cacheCreationInputTokens() > 0 && e.cachedInputTokens() > 0);
    for (UsageEvent e : events) {
      assertThat(e.cachedInputTokens() + e.cacheCreationInputTokens())
          .isLessThanOrEqualTo(e.inputTokens());
      assertThat(e.cacheCreationInputTokens() * 100).isLessThanOrEqualTo(e.inputTokens() * 8 + 100);
    }
  }

  @Test
  void backfill_lastTwoWeeks_everyDayAndKeyHasTraffic() {
    TestClock clock = new TestClock(NOW);
    try (UsageStats stats = newStats(clock)) {
      new TrafficGenerator(stats, clock, DemoCatalog.standard(), 7).backfill(Duration.ofDays(14));

      LocalDate today = LocalDate.of(2026, 11, 18);
      UsageReport r =
          stats.query(
              UsageQuery.builder()
                  .days(today.minusDays(13), today)
                  .granularity(Granularity.DAY)
                  .groupBy(GroupBy.API_KEY)
                  .build());
      assertThat(r.series()).hasSize(DemoCatalog.standard().keys().size());
      for (var s : r.series()) {
        assertThat(s.points()).hasSize(14).allMatch(p -> p.calls() > 0, "a day with calls");
      }
      long weekday = r.series().get(0).points().get(13 - 1).calls(); // Tuesday
      long sunday = r.series().get(0).points().get(13 - 3).calls();
      assertThat(sunday).as("weekends are quieter").isLessThan(weekday);
    }
  }

  @Test
  void backfill_sameSeed_sameTraffic() {
    TestClock clock = new TestClock(NOW);
    try (UsageStats a = newStats(clock);
        UsageStats b = newStats(clock)) {
      UsageTotals first =
          new TrafficGenerator(a, clock, DemoCatalog.standard(), 99).backfill(Duration.ofDays(2));
      UsageTotals second =
          new TrafficGenerator(b, clock, DemoCatalog.standard(), 99).backfill(Duration.ofDays(2));

      assertThat(second).isEqualTo(first);
    }
  }

  @Test
  void tick_recordsAtTheClocksTime() {
    TestClock clock = new TestClock(NOW);
    try (UsageStats stats = newStats(clock)) {
      TrafficGenerator traffic = new TrafficGenerator(stats, clock, DemoCatalog.standard(), 3);

      UsageTotals recorded = UsageTotals.empty();
      for (int i = 0; i < 59; i++) {
        clock.advance(Duration.ofSeconds(1));
        recorded = recorded.plus(traffic.tick());
      }

      UsageReport r =
          stats.query(
              UsageQuery.builder()
                  .from(NOW)
                  .to(NOW.plus(Duration.ofMinutes(1)))
                  .granularity(Granularity.MINUTE)
                  .build());
      assertThat(recorded.calls()).isPositive();
      assertThat(r.totals()).isEqualTo(recorded);
      assertThat(r.series().get(0).points()).extracting(TrendPoint::start).containsExactly(NOW);
    }
  }

  /**
   * A day of one-second ticks against a backfill of the same day, counted hour by hour: the live
   * rate follows the backfill's daily rhythm. Both counts are Poisson with the same mean, so their
   * difference stays within 4 standard deviations (4 x the square root of their sum) each hour, and
   * the day's totals within 5%; a live rate 60 times the backfill's, as before, fails by far.
   */
  @Test
  void tick_aDayOfSeconds_sameRatePerLocalHourAsTheBackfill() {
    ZoneId kolkata = ZoneId.of("Asia/Kolkata");
    Instant start = LocalDate.of(2026, 11, 17).atStartOfDay(kolkata).toInstant(); // a Tuesday
    Instant end = start.plus(Duration.ofDays(1));
    long[] live = new long[24];
    TestClock liveClock = new TestClock(start);
    try (UsageStats stats = newStats(liveClock)) {
      TrafficGenerator traffic =
          new TrafficGenerator(stats, liveClock, DemoCatalog.standard(), 11, kolkata);
      for (int s = 0; s < 24 * 3_600; s++) {
        live[s / 3_600] += traffic.tick().calls();
        liveClock.advance(Duration.ofSeconds(1));
      }
    }
    long[] backfill = new long[24];
    TestClock pastClock = new TestClock(end);
    try (UsageStats stats = newStats(pastClock)) {
      TrafficGenerator traffic =
          new TrafficGenerator(stats, pastClock, DemoCatalog.standard(), 12, kolkata);
      traffic.backfill(Duration.ofDays(1));
      UsageReport r =
          stats.query(
              UsageQuery.builder()
                  .zone(kolkata)
                  .from(start)
                  .to(end)
                  .granularity(Granularity.HOUR)
                  .groupBy(GroupBy.NONE)
                  .build());
      List<TrendPoint> points = r.series().get(0).points();
      for (int h = 0; h < 24; h++) backfill[h] = points.get(h).calls();

      for (int h = 0; h < 24; h++) {
        double tolerance = 4 * Math.sqrt(live[h] + backfill[h]);
        assertThat((double) Math.abs(live[h] - backfill[h]))
            .as("local hour %d: live %d, backfill %d", h, live[h], backfill[h])
            .isLessThanOrEqualTo(tolerance);
      }
      double mean = 0;
      for (int h = 0; h < 24; h++) mean += traffic.callsPerHour(start.plus(Duration.ofHours(h)));
      long liveDay = java.util.Arrays.stream(live).sum();
      long backfillDay = java.util.Arrays.stream(backfill).sum();
      assertThat((double) liveDay)
          .isCloseTo(backfillDay, org.assertj.core.data.Percentage.withPercentage(5));
      assertThat((double) liveDay)
          .isCloseTo(mean, org.assertj.core.data.Percentage.withPercentage(5));
      assertThat(live[14]).as("afternoon busier than night, in Kolkata").isGreaterThan(live[3] * 2);
    }
  }

  @Test
  void backfill_negativeSpan_refused() {
    TestClock clock = new TestClock(NOW);
    try (UsageStats stats = newStats(clock)) {
      TrafficGenerator traffic = new TrafficGenerator(stats, clock, DemoCatalog.standard(), 1);

      assertThatIllegalArgumentException()
          .isThrownBy(() -> traffic.backfill(Duration.ofHours(-1)))
          .withMessage("span must be >= 0: PT-1H");
    }
  }

  private static UsageStats newStats(TestClock clock) {
    return UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build();
  }
}
