package dev.usagestats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FlusherTest {
  @Test
  void maxBackoff_isTwiceTheFlushInterval() {
    assertThat(Flusher.maxBackoff(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(10));
    assertThat(Flusher.maxBackoff(Duration.ofMinutes(1))).isEqualTo(Duration.ofMinutes(2));
    assertThat(Flusher.maxBackoff(Duration.ZERO)).isEqualTo(Duration.ofMillis(100));
  }
}
