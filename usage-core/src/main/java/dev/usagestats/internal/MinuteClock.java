package dev.usagestats.internal;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The current UTC minute for records without a timestamp.
 *
 * <p>Reading the system clock costs about as much as the rest of a record on some machines, and a
 * record needs only the minute, so with the system clock a ticker thread keeps it: it wakes at each
 * minute boundary (and at least every second, to follow clock steps). An event within the ticker's
 * wake-up delay after a boundary (typically well under a millisecond) counts in the minute before.
 * Any other clock is read on every call. Thread-safe; {@link #minute()} is one volatile read.
 */
final class MinuteClock implements AutoCloseable {
  static final long MINUTE_MS = 60_000L;

  private final Clock clock;
  private final boolean ticking;
  private final @Nullable Thread ticker;
  private volatile long current;
  private volatile boolean closed;

  MinuteClock(Clock clock) {
    this.clock = clock;
    this.ticking = clock.getClass() == Clock.systemUTC().getClass();
    this.current = Math.floorDiv(clock.millis(), MINUTE_MS);
    this.ticker = ticking ? DaemonThreads.start("usagestats-clock", this::tick) : null;
  }

  /** The current UTC minute, in minutes since the epoch. */
  long minute() {
    return ticking ? current : Math.floorDiv(clock.millis(), MINUTE_MS);
  }

  /** The clock's time in epoch millis. */
  long millis() {
    return clock.millis();
  }

  private void tick() {
    while (!closed) {
      long now = clock.millis();
      current = Math.floorDiv(now, MINUTE_MS);
      long toNext = MINUTE_MS - Math.floorMod(now, MINUTE_MS);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(toNext, 1000)));
    }
  }

  /** Stops the ticker. */
  @Override
  public void close() {
    closed = true;
    if (ticker != null) LockSupport.unpark(ticker);
  }
}
