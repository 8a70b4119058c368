package dev.usagestats.internal;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A backend's part of the engine's health: what waits for the store and how writes went.
 *
 * @param pendingRows rollup rows waiting for the store
 * @param coarsenedRows pending rows kept per quarter hour because the store fell behind
 * @param droppedCalls calls lost because the pending cap was full or close() gave up
 * @param droppedTokens input plus output tokens of the dropped calls
 * @param refusedRows rows the store refused for good, set aside
 * @param refusedCalls calls in the refused rows
 * @param failedFlushes store writes that failed
 * @param lastGoodFlush when the store last accepted a batch, or null if never
 */
record FlushStats(
    long pendingRows,
    long coarsenedRows,
    long droppedCalls,
    long droppedTokens,
    long refusedRows,
    long refusedCalls,
    long failedFlushes,
    @Nullable Instant lastGoodFlush) {
  /** Memory only: nothing pending, nothing failed. */
  static final FlushStats NONE = new FlushStats(0, 0, 0, 0, 0, 0, 0, null);
}
