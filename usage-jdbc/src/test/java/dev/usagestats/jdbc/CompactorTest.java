package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How compaction sizes its slices: bigger over sparse rows, smaller over dense ones. */
class CompactorTest {
  @Test
  void nextSlice_fewRows_doublesUpToADay() {
    assertThat(Compactor.nextSlice(7200, 0)).isEqualTo(14_400);
    assertThat(Compactor.nextSlice(7200, 12_499)).isEqualTo(14_400);
    assertThat(Compactor.nextSlice(57_600, 10)).isEqualTo(86_400);
    assertThat(Compactor.nextSlice(86_400, 10)).isEqualTo(86_400);
  }

  @Test
  void nextSlice_manyRows_halvesDownToAQuarterHourOnQuarterSteps() {
    assertThat(Compactor.nextSlice(7200, 100_001)).isEqualTo(3600);
    assertThat(Compactor.nextSlice(2700, 500_000)).isEqualTo(900); // 1350 floors to 900
    assertThat(Compactor.nextSlice(900, 500_000)).isEqualTo(900);
  }

  @Test
  void nextSlice_targetRows_kept() {
    assertThat(Compactor.nextSlice(7200, 12_500)).isEqualTo(7200);
    assertThat(Compactor.nextSlice(7200, 100_000)).isEqualTo(7200);
  }
}
