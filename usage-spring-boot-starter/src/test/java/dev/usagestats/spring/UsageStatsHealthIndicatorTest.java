package dev.usagestats.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.UsageStats;
import dev.usagestats.UsageStoreException;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageStore;
import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class UsageStatsHealthIndicatorTest {
  private static final Instant NOW = Instant.parse("2026-11-20T10:30:00Z");

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  UsageStatsAutoConfiguration.class, UsageStatsHealthAutoConfiguration.class));

  @Test
  void health_noStore_upWithStoreNone() {
    runner.run(
        ctx -> {
          Health h =
              ctx.getBean("usagestatsHealthIndicator", UsageStatsHealthIndicator.class).health();
          assertThat(h.getStatus()).isEqualTo(Status.UP);
          assertThat(h.getDetails())
              .containsEntry("store", "none")
              .containsEntry("pendingRows", 0L);
        });
  }

  @Test
  void health_disabledByProperty_noIndicator() {
    runner
        .withPropertyValues("management.health.usagestats.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(UsageStatsHealthIndicator.class));
  }

  @Test
  void health_userDefinedIndicator_autoConfiguredBacksOff() {
    runner
        .withBean(
            "usagestatsHealthIndicator",
            org.springframework.boot.health.contributor.HealthIndicator.class,
            () -> () -> Health.outOfService().build())
        .run(ctx -> assertThat(ctx).doesNotHaveBean(UsageStatsHealthIndicator.class));
  }

  @Test
  void health_storeRefusingWrites_downAfterMaxFlushAge() {
    TestClock clock = TestClock.of(NOW);
    FlakyStore store = new FlakyStore();
    try (UsageStats stats =
        UsageStats.builder().clock(clock).store(store).flushInterval(Duration.ZERO).build()) {
      UsageStatsHealthIndicator health =
          UsageStatsHealthIndicator.of(stats, true, Duration.ofMinutes(1), clock);
      stats.record("acme", "key-a", "m1", 10, 5);
      stats.flush();
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      assertThat(health.health().getDetails())
          .containsEntry("store", "reachable")
          .containsEntry("lastGoodFlush", NOW.toString());

      store.down = true;
      clock.advance(Duration.ofSeconds(30));
      stats.record("acme", "key-a", "m1", 10, 5);
      stats.flush();
      Health recent = health.health();
      assertThat(recent.getStatus()).as("last good flush 30 s ago").isEqualTo(Status.UP);

      clock.advance(Duration.ofSeconds(31));
      stats.flush();
      Health stale = health.health();
      assertThat(stale.getStatus()).isEqualTo(Status.DOWN);
      assertThat(stale.getDetails())
          .containsEntry("store", "unreachable")
          .containsEntry("lastGoodFlushAge", "PT1M1S");
      assertThat((Long) stale.getDetails().get("pendingRows")).isPositive();
      assertThat((Long) stale.getDetails().get("failedFlushes")).isPositive();

      store.down = false;
      stats.flush();
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    }
  }

  /** Accepts batches until {@code down}; then refuses them. Holds nothing. */
  static final class FlakyStore implements UsageStore {
    volatile boolean down;

    @Override
    public void append(UsageBatch batch) {
      if (down) throw new UsageStoreException("connection refused");
    }

    @Override
    public StoreResult read(StoreRead read) {
      if (down) throw new UsageStoreException("connection refused");
      return new StoreResult(java.util.List.of(), read.batchIds());
    }

    @Override
    public void close() {}
  }
}
