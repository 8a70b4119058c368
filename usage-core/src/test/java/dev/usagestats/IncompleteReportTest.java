package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A report over a range that starts before the oldest usage kept says from when it is complete
 * ({@link UsageReport#incompleteBefore()}), and counts exactly the usage from there on: from memory
 * (its retention) and from a store (its {@code keptFrom}).
 */
class IncompleteReportTest {
  private static final Instant START = Instant.parse("2026-11-01T00:07:00Z");

  private final TestClock clock = TestClock.of(START);
  private final List<UsageEvent> events = new ArrayList<>();

  /** Every 50 minutes for {@code days} days, one event of one of two models. */
  private void record(UsageStats stats, int days) {
    Instant end = START.plus(Duration.ofDays(days));
    int i = 0;
    while (clock.instant().isBefore(end)) {
      UsageEvent e =
          UsageEvent.of(
              clock.instant(), "t", "key-" + (i % 3), i % 2 == 0 ? "m-a" : "m-b", 7 + i, 3);
      stats.record(e);
      events.add(e);
      i++;
      clock.advance(Duration.ofMinutes(50));
      if (i % 20 == 0) stats.flush();
    }
    stats.flush();
  }

  /** The reference: calls and tokens of the events in {@code [from, to)}. */
  private long[] sum(Instant from, Instant to) {
    long calls = 0;
    long tokens = 0;
    for (UsageEvent e : events) {
      if (e.timestamp().isBefore(from) || !e.timestamp().isBefore(to)) continue;
      calls++;
      tokens += e.inputTokens() + e.outputTokens();
    }
    return new long[] {calls, tokens};
  }

  private static long[] of(UsageReport r) {
    return new long[] {r.totals().calls(), r.totals().totalTokens()};
  }

  @Test
  void query_memoryPastRetention_saysFromWhenAndCountsTheRest() {
    Duration retention = Duration.ofDays(2);
    try (UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .retention(retention)
            .build()) {
      record(stats, 9);
      Instant now = clock.instant();
      ZoneId zone = ZoneId.of("Asia/Kathmandu");
      for (Granularity g : List.of(Granularity.HOUR, Granularity.DAY, Granularity.WEEK)) {
        UsageReport r =
            stats.query(
                UsageQuery.builder()
                    .from(START)
                    .to(now)
                    .zone(zone)
                    .granularity(g)
                    .groupBy(GroupBy.MODEL)
                    .build());
        Instant kept = r.incompleteBefore();
        assertThat(kept).as("%s", g).isNotNull().isAfter(r.from());
        // memory keeps at least its retention
        assertThat(kept).isBeforeOrEqualTo(now.minus(retention));
        assertThat(of(r)).as("%s", g).containsExactly(sum(kept, r.to()));
        long trendCalls =
            r.series().stream()
                .flatMap(s -> s.points().stream())
                .mapToLong(TrendPoint::calls)
                .sum();
        assertThat(trendCalls).isEqualTo(sum(kept, r.to())[0]);

        // from the kept part on (a UTC day start), nothing is missing
        UsageReport whole =
            stats.query(
                UsageQuery.builder().from(kept).to(now).granularity(Granularity.HOUR).build());
        assertThat(whole.incompleteBefore()).isNull();
        assertThat(of(whole)).containsExactly(sum(kept, whole.to()));
      }
      // a report inside retention is whole
      UsageReport recent =
          stats.query(UsageQuery.builder().from(now.minus(Duration.ofDays(1))).to(now).build());
      assertThat(recent.incompleteBefore()).isNull();
      assertThat(of(recent)).containsExactly(sum(recent.from(), recent.to()));
    }
  }

  @Test
  void query_memoryNeverPastRetention_isWhole() {
    try (UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .retention(Duration.ofDays(15))
            .build()) {
      record(stats, 3);
      UsageReport r =
          stats.query(
              UsageQuery.builder()
                  .from(START.minus(Duration.ofDays(30)))
                  .to(clock.instant())
                  .build());
      assertThat(r.incompleteBefore()).isNull();
      assertThat(of(r)).containsExactly(sum(r.from(), r.to()));
    }
  }

  @Test
  void query_minutesPastMinuteRetention_stillRefused() {
    try (UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .minuteRetention(Duration.ofHours(3))
            .build()) {
      record(stats, 1);
      Instant from = clock.instant().minus(Duration.ofHours(12));
      assertThatThrownBy(
              () ->
                  stats.query(
                      UsageQuery.builder()
                          .from(from)
                          .to(from.plusSeconds(600))
                          .granularity(Granularity.MINUTE)
                          .build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("minuteRetention PT3H")
          .hasMessageEndingWith(from.toString());
    }
  }

  @Test
  void query_storePastItsRetention_saysFromWhenTheStoreIsWhole() {
    InMemoryStore store = new InMemoryStore();
    try (UsageStats stats =
        UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).store(store).build()) {
      record(stats, 6);
      Instant kept = Instant.parse("2026-11-03T01:00:00Z");
      store.keptFrom = kept;
      Instant now = clock.instant();
      for (GroupBy by : GroupBy.values()) {
        UsageReport r =
            stats.query(
                UsageQuery.builder()
                    .from(START)
                    .to(now)
                    .granularity(Granularity.DAY)
                    .groupBy(by)
                    .build());
        assertThat(r.incompleteBefore()).isEqualTo(kept);
        assertThat(of(r)).containsExactly(sum(kept, r.to()));
      }
      // starting on the kept instant, or later: whole
      UsageReport whole =
          stats.query(
              UsageQuery.builder().from(kept).to(now).granularity(Granularity.HOUR).build());
      assertThat(whole.incompleteBefore()).isNull();
      assertThat(of(whole)).containsExactly(sum(kept, whole.to()));
      // a store that keeps everything: whole
      store.keptFrom = null;
      UsageReport all =
          stats.query(
              UsageQuery.builder().from(START).to(now).granularity(Granularity.DAY).build());
      assertThat(all.incompleteBefore()).isNull();
      assertThat(of(all)).containsExactly(sum(START, now));
    }
  }
}
