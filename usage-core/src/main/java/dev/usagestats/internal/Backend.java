package dev.usagestats.internal;

import org.jspecify.annotations.Nullable;

/**
 * Where drained deltas go and where reports are read from: memory rollups ({@link MemoryBackend})
 * or a store with its pending rows ({@link StoreBackend}). The engine composes exactly one, so no
 * other code asks whether there is a store.
 *
 * <p>{@link #accept} and {@link #begin} are called under the engine's drain lock, right after a
 * drain; the rest may be called from any thread.
 */
interface Backend extends Series.DeltaSink {
  /**
   * Why an event at {@code timestamp} cannot be kept (a message ending where the timestamp is to be
   * appended), or null if it can.
   */
  @Nullable String refuseTimestamp(long timestamp, long now);

  /**
   * Reads, under the drain lock, what must be read consistently with the drain, and returns the
   * part of the read that may run outside it (a store read, which may block on I/O).
   */
  Read begin(ReportAccumulator acc);

  /**
   * Writes what is pending, oldest first, giving up at {@code deadline} ({@link System#nanoTime()}
   * value; {@link Long#MIN_VALUE} for none).
   *
   * @param force ignore the backoff after a failure
   * @return true if nothing is pending afterwards
   */
  boolean send(boolean force, long deadline);

  /** Writes what is left until {@code deadline}, then releases the store. Called once. */
  void close(long deadline);

  /** Figures for {@link dev.usagestats.EngineStats}. */
  FlushStats flushStats();

  /** The part of a read that runs outside the drain lock. */
  @FunctionalInterface
  interface Read {
    /** Nothing left to read. */
    Read DONE = () -> {};

    /** Finishes the read into the accumulator given to {@link #begin}. */
    void finish();
  }
}
