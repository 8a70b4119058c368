package dev.usagestats.internal;

import dev.usagestats.SeriesKey;
import dev.usagestats.UsageQuery;
import dev.usagestats.spi.KeyDetail;
import dev.usagestats.spi.Measure;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import org.jspecify.annotations.Nullable;

/**
 * History kept in a store: drained deltas wait in the pending buffer until the {@link Flusher}
 * writes them; a report reads the store and adds the pending batches the store reports as not
 * applied, both from one store snapshot, so nothing counts twice.
 *
 * <p>{@link #accept} and {@link #begin} run under the engine's drain lock; the read they return
 * runs outside it, since a store read may block on I/O. Thread-safe otherwise.
 */
final class StoreBackend implements Backend {
  private final UsageStore store;
  private final PendingBuffer pending;
  private final ReadWriteLock splitLock;
  private final Flusher flusher;

  StoreBackend(UsageStore store, PendingBuffer pending, ReadWriteLock splitLock, Flusher flusher) {
    this.store = store;
    this.pending = pending;
    this.splitLock = splitLock;
    this.flusher = flusher;
  }

  @Override
  public void accept(Series series, long minuteMillis, long[] counts) {
    pending.add(series.key, minuteMillis, counts);
  }

  @Override
  public @Nullable String refuseTimestamp(long timestamp, long now) {
    return null;
  }

  /**
   * Takes the split lock's read side from the pending snapshot to the end of the store read, so a
   * batch the flusher splits is seen either whole and pending or in halves, never both.
   */
  @Override
  public Read begin(ReportAccumulator acc) {
    splitLock.readLock().lock();
    List<PendingBuffer.Snapshot> unsent;
    try {
      unsent = pending.snapshot();
    } catch (RuntimeException | Error e) {
      splitLock.readLock().unlock();
      throw e;
    }
    return () -> {
      try {
        read(acc, unsent);
      } finally {
        splitLock.readLock().unlock();
      }
    };
  }

  private void read(ReportAccumulator acc, List<PendingBuffer.Snapshot> unsent) {
    BucketPlan plan = acc.plan();
    UsageQuery query = acc.query();
    List<Instant> bounds = new ArrayList<>(plan.bounds.length);
    for (long b : plan.bounds) bounds.add(Instant.ofEpochMilli(b));
    Set<String> ids = new HashSet<>();
    for (PendingBuffer.Snapshot s : unsent) ids.add(s.id());
    StoreResult result =
        store.read(
            new StoreRead(
                bounds,
                plan.zone,
                plan.granularity,
                query.tenant(),
                query.apiKeys(),
                query.models(),
                ids,
                // A priced read keeps every part of the key: tenants' prices and the cost lines
                // need the tenant and the API key.
                acc.priced() ? KeyDetail.SERIES : KeyDetail.forGrouping(query.groupBy())));
    for (StoreResult.Row row : result.rows()) {
      if (row.bucket() >= plan.size() || !acc.matchesSummed(row.key())) continue;
      acc.addRow(row.key(), row.bucket(), Measure.counts(row.totals()));
    }
    for (PendingBuffer.Snapshot s : unsent) {
      if (result.appliedBatchIds().contains(s.id())) continue;
      for (Map.Entry<PendingBuffer.RowKey, long[]> e : s.rows().entrySet()) {
        SeriesKey key = e.getKey().key();
        if (!acc.matches(key)) continue;
        int b = plan.bucketOf(e.getKey().startMillis());
        if (b >= 0) acc.addRow(key, b, e.getValue());
      }
    }
  }

  @Override
  public boolean send(boolean force, long deadline) {
    return flusher.send(force, deadline);
  }

  @Override
  public void close(long deadline) {
    flusher.close(deadline);
  }

  @Override
  public FlushStats flushStats() {
    return flusher.stats();
  }
}
