package dev.usagestats.internal;

import dev.usagestats.LatencyTotals;
import dev.usagestats.spi.Measure;
import java.util.Arrays;
import java.util.IdentityHashMap;
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
 * 4. Keeps its arrays from drain to drain: (models + 1) x the most minutes one drain held.
 * </pre>
 */
final class PeakSums implements Series.DeltaSink {
  /** One aggregate's sums in this drain, per minute: a drain holds a few minutes at most. */
  private static final class Minutes {
    long[] minutes = new long[4];
    long[][] counts = new long[4][];
    int size;

    long[] at(long minuteMillis) {
      for (int i = 0; i < size; i++) if (minutes[i] == minuteMillis) return counts[i];
      if (size == minutes.length) {
        minutes = Arrays.copyOf(minutes, size * 2);
        counts = Arrays.copyOf(counts, size * 2);
      }
      if (counts[size] == null) counts[size] = new long[Measure.COUNT];
      else Arrays.fill(counts[size], 0);
      minutes[size] = minuteMillis;
      return counts[size++];
    }
  }

  private final Series.DeltaSink backend;
  private final Series all;
  private final Map<Series, Minutes> sums = new IdentityHashMap<>();

  PeakSums(Series.DeltaSink backend, Series all) {
    this.backend = backend;
    this.all = all;
  }

  @Override
  public void accept(Series series, long minuteMillis, long[] counts, LatencyTotals latency) {
    backend.accept(series, minuteMillis, counts, latency);
    Series model = series.aggregate;
    if (model == null) return; // an aggregate itself, or a series outside a table
    add(model, minuteMillis, counts);
    add(all, minuteMillis, counts);
  }

  private void add(Series aggregate, long minuteMillis, long[] counts) {
    Minutes m = sums.get(aggregate);
    if (m == null) {
      m = new Minutes();
      sums.put(aggregate, m);
    }
    Measure.add(m.at(minuteMillis), counts);
  }

  /** Hands this drain's aggregate deltas to the backend; the arrays are kept for the next. */
  void finish() {
    for (Map.Entry<Series, Minutes> e : sums.entrySet()) {
      Minutes m = e.getValue();
      for (int i = 0; i < m.size; i++) {
        if (!Measure.isZero(m.counts[i])) {
          backend.accept(e.getKey(), m.minutes[i], m.counts[i], LatencyTotals.empty());
        }
      }
      m.size = 0;
    }
  }
}
