package dev.usagestats;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The engine's own health, for dashboards and alerts. A snapshot; values may move while read.
 *
 * @param series series in the table, the overflow series included
 * @param overflowEvents events sent to the overflow series because the series cap was reached
 * @param rejectedEvents events refused for bad arguments
 * @param listenerFailures exceptions thrown by listeners, caught and counted
 * @param pendingRows rollup rows waiting to be written to the store (0 without a store)
 * @param coarsenedRows pending rows kept per 15 minutes instead of per minute because the store
 *     fell behind (hour, day, week and month totals stay exact; MINUTE buckets lose detail)
 * @param droppedCalls calls lost: the store stayed down until the pending cap was full, or was
 *     still down when {@code close()} gave up
 * @param droppedTokens input plus output tokens of the dropped calls
 * @param refusedRows rollup rows the store refused for good (a constraint, a value out of range),
 *     set aside so the batches behind them could be written
 * @param refusedCalls calls in the refused rows
 * @param failedFlushes store writes that failed (each is retried)
 * @param lastGoodFlush when the store last accepted a batch, or null if never
 */
public record EngineStats(
    int series,
    long overflowEvents,
    long rejectedEvents,
    long listenerFailures,
    long pendingRows,
    long coarsenedRows,
    long droppedCalls,
    long droppedTokens,
    long refusedRows,
    long refusedCalls,
    long failedFlushes,
    @Nullable Instant lastGoodFlush) {}
