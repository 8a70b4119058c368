package dev.usagestats.internal;

import dev.usagestats.UsageStoreException;
import dev.usagestats.spi.UsageStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
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
 * 3. A batch that failed for a passing reason (connection, timeout, deadlock) stays first in line,
 *    frozen, and is retried whole after a backoff that doubles up to 2 x flushInterval:
 *    the store's ledger makes a retry after an ambiguous failure count once.
 * 4. A batch the store refused for good (UsageStoreException.isPermanent: a constraint, a value
 *    out of range) was not applied. It is split in halves, each written on its own, down to the
 *    single rows the store refuses; those are set aside, counted and logged once per batch, and
 *    the batches behind them flow. Replacing a batch by its halves holds the read-write lock's
 *    write side, whose read side every query holds from its pending snapshot to the end of its
 *    store read: a query that saw the batch whole reads the store before any half is written, and
 *    a later query sees the halves by their own ids, so none counts a row twice or misses one.
 *    Store writes never run under the write side, and the split keeps to the send's deadline.
 * 5. Nothing is acknowledged before the store says so. At close, what cannot be written by the
 *    deadline is counted as dropped (calls and tokens) and logged.
 * </pre>
 */
final class Flusher {
  static final long NO_DEADLINE = Long.MIN_VALUE;

  private final UsageStore store;
  private final PendingBuffer pending;
  private final ReadWriteLock splitLock;
  private final Clock clock;
  private final long flushIntervalMillis;
  private final long maxBackoffMillis;
  private final Duration closeTimeout;
  private final ReentrantLock sendLock = new ReentrantLock();
  private final AtomicLong failedFlushes = new AtomicLong();
  private final RateLimitedLog storeLog =
      new RateLimitedLog(Health.LOG, TimeUnit.MINUTES.toNanos(1));
  private final RateLimitedLog refusedLog =
      new RateLimitedLog(Health.LOG, TimeUnit.MINUTES.toNanos(1));
  private volatile long lastGoodFlush = Long.MIN_VALUE;
  private int consecutiveFailures; // guarded by sendLock
  private long nextSendAt = Long.MIN_VALUE; // guarded by sendLock

  Flusher(
      UsageStore store,
      PendingBuffer pending,
      ReadWriteLock splitLock,
      Clock clock,
      Duration flushInterval,
      Duration closeTimeout) {
    this.store = store;
    this.pending = pending;
    this.splitLock = splitLock;
    this.clock = clock;
    this.flushIntervalMillis = flushInterval.toMillis();
    this.maxBackoffMillis = maxBackoff(flushInterval).toMillis();
    this.closeTimeout = closeTimeout;
  }

  /**
   * The longest wait between retries after failures: 2 x flushInterval (at least 100 ms), so a
   * dashboard is current within about three flush intervals of the store coming back.
   */
  static Duration maxBackoff(Duration flushInterval) {
    return Duration.ofMillis(Math.max(100, 2 * flushInterval.toMillis()));
  }

  /**
   * Sends pending batches until none is left, one fails for a passing reason, or the deadline
   * passes.
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
        UsageStoreException refused = write(b);
        if (refused != null) {
          failedFlushes.incrementAndGet();
          long[] setAside = new long[2]; // rows, calls
          boolean done = resolve(b, deadline, setAside);
          if (setAside[0] > 0) {
            refusedLog.warn(
                "usage store refused "
                    + setAside[0]
                    + " rollup row(s) of a batch for good ("
                    + setAside[1]
                    + " calls); set aside so later batches flow, counted in"
                    + " EngineStats.refusedRows (refused so far: "
                    + pending.refusedRows()
                    + ")",
                refused);
          }
          if (!done) return false;
        } else if (nextSendAt != Long.MIN_VALUE) {
          return false;
        }
      }
      return true;
    } finally {
      sendLock.unlock();
    }
  }

  /**
   * Writes one batch. Returns the exception if the store refused it for good; on success or a
   * passing failure returns null, having acknowledged the batch or set the backoff.
   */
  private UsageStoreException write(PendingBuffer.Batch b) {
    try {
      store.append(pending.toBatch(b));
    } catch (RuntimeException e) {
      if (e instanceof UsageStoreException u && u.isPermanent()) return u;
      failedFlushes.incrementAndGet();
      consecutiveFailures++;
      long backoff =
          Math.min(
              maxBackoffMillis,
              Math.max(100, flushIntervalMillis) << Math.min(consecutiveFailures - 1, 16));
      nextSendAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
      storeLog.warn(
          "usage store write failed; "
              + pending.rows()
              + " pending rows kept, retrying in "
              + backoff
              + " ms",
          e);
      return null;
    }
    pending.acknowledge(b);
    consecutiveFailures = 0;
    nextSendAt = Long.MIN_VALUE;
    lastGoodFlush = clock.millis();
    return null;
  }

  /**
   * Finds the rows of a refused batch that the store refuses, by halves, and sets them aside,
   * adding their rows and calls to {@code setAside}. Caller holds the send lock. The split lock's
   * write side is held only while the batch is replaced by its halves, never across a write, so
   * queries wait for no store call.
   *
   * @return false if a half failed for a passing reason (it stays pending; the backoff is set) or
   *     the deadline passed (the rest stays pending, in halves)
   */
  private boolean resolve(PendingBuffer.Batch b, long deadline, long[] setAside) {
    if (b.rows.size() == 1) {
      PendingBuffer.Lost lost = pending.setAside(b);
      setAside[0] += lost.rows();
      setAside[1] += lost.calls();
      return true;
    }
    List<PendingBuffer.Batch> halves;
    splitLock.writeLock().lock();
    try {
      halves = pending.split(b);
    } finally {
      splitLock.writeLock().unlock();
    }
    for (PendingBuffer.Batch half : halves) {
      if (deadline != NO_DEADLINE && System.nanoTime() - deadline >= 0) return false;
      UsageStoreException again = write(half);
      if (again != null) {
        if (!resolve(half, deadline, setAside)) return false;
      } else if (nextSendAt != Long.MIN_VALUE) {
        return false;
      }
    }
    return true;
  }

  /** Retries pending batches until {@code deadline}, counts what is left, and closes the store. */
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
    PendingBuffer.Lost lost = pending.abandon();
    if (lost.rows() > 0) {
      Health.LOG.error(
          "usage store unavailable at close: {} rollup rows ({} calls, {} tokens) were not written"
              + " after {}; counted in EngineStats.droppedCalls",
          lost.rows(),
          lost.calls(),
          lost.tokens(),
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
        pending.droppedTokens(),
        pending.refusedRows(),
        pending.refusedCalls(),
        failedFlushes.get(),
        good == Long.MIN_VALUE ? null : Instant.ofEpochMilli(good));
  }
}
