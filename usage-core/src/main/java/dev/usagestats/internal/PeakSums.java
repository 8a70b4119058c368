package dev.usagestats.internal;

import dev.usagestats.spi.Measure;
import java.util.HashMap;
import java.util.Map;

/**
 * Sums one drain's deltas per model and minute, and over all series per minute, into the peak
 * aggregates, so that the peak of a model (or of all usage) is the peak of its per-minute sums, not
 * the largest of its series' peaks.
 *
 * <pre>
 * Assumptions and guarantees
 *
 * 1. Used by the drainer only, under the engine's drain lock: accept forwards every delta to the
 *    backend at once and adds it into this drain's per-(aggregate, minute) sums; finish hands those
 *    sums to the backend as deltas of the aggregate series and clears them.
 * 2. The aggregates are series of the table, so backends keep them like any series: memory rollups
 *    per minute and quarter hour, a store's rows. A minute's aggregate rows add up across drains
 *    and nodes exactly as series rows do, so the peak derived from a whole minute (Measure) is the
 *    peak of the model's, or of all usage's, per-minute sums.
 * 3. Reports never add aggregates into sums; they read only their peaks, and check that an
 *    aggregate's calls in a bucket equal the group's, else the peak is unknown (a bucket with rows
 *    written before peaks were kept).
 * 4. Allocates per drain, at most (models + 1) x minutes drained arrays: not on the recording path.
 * </pre>
 */
final class PeakSums implements Series.DeltaSink {
  private record Key(Series aggregate, long minuteMillis) {}

  private final Series.DeltaSink backend;
  private final Series all;
  private final Map<Key, long[]> sums = new HashMap<>();

  PeakSums(Series.DeltaSink backend, Series all) {
    this.backend = backend;
    this.all = all;
  }

  @Override
  public void accept(Series series, long minuteMillis, long[] counts) {
    backend.accept(series, minuteMillis, counts);
    Series model = series.aggregate;
    if (model == null) return; // an aggregate itself, or a series outside a table
    add(model, minuteMillis, counts);
    add(all, minuteMillis, counts);
  }

  private void add(Series aggregate, long minuteMillis, long[] counts) {
    long[] s = sums.computeIfAbsent(new Key(aggregate, minuteMillis), k -> new long[Measure.COUNT]);
    Measure.add(s, counts);
  }

  /** Hands this drain's aggregate deltas to the backend. */
  void finish() {
    for (Map.Entry<Key, long[]> e : sums.entrySet()) {
      backend.accept(e.getKey().aggregate(), e.getKey().minuteMillis(), e.getValue());
    }
    sums.clear();
  }
}
