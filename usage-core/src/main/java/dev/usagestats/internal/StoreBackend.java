package dev.usagestats.internal;

import dev.usagestats.LatencyTotals;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageQuery;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.KeyDetail;
import dev.usagestats.spi.Measure;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
  public void accept(Series series, long minuteMillis, long[] counts, LatencyTotals latency) {
    pending.add(series.key, minuteMillis, counts, latency);
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
                // need the tenant and the API key. So do peaks bounded from the series.
                acc.priced() || acc.needsSeriesPeaks()
                    ? KeyDetail.SERIES
                    : KeyDetail.forGrouping(query.groupBy())));
    if (result.keptFrom() != null) acc.keptFrom(result.keptFrom().toEpochMilli());
    // One row per (series, read bucket) for the accumulator: store rows and pending rows merged
    // by each measure's rule, so a series' peak in a bucket counts once.
    Map<RowId, long[]> rows = new HashMap<>();
    for (StoreResult.Row row : result.rows()) {
      if (row.bucket() >= plan.size() || !selected(acc, row.key(), true)) continue;
      long[] counts = Measure.counts(row.totals());
      counts[PEAK_CALLS] = row.peakCallsPerMinute();
      counts[PEAK_TOKENS] = row.peakTokensPerMinute();
      merge(rows, new RowId(row.key(), row.bucket()), counts);
      acc.addLatency(row.key(), row.bucket(), row.latency());
    }
    for (PendingBuffer.Snapshot s : unsent) {
      if (result.appliedBatchIds().contains(s.id())) continue;
      for (Map.Entry<PendingBuffer.RowKey, long[]> e : s.rows().entrySet()) {
        SeriesKey key = e.getKey().key();
        if (!selected(acc, key, false)) continue;
        int b = plan.bucketOf(e.getKey().startMillis());
        if (b < 0) continue;
        long[] counts = e.getValue().clone();
        if (e.getKey().grain() == Grain.MINUTE) {
          // This node's unsent part of the minute: the minute's peak once the part is written;
          // until then, for a minute split between store and buffer, a low estimate.
          Measure.derivePeaks(counts);
        } else {
          counts[PEAK_CALLS] = Measure.UNKNOWN;
          counts[PEAK_TOKENS] = Measure.UNKNOWN;
        }
        merge(rows, new RowId(key, b), counts);
        LatencyTotals l = s.latency().get(e.getKey());
        if (l != null) acc.addLatency(key, b, l);
      }
    }
    rows.forEach((id, counts) -> acc.addRow(id.key(), id.bucket(), counts));
  }

  private static final int PEAK_CALLS = Measure.PEAK_CALLS_PER_MINUTE.ordinal();
  private static final int PEAK_TOKENS = Measure.PEAK_TOKENS_PER_MINUTE.ordinal();

  private record RowId(SeriesKey key, int bucket) {}

  private static boolean selected(ReportAccumulator acc, SeriesKey key, boolean summed) {
    if (key.tenant().equals(Checks.AGGREGATE)) {
      return acc.wantsAggregate(key);
    }
    return summed ? acc.matchesSummed(key) : acc.matches(key);
  }

  private static void merge(Map<RowId, long[]> rows, RowId id, long[] counts) {
    long[] had = rows.putIfAbsent(id, counts);
    if (had != null) Measure.add(had, counts);
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
