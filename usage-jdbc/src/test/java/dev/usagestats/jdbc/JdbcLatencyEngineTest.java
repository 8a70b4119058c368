package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.LatencyTotals;
import dev.usagestats.Outcome;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Latency end to end: events with durations and times to first token recorded through {@link
 * UsageStats} into a {@link JdbcUsageStore} report the same latency (every group, every trend
 * point) as an in-memory engine that saw the same events, with part of them still pending, after
 * every flush, and from a new engine over the compacted store alone.
 */
class JdbcLatencyEngineTest {
  private static final Instant NOW = Instant.parse("2026-11-20T10:07:00Z");
  private static final List<ZoneId> ZONES = List.of(ZoneId.of("UTC"), ZoneId.of("Asia/Kathmandu"));

  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) cleanup.get(i).close();
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void query_latency_equalsInMemoryEngine_alsoFromTheCompactedStoreAlone(Db db) {
    DataSource ds = db.dataSource();
    String prefix = Db.uniquePrefix();
    cleanup.add(() -> Db.drop(ds, prefix));
    TestClock clock = TestClock.of(NOW);
    UsageStats memory = UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build();
    cleanup.add(memory);
    UsageStats stored =
        UsageStats.builder()
            .clock(clock)
            .store(
                JdbcUsageStore.builder(ds)
                    .tablePrefix(prefix)
                    .createSchema(true)
                    .clock(clock)
                    .build())
            .nodeId("node-a")
            .flushInterval(Duration.ZERO)
            .build();
    Random rnd = new Random(8);
    for (int i = 0; i < 1_000; i++) {
      UsageEvent e = event(rnd, NOW.minusSeconds(rnd.nextInt(2 * 24 * 3600)));
      stored.record(e);
      memory.record(e);
      if (i == 700) stored.flush(); // the rest pending: store and memory combine
    }
    assertSame(stored, memory, "pending");
    stored.flush();
    assertSame(stored, memory, "flushed");
    stored.close();

    // Three days on, every minute row is past compactAfter (2 days) and folded; a new engine
    // reads the store alone.
    clock.advance(Duration.ofDays(3));
    JdbcUsageStore reopened = JdbcUsageStore.builder(ds).tablePrefix(prefix).clock(clock).build();
    assertThat(reopened.compact()).isPositive();
    try (UsageStats fresh =
        UsageStats.builder().clock(clock).store(reopened).flushInterval(Duration.ZERO).build()) {
      assertSame(fresh, memory, "compacted, new engine");
    }
  }

  private static UsageEvent event(Random rnd, Instant at) {
    long durationMs = Math.min((long) Math.exp(7 + rnd.nextGaussian()), 3_600_000);
    Duration duration = rnd.nextInt(6) == 0 ? null : Duration.ofMillis(durationMs);
    Duration ttft =
        duration != null && rnd.nextBoolean()
            ? Duration.ofMillis(rnd.nextLong(durationMs + 1))
            : null;
    return UsageEvent.builder()
        .timestamp(at)
        .tenant("tenant-" + rnd.nextInt(2))
        .apiKey("key-" + rnd.nextInt(3))
        .model("model-" + rnd.nextInt(3))
        .inputTokens(rnd.nextInt(5_000))
        .outputTokens(rnd.nextInt(900))
        .outcome(rnd.nextInt(9) == 0 ? Outcome.ERROR : Outcome.SUCCESS)
        .duration(duration)
        .timeToFirstToken(ttft)
        .build();
  }

  /** Every grouping, by UTC hour and by Kathmandu day, over the events' two days. */
  private static void assertSame(UsageStats got, UsageStats want, String when) {
    int withLatency = 0;
    for (ZoneId zone : ZONES) {
      Granularity g = zone.equals(ZoneId.of("UTC")) ? Granularity.HOUR : Granularity.DAY;
      for (GroupBy groupBy : GroupBy.values()) {
        UsageQuery q =
            UsageQuery.builder()
                .zone(zone)
                .from(NOW.minus(Duration.ofDays(2)).minus(Duration.ofHours(1)))
                .to(NOW.plus(Duration.ofHours(1)))
                .granularity(g)
                .groupBy(groupBy)
                .build();
        UsageReport a = got.query(q);
        UsageReport b = want.query(q);
        String what = when + " " + zone + " " + groupBy;
        assertThat(a.latency()).as(what).isEqualTo(b.latency());
        assertThat(a.totals()).as(what).isEqualTo(b.totals());
        assertThat(a.series()).as(what).hasSameSizeAs(b.series());
        for (int s = 0; s < b.series().size(); s++) {
          assertThat(a.series().get(s).latency()).as(what).isEqualTo(b.series().get(s).latency());
          for (int p = 0; p < b.series().get(s).points().size(); p++) {
            assertThat(a.series().get(s).points().get(p).latency())
                .as(what)
                .isEqualTo(b.series().get(s).points().get(p).latency());
          }
        }
        if (!a.latency().equals(LatencyTotals.empty())) withLatency++;
      }
    }
    assertThat(withLatency).isEqualTo(ZONES.size() * GroupBy.values().length);
  }
}
