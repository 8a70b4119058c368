package dev.usagestats.internal;

import dev.usagestats.LatencyTotals;
import dev.usagestats.SeriesKey;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.Measure;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Drained deltas not yet acknowledged by the store, as batches with fixed ids.
 *
 * <p>New deltas merge into the newest batch while it has never been sent. Once a batch has been
 * sent its content is frozen, so retrying it after an ambiguous failure (the commit may have
 * happened) is safe under the store's ledger, and a query can tell from the ledger whether to add
 * it. A failed batch stays first in line; deltas drained meanwhile merge into the one open batch
 * behind it, so an outage grows at most two batches.
 *
 * <p>Bounded: rows (series x minute) are capped at {@code maxRows}. Past half the cap, new rows of
 * the open batch are kept per 15-minute bucket instead of per minute (the bucket's first minute
 * stands for it): still exact for hour, day, week and month buckets in any zone, since every real
 * zone offset is a multiple of 15 minutes, though MINUTE buckets then see the 15 minutes in their
 * first minute. At the cap, deltas that fit no existing row are dropped, counted and logged.
 * Thread-safe (this object's monitor).
 */
final class PendingBuffer {
  /** A pending row: a series in one minute, or in one quarter hour once rows were coarsened. */
  record RowKey(SeriesKey key, long startMillis, Grain grain) {}

  static final class Batch {
    final String id = UUID.randomUUID().toString();
    final Map<RowKey, long[]> rows = new LinkedHashMap<>();

    /** The latency of rows that have any, under the same keys. */
    final Map<RowKey, LatencyTotals> latency = new HashMap<>();

    boolean sent;
  }

  /**
   * Counts of rows that will never reach the store.
   *
   * @param rows rollup rows
   * @param calls calls in them
   * @param tokens input plus output tokens in them
   */
  record Lost(long rows, long calls, long tokens) {}

  /** A copy of a batch's id and rows, for a query. */
  record Snapshot(String id, Map<RowKey, long[]> rows, Map<RowKey, LatencyTotals> latency) {}

  private final ArrayDeque<Batch> batches = new ArrayDeque<>();
  private final String nodeId;
  private final long maxRows;
  private final RateLimitedLog lossLog =
      new RateLimitedLog(Health.LOG, TimeUnit.MINUTES.toNanos(1));
  private long rows;
  private long aggregateRows;
  private long coarsenedRows;
  private long droppedCalls;
  private long droppedTokens;
  private long refusedRows;
  private long refusedCalls;

  PendingBuffer(String nodeId, long maxRows) {
    this.nodeId = nodeId;
    this.maxRows = maxRows;
  }

  synchronized void add(SeriesKey key, long minuteMillis, long[] counts, LatencyTotals latency) {
    Batch open = batches.peekLast();
    if (open == null || open.sent) {
      open = new Batch();
      batches.addLast(open);
    }
    RowKey k = new RowKey(key, minuteMillis, Grain.MINUTE);
    long[] row = open.rows.get(k);
    if (row == null && rows >= maxRows / 2) {
      k = new RowKey(key, Grain.QUARTER_HOUR.floor(minuteMillis), Grain.QUARTER_HOUR);
      row = open.rows.get(k);
      if (row == null && rows < maxRows) coarsenedRows++;
    }
    if (row != null) {
      Measure.add(row, counts);
      if (!latency.isEmpty() || latency.streamedOutputTokens() != 0) {
        open.latency.merge(k, latency, LatencyTotals::plus);
      }
    } else if (rows < maxRows) {
      open.rows.put(k, counts.clone());
      if (!latency.isEmpty() || latency.streamedOutputTokens() != 0) open.latency.put(k, latency);
      rows++;
      if (Series.isAggregate(key)) aggregateRows++;
    } else if (Series.isAggregate(key)) {
      // a peak aggregate's row: no usage of its own is lost; reports see its peaks as unknown
    } else {
      droppedCalls = saturatedAdd(droppedCalls, counts[Measure.CALLS.ordinal()]);
      droppedTokens = saturatedAdd(droppedTokens, tokens(counts));
      lossLog.warn(
          "usage pending rows reached maxPendingRows="
              + maxRows
              + " while the store is failing: "
              + droppedCalls
              + " calls dropped so far ("
              + key
              + " at "
              + Instant.ofEpochMilli(minuteMillis)
              + ")",
          null);
    }
  }

  /** Rows kept per 15 minutes instead of per minute because the buffer was over half full. */
  synchronized long coarsenedRows() {
    return coarsenedRows;
  }

  /** Calls (events) dropped because the buffer was full; their tokens were dropped with them. */
  synchronized long droppedCalls() {
    return droppedCalls;
  }

  /** Input plus output tokens of the dropped calls. */
  synchronized long droppedTokens() {
    return droppedTokens;
  }

  /** Rows the store refused for good and that were set aside. */
  synchronized long refusedRows() {
    return refusedRows;
  }

  /** Calls in the refused rows. */
  synchronized long refusedCalls() {
    return refusedCalls;
  }

  /**
   * Replaces {@code b}, the first batch in line, by its two halves (new ids, frozen), first in line
   * in its place. Only for a batch the store refused for good, which therefore was not applied.
   *
   * @return the halves, in order
   */
  synchronized List<Batch> split(Batch b) {
    if (batches.peekFirst() != b || b.rows.size() < 2) {
      throw new IllegalStateException("only the first batch, with 2 rows or more, can be split");
    }
    batches.removeFirst();
    Batch first = new Batch();
    Batch second = new Batch();
    int half = b.rows.size() / 2;
    int i = 0;
    for (Map.Entry<RowKey, long[]> e : b.rows.entrySet()) {
      Batch part = i++ < half ? first : second;
      part.rows.put(e.getKey(), e.getValue());
      LatencyTotals l = b.latency.get(e.getKey());
      if (l != null) part.latency.put(e.getKey(), l);
    }
    first.sent = true;
    second.sent = true;
    batches.addFirst(second);
    batches.addFirst(first);
    return List.of(first, second);
  }

  /** Forgets a batch the store refused for good, counting its rows as refused. */
  synchronized Lost setAside(Batch b) {
    if (!batches.remove(b)) return new Lost(0, 0, 0);
    Lost lost = lost(List.of(b));
    forget(b);
    refusedRows += lost.rows();
    refusedCalls = saturatedAdd(refusedCalls, lost.calls());
    return lost;
  }

  /**
   * Counts every pending batch as dropped (calls and tokens): close() gives up on the store. The
   * rows stay, as {@link #rows()} reports what was not written.
   */
  synchronized Lost abandon() {
    Lost lost = lost(batches);
    droppedCalls = saturatedAdd(droppedCalls, lost.calls());
    droppedTokens = saturatedAdd(droppedTokens, lost.tokens());
    return lost;
  }

  private void forget(Batch b) {
    rows -= b.rows.size();
    for (RowKey k : b.rows.keySet()) if (Series.isAggregate(k.key())) aggregateRows--;
  }

  /** Usage in the batches, peak aggregates' rows left out (their usage is the series'). */
  private static Lost lost(Iterable<Batch> of) {
    long n = 0;
    long calls = 0;
    long tokens = 0;
    for (Batch b : of) {
      for (Map.Entry<RowKey, long[]> e : b.rows.entrySet()) {
        if (Series.isAggregate(e.getKey().key())) continue;
        long[] counts = e.getValue();
        n++;
        calls = saturatedAdd(calls, counts[Measure.CALLS.ordinal()]);
        tokens = saturatedAdd(tokens, tokens(counts));
      }
    }
    return new Lost(n, calls, tokens);
  }

  /** Health counters of lost usage stop at {@link Long#MAX_VALUE} rather than wrap. */
  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }

  private static long tokens(long[] counts) {
    return counts[Measure.INPUT_TOKENS.ordinal()] + counts[Measure.OUTPUT_TOKENS.ordinal()];
  }

  /** The oldest batch, frozen from now on, or null if nothing is pending. */
  synchronized @Nullable Batch next() {
    Batch b = batches.peekFirst();
    if (b != null) b.sent = true;
    return b;
  }

  /** Forgets a batch the store has applied. */
  synchronized void acknowledge(Batch b) {
    if (batches.remove(b)) forget(b);
  }

  synchronized List<Snapshot> snapshot() {
    List<Snapshot> out = new ArrayList<>(batches.size());
    for (Batch b : batches) {
      Map<RowKey, long[]> copy = new LinkedHashMap<>();
      b.rows.forEach((k, v) -> copy.put(k, v.clone()));
      out.add(new Snapshot(b.id, copy, Map.copyOf(b.latency)));
    }
    return out;
  }

  /** Pending rows of series, peak aggregates' rows left out. */
  synchronized long rows() {
    return rows - aggregateRows;
  }

  UsageBatch toBatch(Batch b) {
    List<UsageDelta> deltas = new ArrayList<>(b.rows.size());
    synchronized (this) {
      for (Map.Entry<RowKey, long[]> e : b.rows.entrySet()) {
        deltas.add(
            new UsageDelta(
                e.getKey().key(),
                Instant.ofEpochMilli(e.getKey().startMillis()),
                Measure.totals(e.getValue()),
                e.getKey().grain(),
                b.latency.getOrDefault(e.getKey(), LatencyTotals.empty())));
      }
    }
    return new UsageBatch(b.id, nodeId, deltas);
  }
}
