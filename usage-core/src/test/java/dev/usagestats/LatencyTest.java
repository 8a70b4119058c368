package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

  @Test
  void merging_overBucketsKeysAndModels_equalsOneHistogramOfEverything() {
    TestClock clock = TestClock.of(T0);
    Random rnd = new Random(42);
    LatencyHistogram.Builder all = new LatencyHistogram.Builder();
    try (UsageStats stats = UsageStats.builder().clock(clock).build()) {
      for (int i = 0; i < 5000; i++) {
        clock.set(T0.plusSeconds(rnd.nextInt(6 * 86_400)));
        long nanos = (long) (Math.exp(rnd.nextGaussian() + 20.7));
        stats.record(
            "acme",
            "key-" + rnd.nextInt(7),
            "model-" + rnd.nextInt(5),
            10,
            10,
            0,
            0,
            0,
            Outcome.SUCCESS,
            nanos,
            UsageSeries.NO_LATENCY);
        all.addMillis(nanos / 1_000_000L, 1);
      }
      clock.set(T0.plus(Duration.ofDays(7)));
      for (GroupBy by : GroupBy.values()) {
        for (Granularity g : List.of(Granularity.HOUR, Granularity.DAY)) {
          UsageReport r =
              stats.query(
                  UsageQuery.builder()
                      .from(T0)
                      .to(T0.plus(Duration.ofDays(7)))
                      .zone(ZoneId.of("Asia/Kathmandu"))
                      .granularity(g)
                      .groupBy(by)
                      .build());
          assertThat(r.latency().duration()).isEqualTo(all.build());
          LatencyHistogram.Builder fromSeries = new LatencyHistogram.Builder();
          for (TrendSeries s : r.series()) fromSeries.add(s.latency().duration());
          assertThat(fromSeries.build()).isEqualTo(all.build());
          assertThat(r.latencySummary().duration().p95Millis())
              .isEqualTo(all.build().valueAtPercentile(95));
        }
      }
    }
  }

  @Test
  void concurrentRecordsAndQueries_neverSeeCallsWithoutTheirLatency() throws Exception {
    TestClock clock = TestClock.of(T0);
    try (UsageStats stats = UsageStats.builder().clock(clock).build()) {
      int threads = 4;
      int perThread = 20_000;
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread th =
            new Thread(
                () -> {
                  UsageSeries s = stats.series("acme", "key-" + (id % 2), "m");
                  for (int i = 0; i < perThread; i++) {
                    s.record(1, 2, 0, 0, 0, Outcome.SUCCESS, 1_000_000L * (2 + i % 900), 500_000L);
                  }
                });
        ts.add(th);
        th.start();
      }
      UsageQuery q =
          UsageQuery.builder()
              .from(T0)
              .to(T0.plusSeconds(60))
              .granularity(Granularity.MINUTE)
              .build();
      boolean running = true;
      while (running) {
        running = ts.stream().anyMatch(Thread::isAlive);
        UsageReport r = stats.query(q);
        assertThat(r.latencySummary().duration().count()).isEqualTo(r.totals().calls());
        assertThat(r.latencySummary().timeToFirstToken().count()).isEqualTo(r.totals().calls());
        assertThat(r.latency().streamedOutputTokens()).isEqualTo(r.totals().outputTokens());
      }
      for (Thread t : ts) t.join();
      UsageReport r = stats.query(q);
      assertThat(r.totals().calls()).isEqualTo((long) threads * perThread);
      assertThat(r.latencySummary().duration().count()).isEqualTo((long) threads * perThread);
    }
  }

  @Test
  void badLatency_isRefusedNamingFieldAndValue_andNothingIsRecorded() {
    TestClock clock = TestClock.of(T0);
    try (UsageStats stats = UsageStats.builder().clock(clock).build()) {
      UsageSeries s = stats.series("acme", "key-a", "m");
      assertThatThrownBy(() -> s.record(1, 1, 0, 0, 0, Outcome.SUCCESS, -5, -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("durationNanos")
          .hasMessageContaining("-5");
      assertThatThrownBy(() -> s.record(1, 1, 0, 0, 0, Outcome.SUCCESS, 3_600_000_000_001L, -1))
          .hasMessageContaining("durationNanos")
          .hasMessageContaining("3600000000001");
      assertThatThrownBy(() -> s.record(1, 1, Duration.ofNanos(-1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("duration")
          .hasMessageContaining("PT-0.000000001S");
      assertThatThrownBy(() -> s.record(1, 1, 0, 0, 0, Outcome.SUCCESS, 1_000, 2_000))
          .hasMessageContaining("timeToFirstTokenNanos must be <= durationNanos (1000): 2000");
      assertThatThrownBy(
              () -> stats.record("acme", "key-a", "m", 1, 1, 0, 0, 0, Outcome.SUCCESS, -1, -7))
          .hasMessageContaining("timeToFirstTokenNanos")
          .hasMessageContaining("-7");
      assertThatThrownBy(
              () ->
                  UsageEvent.builder()
                      .timestamp(T0)
                      .tenant("acme")
                      .apiKey("key-a")
                      .model("m")
                      .duration(Duration.ofMillis(10))
                      .timeToFirstToken(Duration.ofMillis(11))
                      .build())
          .hasMessageContaining("timeToFirstTokenNanos must be <= durationNanos");
      assertThatThrownBy(
              () ->
                  UsageEvent.builder()
                      .timestamp(T0)
                      .tenant("acme")
                      .apiKey("key-a")
                      .model("m")
                      .duration(Duration.ofHours(2))
                      .build())
          .hasMessageContaining("duration")
          .hasMessageContaining("PT2H");
      UsageReport r = stats.query(UsageQuery.builder().from(T0).to(T0.plusSeconds(60)).build());
      assertThat(r.totals().calls()).isZero();
      assertThat(r.latency().duration().isEmpty()).isTrue();
      assertThat(stats.stats().rejectedEvents()).isEqualTo(4);
      assertThat(stats.series("acme", "key-a", "m").key().isOverflow()).isFalse();
    }
  }

  @Test
  void latencyFarFromNow_recordsLikeAnyOtherEvent() {
    // The latency bin keys name a series' minute slot, not the minute: any year records.
    Instant t = Instant.parse("2300-01-01T00:00:00Z");
    TestClock clock = TestClock.of(t);
    try (UsageStats stats = UsageStats.builder().clock(clock).build()) {
      stats.record("acme", "key-a", "m", 1, 1, 0, 0, 0, Outcome.SUCCESS, 5_000_000, 1_000_000);
      UsageReport r = stats.query(UsageQuery.builder().from(t).to(t.plusSeconds(60)).build());
      assertThat(r.totals().calls()).isEqualTo(1);
      assertThat(r.latencySummary().duration().count()).isEqualTo(1);
      assertThat(r.latencySummary().timeToFirstToken().count()).isEqualTo(1);
      assertThat(stats.stats().rejectedEvents()).isZero();
    }
  }
}
