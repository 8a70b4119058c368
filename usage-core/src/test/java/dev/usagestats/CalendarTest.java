package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class CalendarTest {
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final ZoneId KATHMANDU = ZoneId.of("Asia/Kathmandu");

  private final TestClock clock = TestClock.of(Instant.parse("2026-11-10T12:00:00Z"));

  private UsageStats engine() {
    return UsageStats.builder()
        .clock(clock)
        .retention(Duration.ofDays(400))
        .flushInterval(Duration.ZERO)
        .build();
  }

  @Test
  void hourBuckets_newYorkSpringForward_has23() {
    clock.set(Instant.parse("2026-03-12T00:00:00Z"));
    try (UsageStats stats = engine()) {
      UsageReport r =
          stats.query(
              UsageQuery.builder()
                  .zone(NEW_YORK)
                  .day(LocalDate.of(2026, 3, 8))
                  .granularity(Granularity.HOUR)
                  .build());
      assertThat(r.buckets()).hasSize(23);
      assertThat(Duration.between(r.from(), r.to())).isEqualTo(Duration.ofHours(23));
    }
  }

  @Test
  void hourBuckets_newYorkFallBack_has25AndEventsLandInTheirHour() {
    try (UsageStats stats = engine()) {
      // 01:30 EDT and 01:30 EST are one hour apart; each is in its own bucket.
      Instant firstOneThirty = Instant.parse("2026-11-01T05:30:00Z");
      Instant secondOneThirty = Instant.parse("2026-11-01T06:30:00Z");
      stats.record(UsageEvent.of(firstOneThirty, "t", "k", "m", 100, 1));
      stats.record(UsageEvent.of(secondOneThirty, "t", "k", "m", 200, 2));
      UsageReport r =
          stats.query(
              UsageQuery.builder()
                  .zone(NEW_YORK)
                  .day(LocalDate.of(2026, 11, 1))
                  .granularity(Granularity.HOUR)
                  .build());
      assertThat(r.buckets()).hasSize(25);
      assertThat(r.buckets().get(1)).isEqualTo(Instant.parse("2026-11-01T05:00:00Z"));
      assertThat(r.buckets().get(2)).isEqualTo(Instant.parse("2026-11-01T06:00:00Z"));
      TrendSeries s = r.series().get(0);
      assertThat(s.points().get(1).inputTokens()).isEqualTo(100);
      assertThat(s.points().get(2).inputTokens()).isEqualTo(200);
    }
  }

  @Test
  void dayBuckets_kathmandu_startAt1815Utc() {
    try (UsageStats stats = engine()) {
      stats.record(UsageEvent.of(Instant.parse("2026-11-05T18:14:59Z"), "t", "k", "m", 1, 0));
      stats.record(UsageEvent.of(Instant.parse("2026-11-05T18:15:00Z"), "t", "k", "m", 10, 0));
      UsageReport r =
          stats.query(
              UsageQuery.builder()
                  .zone(KATHMANDU)
                  .days(LocalDate.of(2026, 11, 5), LocalDate.of(2026, 11, 6))
                  .granularity(Granularity.DAY)
                  .build());
      assertThat(r.buckets())
          .containsExactly(
              Instant.parse("2026-11-04T18:15:00Z"), Instant.parse("2026-11-05T18:15:00Z"));
      assertThat(r.series().get(0).points().get(0).inputTokens()).isEqualTo(1);
      assertThat(r.series().get(0).points().get(1).inputTokens()).isEqualTo(10);
    }
  }

  @Test
  void dayBuckets_sumToRangeTotal_inEveryZone() {
    try (UsageStats stats = engine()) {
      for (int i = 0; i < 3_000; i++) {
        Instant t = clock.instant().minus(Duration.ofMinutes(7L * i + (i % 13)));
        stats.record(UsageEvent.of(t, "t", "k" + (i % 3), "m" + (i % 2), i, i % 17));
      }
      for (ZoneId zone : DifferentialPropertyTest.ZONES) {
        UsageReport r =
            stats.query(
                UsageQuery.builder()
                    .zone(zone)
                    .days(LocalDate.of(2026, 10, 25), LocalDate.of(2026, 11, 10))
                    .granularity(Granularity.DAY)
                    .groupBy(GroupBy.NONE)
                    .build());
        long daily = r.series().get(0).points().stream().mapToLong(TrendPoint::totalTokens).sum();
        assertThat(daily).as(zone.getId()).isEqualTo(r.totals().totalTokens());
        assertThat(r.buckets()).as(zone.getId()).hasSize(17);
      }
    }
  }

  @Test
  void weekBuckets_startOnMonday_monthBucketsOnTheFirst() {
    try (UsageStats stats = engine()) {
      UsageReport weeks =
          stats.query(
              UsageQuery.builder()
                  .zone(NEW_YORK)
                  .days(LocalDate.of(2026, 11, 4), LocalDate.of(2026, 11, 10))
                  .granularity(Granularity.WEEK)
                  .build());
      assertThat(weeks.buckets())
          .containsExactly(
              LocalDate.of(2026, 11, 2).atStartOfDay(NEW_YORK).toInstant(),
              LocalDate.of(2026, 11, 9).atStartOfDay(NEW_YORK).toInstant());
      UsageReport months =
          stats.query(
              UsageQuery.builder()
                  .zone(KATHMANDU)
                  .days(LocalDate.of(2026, 10, 20), LocalDate.of(2026, 11, 3))
                  .granularity(Granularity.MONTH)
                  .build());
      assertThat(months.buckets())
          .containsExactly(
              LocalDate.of(2026, 10, 1).atStartOfDay(KATHMANDU).toInstant(),
              LocalDate.of(2026, 11, 1).atStartOfDay(KATHMANDU).toInstant());
    }
  }

  @Test
  void auto_picksPointsForTheSpan() {
    try (UsageStats stats = engine()) {
      Instant now = clock.instant();
      assertThat(stats.query(stats.newQuery().from(now.minusSeconds(3600)).build()).granularity())
          .isEqualTo(Granularity.MINUTE);
      assertThat(
              stats
                  .query(stats.newQuery().from(now.minus(Duration.ofHours(30))).build())
                  .granularity())
          .isEqualTo(Granularity.HOUR);
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).granularity()).isEqualTo(Granularity.DAY);
      assertThat(
              stats
                  .query(stats.newQuery().from(now.minus(Duration.ofDays(200))).build())
                  .granularity())
          .isEqualTo(Granularity.WEEK);
    }
  }
}
