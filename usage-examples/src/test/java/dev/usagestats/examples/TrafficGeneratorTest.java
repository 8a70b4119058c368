package dev.usagestats.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.TrendPoint;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class TrafficGeneratorTest {
  private static final Instant NOW = Instant.parse("2026-11-18T12:00:00Z"); // a Wednesday noon

  @Test
  void backfill_fourteenDays_engineHoldsExactlyWhatWasRecorded() {
    TestClock clock = TestClock.of(NOW);
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
  void backfill_lastTwoWeeks_everyDayAndKeyHasTraffic() {
    TestClock clock = TestClock.of(NOW);
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
    TestClock clock = TestClock.of(NOW);
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
    TestClock clock = TestClock.of(NOW);
    try (UsageStats stats = newStats(clock)) {
      TrafficGenerator traffic = new TrafficGenerator(stats, clock, DemoCatalog.standard(), 3);

      UsageTotals recorded = UsageTotals.empty();
      for (int i = 0; i < 5; i++) {
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

  @Test
  void backfill_negativeSpan_refused() {
    TestClock clock = TestClock.of(NOW);
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
