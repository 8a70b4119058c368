package dev.usagestats.internal;

import dev.usagestats.SeriesKey;
import dev.usagestats.UsageBatch;
import dev.usagestats.UsageDelta;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Drained deltas not yet acknowledged by the store, as batches with fixed ids.
 *
 * <p>New deltas merge into the newest batch while it has never been sent. Once a batch has been
 * sent its content is frozen, so retrying it after an ambiguous failure (the commit may have
 * happened) is safe under the store's ledger, and a query can tell from the ledger whether to add
 * it. Thread-safe (this object's monitor).
 */
final class PendingBuffer {
  record RowKey(SeriesKey key, long minuteMillis) {}

  static final class Batch {
    final String id = UUID.randomUUID().toString();
    final Map<RowKey, long[]> rows = new LinkedHashMap<>();
    boolean sent;
  }

  /** A copy of a batch's id and rows, for a query. */
  record Snapshot(String id, Map<RowKey, long[]> rows) {}

  private final ArrayDeque<Batch> batches = new ArrayDeque<>();
  private final String nodeId;
  private long rows;

  PendingBuffer(String nodeId) {
    this.nodeId = nodeId;
  }

  synchronized void add(SeriesKey key, long minuteMillis, long[] fields) {
    Batch open = batches.peekLast();
    if (open == null || open.sent) {
      open = new Batch();
      batches.addLast(open);
    }
    long[] row = open.rows.get(new RowKey(key, minuteMillis));
    if (row == null) {
      open.rows.put(new RowKey(key, minuteMillis), fields.clone());
      rows++;
    } else {
      for (int f = 0; f < fields.length; f++) row[f] += fields[f];
    }
  }

  /** The oldest batch, frozen from now on, or null if nothing is pending. */
  synchronized @Nullable Batch next() {
    Batch b = batches.peekFirst();
    if (b != null) b.sent = true;
    return b;
  }

  /** Forgets a batch the store has applied. */
  synchronized void acknowledge(Batch b) {
    if (batches.remove(b)) rows -= b.rows.size();
  }

  synchronized List<Snapshot> snapshot() {
    List<Snapshot> out = new ArrayList<>(batches.size());
    for (Batch b : batches) {
      Map<RowKey, long[]> copy = new LinkedHashMap<>();
      b.rows.forEach((k, v) -> copy.put(k, v.clone()));
      out.add(new Snapshot(b.id, copy));
    }
    return out;
  }

  synchronized long rows() {
    return rows;
  }

  UsageBatch toBatch(Batch b) {
    List<UsageDelta> deltas = new ArrayList<>(b.rows.size());
    synchronized (this) {
      for (Map.Entry<RowKey, long[]> e : b.rows.entrySet()) {
        deltas.add(
            new UsageDelta(
                e.getKey().key(),
                Instant.ofEpochMilli(e.getKey().minuteMillis()),
                ReportAccumulator.totalsOf(e.getValue())));
      }
    }
    return new UsageBatch(b.id, nodeId, deltas);
  }
}
