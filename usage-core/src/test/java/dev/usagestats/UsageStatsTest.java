package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class UsageStatsTest {
  private final TestClock clock = new TestClock(Instant.parse("2026-11-20T10:15:30Z"));

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
      assertThat(r.totals()).isEqualTo(new UsageTotals(4, 1, 1311, 256, 100, 20));
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
}
