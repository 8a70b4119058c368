package dev.usagestats.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestClockTest {
  private static final Instant T0 = Instant.parse("2026-11-20T10:07:00Z");

  @Test
  void of_readsStartInUtc() {
    TestClock clock = TestClock.of(T0);

    assertThat(clock.instant()).isEqualTo(T0);
    assertThat(clock.millis()).isEqualTo(T0.toEpochMilli());
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
  }

  @Test
  void of_dropsSubMillisecondPart() {
    assertThat(TestClock.of(T0.plusNanos(1_999_999)).instant()).isEqualTo(T0.plusMillis(1));
  }

  @Test
  void of_null() {
    assertThatNullPointerException().isThrownBy(() -> TestClock.of(null)).withMessage("start");
  }

  @Test
  void set_movesForwardAndBack() {
    TestClock clock = TestClock.of(T0);

    clock.set(T0.plusSeconds(90));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(90));
    clock.set(T0.minusSeconds(90));
    assertThat(clock.instant()).isEqualTo(T0.minusSeconds(90));
  }

  @Test
  void advance_addsDuration() {
    TestClock clock = TestClock.of(T0);

    clock.advance(Duration.ofHours(1));
    clock.advance(Duration.ofMinutes(-15));

    assertThat(clock.instant()).isEqualTo(T0.plus(Duration.ofMinutes(45)));
  }

  @Test
  void advance_null() {
    assertThatNullPointerException()
        .isThrownBy(() -> TestClock.of(T0).advance(null))
        .withMessage("duration");
  }

  @Test
  void advance_concurrentCallsAllCount() throws InterruptedException {
    TestClock clock = TestClock.of(T0);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(
          new Thread(
              () -> {
                for (int i = 0; i < 100_000; i++) clock.advance(Duration.ofMillis(1));
              }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) t.join();

    assertThat(clock.instant()).isEqualTo(T0.plusMillis(400_000));
  }

  @Test
  void withZone_sharesTime() {
    TestClock utc = TestClock.of(T0);
    TestClock kathmandu = utc.withZone(ZoneId.of("Asia/Kathmandu"));

    utc.advance(Duration.ofMinutes(5));
    assertThat(kathmandu.instant()).isEqualTo(T0.plusSeconds(300));
    kathmandu.advance(Duration.ofMinutes(5));
    assertThat(utc.instant()).isEqualTo(T0.plusSeconds(600));
    assertThat(kathmandu.getZone()).isEqualTo(ZoneId.of("Asia/Kathmandu"));
    assertThat(utc.withZone(ZoneOffset.UTC)).isSameAs(utc);
  }
}
