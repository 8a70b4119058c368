package dev.usagestats.micrometer;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs a recurring failure at most once per interval, with the count of those left out, so a
 * failing meter or registry cannot flood the host's logs. The module's one copy: usage-core keeps
 * its own for the engine, which adapters may not import.
 *
 * <p>Thread-safe and lock-free: concurrent callers race on one compare-and-set, and exactly one of
 * them logs when the interval has passed.
 */
final class RateLimitedLog {
  private final Logger log;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  RateLimitedLog(Logger log, long intervalNanos) {
    this(log, intervalNanos, System::nanoTime);
  }

  RateLimitedLog(Logger log, long intervalNanos, LongSupplier nanoTime) {
    this.log = log;
    this.intervalNanos = intervalNanos;
    this.nanoTime = nanoTime;
  }

  /**
   * Logs {@code message} and {@code t} at WARN unless a message was logged less than the interval
   * ago; then only counts it, and the next message logged says how many were left out.
   *
   * @return whether this call logged
   */
  boolean warn(String message, Throwable t) {
    long now = nanoTime.getAsLong();
    long at = nextAt.get();
    if ((at == Long.MIN_VALUE || now - at >= 0) && nextAt.compareAndSet(at, now + intervalNanos)) {
      long left = suppressed.getAndSet(0);
      if (left > 0) {
        log.warn("{} ({} similar failures not logged)", message, left, t);
      } else {
        log.warn(message, t);
      }
      return true;
    }
    suppressed.incrementAndGet();
    return false;
  }
}
