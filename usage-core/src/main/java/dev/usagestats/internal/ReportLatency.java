package dev.usagestats.internal;

import dev.usagestats.LatencyHistogram;
import dev.usagestats.LatencySummary;
import dev.usagestats.LatencyTotals;

/**
 * The latency of a report under construction: per group and report bucket, and per group and
 * overall, histograms merged bin by bin (never percentiles averaged) and the output-rate sums.
 * Owned by one {@link ReportAccumulator}; not thread-safe.
 */
final class ReportLatency {
  /** One group's latency: per report bucket (built when first used) and over the range. */
  static final class Cells {
    private final Acc[] buckets;

    Cells(int buckets) {
      this.buckets = new Acc[buckets];
    }

    /** The summary of bucket {@code b}. */
    LatencySummary summary(int b) {
      Acc a = buckets[b];
      return a == null ? LatencySummary.NONE : LatencySummary.of(a.build());
    }

    /** The group's latency over the range: its buckets merged. */
    LatencyTotals total() {
      Acc all = new Acc();
      for (Acc a : buckets) if (a != null) all.add(a.build());
      return all.build();
    }
  }

  private static final class Acc {
    final LatencyHistogram.Builder duration = new LatencyHistogram.Builder();
    final LatencyHistogram.Builder timeToFirstToken = new LatencyHistogram.Builder();

    private final long[] sums = new long[2];

    void add(byte[] slot) {
      LatencySlots.addTo(slot, duration, timeToFirstToken, sums);
    }

    void add(LatencyTotals l) {
      duration.add(l.duration());
      timeToFirstToken.add(l.timeToFirstToken());
      sums[0] = Math.addExact(sums[0], l.streamedOutputTokens());
      sums[1] = Math.addExact(sums[1], l.generationMillis());
    }

    LatencyTotals build() {
      return new LatencyTotals(duration.build(), timeToFirstToken.build(), sums[0], sums[1]);
    }
  }

  private final int buckets;

  ReportLatency(int buckets) {
    this.buckets = buckets;
  }

  Cells newCells() {
    return new Cells(buckets);
  }

  /** Adds a memory rollup's slot ({@link LatencySlots}) to report bucket {@code rb}. */
  void add(Cells g, int rb, byte[] slot) {
    Acc a = g.buckets[rb];
    if (a == null) a = g.buckets[rb] = new Acc();
    a.add(slot);
  }

  /** Adds merged latency (a store row, a pending row) to report bucket {@code rb}. */
  void add(Cells g, int rb, LatencyTotals l) {
    Acc a = g.buckets[rb];
    if (a == null) a = g.buckets[rb] = new Acc();
    a.add(l);
  }
}
