package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyTest {
  private static final Instant T0 = Instant.parse("2026-03-10T08:00:00Z");

  @Test
  void record_withLatency_reportsItPerBucketAtEveryGranularity() {
    TestClock clock = TestClock.of(T0);
    try (UsageStats stats = UsageStats.builder().clock(clock).build()) {
      stats.record(
          "acme", "key-a", "m", 10, 20, 0, 0, 0, Outcome.SUCCESS, 1_500_000_000L, 200_000_000L);
      clock.advance(Duration.ofMinutes(1));
      stats.record(
          UsageEvent.builder()
              .timestamp(T0.plusSeconds(30))
              .tenant("acme")
              .apiKey("key-a")
              .model("m")
              .outputTokens(5)
              .duration(Duration.ofMillis(700))
              .build());
      for (Granularity g : List.of(Granularity.MINUTE, Granularity.HOUR, Granularity.DAY)) {
        UsageReport r =
            stats.query(
                UsageQuery.builder().from(T0).to(T0.plusSeconds(3600)).granularity(g).build());
        assertThat(r.latencySummary().duration().count()).as("%s", g).isEqualTo(2);
        assertThat(r.latencySummary().timeToFirstToken().count()).isEqualTo(1);
        assertThat(r.latencySummary().duration().maxMillis()).isEqualTo(1503);
        assertThat(r.series().get(0).points().get(0).latency().duration().count()).isEqualTo(2);
        assertThat(r.latency().streamedOutputTokens()).isEqualTo(20);
        assertThat(r.latency().generationMillis()).isEqualTo(1300);
        assertThat(r.latencySummary().outputTokensPerSecond()).isEqualTo(20 * 1000.0 / 1300);
      }
    }
  }
}
