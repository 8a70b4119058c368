package dev.usagestats.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Logs a recurring failure at most once per interval, with the count of those left out, so a
 * failing store or meter cannot flood the host's logs. Thread-safe.
 */
final class RateLimitedLog {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  RateLimitedLog(Logger log, long intervalNanos) {
    this.log = log;
    this.intervalNanos = intervalNanos;
  }

  void warn(String message, @Nullable Throwable t) {
    long now = System.nanoTime();
    long at = nextAt.get();
    if ((at == Long.MIN_VALUE || now - at >= 0) && nextAt.compareAndSet(at, now + intervalNanos)) {
      long left = suppressed.getAndSet(0);
      if (left > 0) {
        log.warn("{} ({} similar failures not logged)", message, left, t);
      } else {
        log.warn(message, t);
      }
    } else {
      suppressed.incrementAndGet();
    }
  }
}
