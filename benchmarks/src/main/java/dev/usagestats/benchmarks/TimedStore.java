package dev.usagestats.benchmarks;

import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link UsageStore} that times each {@link #append} of the store it wraps and keeps one {@link
 * Flush} per call, for the scale scenario ({@link ScaleNode}). Reads pass through untimed.
 *
 * <p>Thread-safe: the engine appends from its flusher thread and the scenario reads the log after
 * {@code close()}; both go through this object's lock, held only to add or copy a log entry, never
 * around the store's I/O.
 */
final class TimedStore implements UsageStore {
  /**
   * One append as the database saw it.
   *
   * @param startMillis wall time the call started, epoch milliseconds
   * @param rows deltas in the batch (each one upsert of a rollup row)
   * @param nanos how long {@code append} took, including a failure
   * @param ok whether it returned normally
   */
  record Flush(long startMillis, int rows, long nanos, boolean ok) {}

  private final UsageStore store;
  private final List<Flush> log = new ArrayList<>();

  TimedStore(UsageStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  @Override
  public void append(UsageBatch batch) {
    long wall = System.currentTimeMillis();
    long start = System.nanoTime();
    boolean ok = false;
    try {
      store.append(batch);
      ok = true;
    } finally {
      Flush f = new Flush(wall, batch.deltas().size(), System.nanoTime() - start, ok);
      synchronized (log) {
        log.add(f);
      }
    }
  }

  @Override
  public StoreResult read(StoreRead read) {
    return store.read(read);
  }

  /** The appends so far, in the order they finished. */
  List<Flush> flushes() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
