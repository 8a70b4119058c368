package dev.usagestats.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that stands still until the test moves it, for code that takes its time from an
 * injected clock, as {@code UsageStats.builder().clock(...)} does.
 *
 * <pre>{@code
 * TestClock clock = TestClock.of(Instant.parse("2026-11-20T10:07:00Z"));
 * UsageStats stats = UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build();
 * stats.record("acme", "key-7f3a", "public/deepseek-r1", 1200, 350);
 * clock.advance(Duration.ofHours(1)); // the next event lands an hour later
 * stats.record("acme", "key-7f3a", "public/deepseek-r1", 800, 90);
 * }</pre>
 *
 * <p>Guarantees:
 *
 * <ol>
 *   <li>Time has millisecond precision: {@link #instant()} is always a whole millisecond, and
 *       {@link #set} and {@link #advance} drop anything finer.
 *   <li>Time moves only through {@link #set} and {@link #advance}, never by itself; it may move
 *       backwards if the test sets it so.
 *   <li>Thread-safe. A move is visible to every thread's next read ({@code volatile} semantics);
 *       concurrent {@link #advance} calls are atomic, so none is lost. Reads and moves never block.
 *   <li>The zone is UTC; {@link #withZone} returns a view in another zone that shares this clock's
 *       time, so moving either moves both.
 * </ol>
 */
public final class TestClock extends Clock {
  private final AtomicLong millis;
  private final ZoneId zone;

  private TestClock(AtomicLong millis, ZoneId zone) {
    this.millis = millis;
    this.zone = zone;
  }

  /**
   * A clock in UTC that reads {@code start} (to the millisecond) until it is moved.
   *
   * @throws NullPointerException if {@code start} is null
   * @throws ArithmeticException if {@code start} is beyond the range of epoch milliseconds
   */
  public static TestClock of(Instant start) {
    Objects.requireNonNull(start, "start");
    return new TestClock(new AtomicLong(start.toEpochMilli()), ZoneOffset.UTC);
  }

  /**
   * Sets the time to {@code instant}, to the millisecond.
   *
   * @throws NullPointerException if {@code instant} is null
   * @throws ArithmeticException if {@code instant} is beyond the range of epoch milliseconds
   */
  public void set(Instant instant) {
    Objects.requireNonNull(instant, "instant");
    millis.set(instant.toEpochMilli());
  }

  /**
   * Moves the time by {@code duration}, to the millisecond; a negative duration moves it back.
   *
   * @throws NullPointerException if {@code duration} is null
   * @throws ArithmeticException if {@code duration} is beyond the range of milliseconds
   */
  public void advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    millis.addAndGet(duration.toMillis());
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  /** UTC, unless this clock came from {@link #withZone}. */
  @Override
  public ZoneId getZone() {
    return zone;
  }

  /**
   * A clock in {@code zone} that shares this clock's time: moving either moves both.
   *
   * @throws NullPointerException if {@code zone} is null
   */
  @Override
  public TestClock withZone(ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    return zone.equals(this.zone) ? this : new TestClock(millis, zone);
  }

  @Override
  public String toString() {
    return "TestClock[" + instant() + "," + zone + "]";
  }
}
