package dev.usagestats.internal;

import dev.usagestats.LatencyTotals;
import dev.usagestats.spi.Measure;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * History kept in memory only: drained deltas go into one-minute rollups (kept for minuteRetention,
 * for MINUTE queries) and 15-minute rollups (kept for retention, for everything else: every real
 * zone offset is a multiple of 15 minutes, so any local hour, day, week or month is a union of
 * 15-minute slots). Guarded by the engine's drain lock, like every {@link Backend} call that
 * touches rollups.
 */
final class MemoryBackend implements Backend {
  private static final long MINUTE_MS = MinuteClock.MINUTE_MS;
  private static final long QUARTER_MS = 15 * MINUTE_MS;

  private final SeriesTable table;
  private final Duration retention;
  private final Duration minuteRetention;
  private final MemoryRollups minutes;
  private final MemoryRollups quarters;
  private final LatencyRollups minuteLatency;
  private final LatencyRollups quarterLatency;
  private final long[] withPeaks = new long[Measure.COUNT];
  private final long[] minuteSums = new long[Measure.COUNT];

  MemoryBackend(
      SeriesTable table, Duration retention, Duration minuteRetention, Duration maxFutureSkew) {
    this.table = table;
    this.retention = retention;
    this.minuteRetention = minuteRetention;
    // The rings span retention plus maxFutureSkew, so an event dated ahead never evicts the
    // present.
    long skew = maxFutureSkew.toMillis();
    int minuteRing = (int) ceilDiv(minuteRetention.toMillis() + skew, 60 * MINUTE_MS) + 2;
    int quarterRing = (int) ceilDiv(retention.toMillis() + skew, 96 * QUARTER_MS) + 2;
    this.minutes = new MemoryRollups(MINUTE_MS, 60, 15, minuteRing, true);
    this.quarters = new MemoryRollups(QUARTER_MS, 96, 4, quarterRing, false);
    this.minuteLatency = new LatencyRollups(MINUTE_MS, 60, minuteRing);
    this.quarterLatency = new LatencyRollups(QUARTER_MS, 96, quarterRing);
  }

  /**
   * Adds the delta to both grains. The quarter hour's peaks come from the whole minute as the
   * minute rollup now holds it (a minute is drained in parts, one per flush, so the delta alone is
   * only part of it): peaks only grow, so the quarter's maximum ends at the minute's full sums. A
   * delta for a minute older than minuteRetention (a late event) finds no minute slot and counts
   * alone, so that quarter's peak may then be low.
   */
  @Override
  public void accept(Series series, long minuteMillis, long[] counts, LatencyTotals latency) {
    if (!latency.isEmpty() || latency.streamedOutputTokens() != 0) {
      minuteLatency.add(series.id, minuteMillis, latency);
      quarterLatency.add(series.id, minuteMillis, latency);
    }
    boolean aggregate = series.isAggregate();
    minutes.add(series.id, minuteMillis, counts, aggregate);
    System.arraycopy(counts, 0, withPeaks, 0, counts.length);
    if (minutes.sumsAt(series.id, minuteMillis, minuteSums)) {
      Measure.derivePeaks(minuteSums);
      for (Measure p : Measure.peaks()) withPeaks[p.ordinal()] = minuteSums[p.ordinal()];
    } else {
      Measure.derivePeaks(withPeaks);
    }
    quarters.add(series.id, minuteMillis, withPeaks, aggregate);
  }

  @Override
  public @Nullable String refuseTimestamp(long timestamp, long now) {
    if (timestamp >= now - retention.toMillis()) return null;
    return "timestamp must be within retention "
        + retention
        + " of now ("
        + Instant.ofEpochMilli(now)
        + "): ";
  }

  @Override
  public Read begin(ReportAccumulator acc) {
    boolean byMinute = acc.plan().granularity == dev.usagestats.Granularity.MINUTE;
    MemoryRollups rollups = byMinute ? minutes : quarters;
    BucketPlan plan = acc.plan();
    if (byMinute && plan.from() < minutes.completeFrom()) {
      // The usage is there, in quarter hours: what cannot be answered is minute detail.
      throw new IllegalArgumentException(
          "from must be within minuteRetention "
              + minuteRetention
              + " of memory for MINUTE buckets (minutes are complete from "
              + Instant.ofEpochMilli(minutes.completeFrom())
              + "; choose HOUR or coarser): "
              + Instant.ofEpochMilli(plan.from()));
    }
    // Older quarter hours are past retention: the report counts what is left and says from when
    // it is whole.
    if (rollups.completeFrom() != Long.MIN_VALUE) acc.keptFrom(rollups.completeFrom());
    for (long b : plan.bounds) {
      if (Math.floorMod(b, rollups.slotMillis) != 0) {
        throw new IllegalArgumentException(
            "zone must have bucket bounds on whole "
                + rollups.slotMillis / MINUTE_MS
                + "-minute steps: "
                + plan.zone
                + " has one at "
                + Instant.ofEpochMilli(b));
      }
    }
    int n = table.count(); // the count first: the array read after it holds at least n series
    rollups.read(acc, table.array(), n);
    (byMinute ? minuteLatency : quarterLatency).read(acc, table.array(), n);
    return Read.DONE;
  }

  @Override
  public boolean send(boolean force, long deadline) {
    return true;
  }

  @Override
  public void close(long deadline) {}

  @Override
  public FlushStats flushStats() {
    return FlushStats.NONE;
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
