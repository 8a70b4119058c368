package dev.usagestats.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recording side's health counters, shared by the parts that count: rejected events, events
 * sent to the overflow series, and listener failures (logged at most once a minute). Thread-safe;
 * every counter is one atomic add.
 */
final class Health {
  /** The engine's logger, named after the public entry point. */
  static final Logger LOG = LoggerFactory.getLogger("dev.usagestats.UsageStats");

  final AtomicLong rejected = new AtomicLong();
  final AtomicLong overflowEvents = new AtomicLong();
  final AtomicLong listenerFailures = new AtomicLong();
  private final RateLimitedLog listenerLog = new RateLimitedLog(LOG, TimeUnit.MINUTES.toNanos(1));

  /** Counts and logs a listener failure; rethrows what no one should catch. */
  void listenerFailed(String what, Throwable t) {
    if (t instanceof VirtualMachineError e) throw e;
    listenerFailures.incrementAndGet();
    listenerLog.warn(what, t);
  }
}
