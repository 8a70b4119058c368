package dev.usagestats.internal;

import dev.usagestats.spi.UsageStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends pending batches to the store, oldest first, one at a time, with backoff after a failure.
 *
 * <pre>
 * Assumptions and guarantees
 *
 * 1. Owns the send lock, the backoff state and the write figures; the PendingBuffer owns the rows.
 * 2. Called by the engine's background thread, by flush() and by close(), from any thread; one
 *    send runs at a time. A send with a deadline waits for the lock only until then, and starts
 *    no batch after it.
 * 3. A failed batch stays first in line, frozen, and is retried whole: the store's ledger makes a
 *    retry after an ambiguous failure count once. Nothing is acknowledged before the store says so.
 * </pre>
 */
final class Flusher {
  static final long NO_DEADLINE = Long.MIN_VALUE;
  private static final long MAX_BACKOFF_MS = 60_000L;

  private final UsageStore store;
  private final PendingBuffer pending;
  private final Clock clock;
  private final long flushIntervalMillis;
  private final Duration closeTimeout;
  private final ReentrantLock sendLock = new ReentrantLock();
  private final AtomicLong failedFlushes = new AtomicLong();
  private final RateLimitedLog storeLog =
      new RateLimitedLog(Health.LOG, TimeUnit.MINUTES.toNanos(1));
  private volatile long lastGoodFlush = Long.MIN_VALUE;
  private int consecutiveFailures; // guarded by sendLock
  private long nextSendAt = Long.MIN_VALUE; // guarded by sendLock

  Flusher(
      UsageStore store,
      PendingBuffer pending,
      Clock clock,
      Duration flushInterval,
      Duration closeTimeout) {
    this.store = store;
    this.pending = pending;
    this.clock = clock;
    this.flushIntervalMillis = flushInterval.toMillis();
    this.closeTimeout = closeTimeout;
  }

  /**
   * Sends pending batches until none is left, one fails, or the deadline passes.
   *
   * @param force ignore the backoff
   * @param deadline a {@link System#nanoTime()} value, or {@link #NO_DEADLINE}
   * @return true if nothing is pending afterwards
   */
  boolean send(boolean force, long deadline) {
    if (deadline == NO_DEADLINE) {
      sendLock.lock();
    } else {
      try {
        if (!sendLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    try {
      if (!force && nextSendAt != Long.MIN_VALUE && System.nanoTime() - nextSendAt < 0) {
        return false;
      }
      PendingBuffer.Batch b;
      while ((b = pending.next()) != null) {
        if (deadline != NO_DEADLINE && System.nanoTime() - deadline >= 0) return false;
        try {
          store.append(pending.toBatch(b));
        } catch (RuntimeException e) {
          failedFlushes.incrementAndGet();
          consecutiveFailures++;
          long backoff =
              Math.min(
                  MAX_BACKOFF_MS,
                  Math.max(100, flushIntervalMillis) << Math.min(consecutiveFailures - 1, 16));
          nextSendAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
          storeLog.warn(
              "usage store write failed; "
                  + pending.rows()
                  + " pending rows kept, retrying in "
                  + backoff
                  + " ms",
              e);
          return false;
        }
        pending.acknowledge(b);
        consecutiveFailures = 0;
        nextSendAt = Long.MIN_VALUE;
        lastGoodFlush = clock.millis();
      }
      return true;
    } finally {
      sendLock.unlock();
    }
  }

  /** Retries pending batches until {@code deadline}, logs what is left, and closes the store. */
  void close(long deadline) {
    long pause = 50;
    while (!send(true, deadline)) {
      if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) break;
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      pause = Math.min(pause * 2, 1000);
    }
    long left = pending.rows();
    if (left > 0) {
      Health.LOG.error(
          "usage store unavailable at close: {} rollup rows were not written after {}",
          left,
          closeTimeout);
    }
    try {
      store.close();
    } catch (RuntimeException e) {
      Health.LOG.warn("usage store failed to close", e);
    }
  }

  FlushStats stats() {
    long good = lastGoodFlush;
    return new FlushStats(
        pending.rows(),
        pending.coarsenedRows(),
        pending.droppedCalls(),
        failedFlushes.get(),
        good == Long.MIN_VALUE ? null : Instant.ofEpochMilli(good));
  }
}
