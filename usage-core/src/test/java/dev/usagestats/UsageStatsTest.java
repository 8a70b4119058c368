package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class UsageStatsTest {
  private final TestClock clock = TestClock.of(Instant.parse("2026-11-20T10:15:30Z"));

  private UsageStats engine() {
    return UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build();
  }

  @Test
  void record_threeWays_countInTotalsTrendAndDistribution() {
    try (UsageStats stats = engine()) {
      stats.record("acme", "k1", "public/deepseek-r1", 1000, 200);
      stats.record(UsageEvent.of(clock.instant().minusSeconds(3600), "acme", "k2", "m2", 10, 5));
      UsageSeries h = stats.series("acme", "k1", "public/deepseek-r1");
      h.record(300, 50, 100, 20, Outcome.ERROR);
      clock.advance(Duration.ofMinutes(7));
      h.record(1, 1);

      UsageReport r = stats.query(UsageQuery.builder().day(LocalDate.of(2026, 11, 20)).build());
      assertThat(r.totals()).isEqualTo(new UsageTotals(4, 1, 1311, 256, 100, 0, 20));
      assertThat(r.granularity()).isEqualTo(Granularity.HOUR);
      assertThat(r.buckets()).hasSize(24);
      assertThat(r.series()).hasSize(2);
      TrendSeries ds = r.series().get(1);
      assertThat(ds.model()).isEqualTo("public/deepseek-r1");
      assertThat(ds.points().get(10).calls()).isEqualTo(3);
      assertThat(ds.points().get(10).value()).isEqualTo(1301 + 251);
      assertThat(r.series().get(0).points().get(9).value()).isEqualTo(15);
      assertThat(r.distribution().get(0).model()).isEqualTo("public/deepseek-r1");
      assertThat(r.asOf()).isEqualTo(clock.instant());

      UsageReport byDefault = stats.query(UsageQuery.lastTwoWeeks());
      assertThat(byDefault.totals()).isEqualTo(r.totals());
      assertThat(byDefault.from()).isEqualTo(Instant.parse("2026-11-07T00:00:00Z"));
      assertThat(byDefault.buckets()).hasSize(14);
      assertThat(byDefault.zone()).isEqualTo(ZoneOffset.UTC);
    }
  }

  @Test
  void record_eventDatedAhead_neverEvictsThePresentMinutes() {
    try (UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .retention(Duration.ofDays(1))
            .minuteRetention(Duration.ofHours(1))
            .maxFutureSkew(Duration.ofHours(4))
            .build()) {
      stats.record("t", "k", "m", 5, 1);
      stats.record(UsageEvent.of(clock.instant().plus(Duration.ofHours(3)), "t", "k", "m", 7, 1));
      stats.flush();
      UsageQuery lastTenMinutes =
          UsageQuery.builder()
              .from(clock.instant().minus(Duration.ofMinutes(10)))
              .to(clock.instant().plusSeconds(1))
              .granularity(Granularity.MINUTE)
              .build();
      assertThat(stats.query(lastTenMinutes).totals().inputTokens()).isEqualTo(5);
      stats.record("t", "k", "m", 11, 1);
      assertThat(stats.query(lastTenMinutes).totals().inputTokens()).isEqualTo(16);
    }
  }

  @Test
  void record_lateEventsOverManyMinutes_countedInTheirMinutes() {
    try (UsageStats stats = engine()) {
      UsageSeries h = stats.series("t", "k", "m");
      h.record(1, 1);
      for (int i = 0; i < 60_000; i++) {
        Instant ts = clock.instant().minus(Duration.ofMinutes(1 + i % 600));
        stats.record(UsageEvent.of(ts, "t", "k", "m", 2, 0));
      }
      UsageReport r =
          stats.query(
              UsageQuery.builder()
                  .from(clock.instant().minus(Duration.ofMinutes(600)))
                  .to(clock.instant())
                  .granularity(Granularity.HOUR)
                  .build());
      // the handle's event at 10:15:30 is in the last hour bucket too
      assertThat(r.totals().calls()).isEqualTo(60_001);
      assertThat(r.totals().inputTokens()).isEqualTo(120_001);
      // 00:00-01:00 holds the events 556 to 600 minutes back from 10:15:30, 100 each
      assertThat(r.series().get(0).points().get(0).calls()).isEqualTo(45 * 100);
    }
  }
}
