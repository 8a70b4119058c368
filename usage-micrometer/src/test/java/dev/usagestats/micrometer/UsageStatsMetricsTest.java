package dev.usagestats.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.UsageStats;
import dev.usagestats.UsageStoreException;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import dev.usagestats.spi.UsageStore;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UsageStatsMetricsTest {
  @Test
  void bindTo_exposesEngineHealth() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (UsageStats stats =
        UsageStats.builder().maxSeries(2).flushInterval(Duration.ZERO).build()) {
      new UsageStatsMetrics(stats, Tags.of("engine", "main")).bindTo(registry);
      for (int i = 0; i < 10; i++) stats.record("t", "k" + i, "m", 1, 1);
      assertThatThrownBy(() -> stats.record("t", "k", "m", -1, 1))
          .isInstanceOf(IllegalArgumentException.class);

      assertThat(registry.get("usagestats.series").tag("engine", "main").gauge().value())
          .isEqualTo(3);
      assertThat(registry.get("usagestats.events.overflow").functionCounter().count()).isEqualTo(8);
      assertThat(registry.get("usagestats.events.rejected").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("usagestats.listener.failures").functionCounter().count()).isZero();
      assertThat(registry.get("usagestats.flush.pending.rows").gauge().value()).isZero();
      assertThat(registry.get("usagestats.flush.failures").functionCounter().count()).isZero();
      assertThat(registry.get("usagestats.flush.coarsened.rows").functionCounter().count())
          .isZero();
      assertThat(registry.get("usagestats.flush.dropped.calls").functionCounter().count()).isZero();
      assertThat(registry.get("usagestats.flush.last.success.age").gauge().value()).isNaN();
    }
  }

  /** Refuses rows of model "poison" for good; fails every write once {@code down} is set. */
  private static final class PickyStore implements UsageStore {
    volatile boolean down;

    @Override
    public void append(UsageBatch batch) {
      if (down) throw new UsageStoreException("store down");
      for (UsageDelta d : batch.deltas()) {
        if (d.key().model().equals("poison")) {
          throw new UsageStoreException("check constraint", null, true);
        }
      }
    }

    @Override
    public StoreResult read(StoreRead read) {
      return new StoreResult(List.of(), Set.of());
    }

    @Override
    public void close() {}
  }

  @Test
  void bindTo_countsRefusedRowsAndWhatCloseGaveUp() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PickyStore store = new PickyStore();
    UsageStats stats =
        UsageStats.builder()
            .store(store)
            .flushInterval(Duration.ZERO)
            .closeTimeout(Duration.ofMillis(100))
            .build();
    new UsageStatsMetrics(stats).bindTo(registry);
    for (int i = 0; i < 10; i++) stats.record("t", "k" + i, "good", 1, 1);
    stats.record("t", "k", "poison", 5, 5);
    stats.flush();
    assertThat(registry.get("usagestats.flush.refused.rows").functionCounter().count())
        .isEqualTo(1);
    assertThat(registry.get("usagestats.flush.refused.calls").functionCounter().count())
        .isEqualTo(1);
    store.down = true;
    stats.record("t", "k", "good", 30, 12);
    stats.record("t", "k", "good", 30, 12);
    stats.close();
    assertThat(registry.get("usagestats.flush.dropped.calls").functionCounter().count())
        .isEqualTo(2);
    assertThat(registry.get("usagestats.flush.dropped.tokens").functionCounter().count())
        .isEqualTo(84);
  }
}
