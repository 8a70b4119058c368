package dev.usagestats.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.UsageStats;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
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
}
