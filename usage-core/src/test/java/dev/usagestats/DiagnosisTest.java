package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DiagnosisTest {
  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");
  private static final String R1 = "public/deepseek-r1";
  private static final String QWEN = "public/qwen3";
  private static final String GLM = "public/glm-4";

  /**
   * Three models over 48 hours, 60 calls an hour at about 800 ms. R1: at hour 30, 8x the calls and
   * 3x the latency (spike and slowdown). Qwen: at hour 20, 8x the calls at the usual speed (a spike
   * alone: no finding). GLM: at hour 40, the usual calls at 3x the latency (a slowdown alone).
   */
  @Test
  void plantedSpikeAndSlowdowns_areFoundAsTheyWere() {
    TestClock clock = TestClock.of(T0);
    Random rnd = new Random(1);
    try (UsageStats stats = UsageStats.builder().clock(clock).build()) {
      for (int h = 0; h < 48; h++) {
        for (String model : new String[] {R1, QWEN, GLM}) {
          int calls = 60;
          double slow = 1;
          if (model.equals(R1) && h == 30) {
            calls = 480;
            slow = 3;
          }
          if (model.equals(QWEN) && h == 20) calls = 480;
          if (model.equals(GLM) && h == 40) slow = 3;
          for (int i = 0; i < calls; i++) {
            clock.set(T0.plus(Duration.ofHours(h)).plusSeconds(rnd.nextInt(3600)));
            long nanos = (long) (800e6 * slow * Math.exp(0.2 * rnd.nextGaussian()));
            stats.record(
                "acme", "key-a", model, 1000, 200, 0, 0, 0, Outcome.SUCCESS, nanos, nanos / 4);
          }
        }
      }
      clock.set(T0.plus(Duration.ofHours(48)));
      UsageQuery q =
          UsageQuery.builder()
              .from(T0)
              .to(T0.plus(Duration.ofHours(48)))
              .granularity(Granularity.HOUR)
              .build();
      Diagnosis d = stats.diagnose(q);
      assertThat(d.findings()).hasSize(2);
      Diagnosis.Finding spike = d.findings(Diagnosis.Kind.SPIKE_WITH_SLOWDOWN).get(0);
      assertThat(spike.model()).isEqualTo(R1);
      assertThat(spike.label()).isEqualTo(R1);
      assertThat(spike.start()).isEqualTo(T0.plus(Duration.ofHours(30)));
      assertThat(spike.calls()).isEqualTo(480);
      assertThat(spike.medianCalls()).isEqualTo(60);
      assertThat(spike.usageRatio()).isEqualTo(8.0);
      assertThat(spike.latencyRatio()).isBetween(2.5, 3.5);
      Diagnosis.Finding slowdown = d.findings(Diagnosis.Kind.SLOWDOWN).get(0);
      assertThat(slowdown.model()).isEqualTo(GLM);
      assertThat(slowdown.start()).isEqualTo(T0.plus(Duration.ofHours(40)));
      assertThat(slowdown.calls()).isEqualTo(60);
      assertThat(d.findings()).noneMatch(f -> f.model().equals(QWEN));
      // a plain function of the report's data
      assertThat(Diagnosis.of(stats.query(q))).isEqualTo(d);
      // stricter thresholds find nothing
      assertThat(Diagnosis.of(stats.query(q), new Diagnosis.Thresholds(10, 5, 10)).findings())
          .isEmpty();
    }
  }

  @Test
  void thresholds_refuseNonsenseNamingTheField() {
    assertThatThrownBy(() -> new Diagnosis.Thresholds(1, 1.5, 10))
        .hasMessageContaining("usageRatio must be > 1 and finite: 1.0");
    assertThatThrownBy(() -> new Diagnosis.Thresholds(2, Double.NaN, 10))
        .hasMessageContaining("latencyRatio");
    assertThatThrownBy(() -> new Diagnosis.Thresholds(2, 1.5, 0)).hasMessageContaining("minCalls");
  }
}
