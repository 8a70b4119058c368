package dev.usagestats.spi;

import dev.usagestats.LatencyTotals;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import java.time.Instant;
import java.util.Objects;

/**
 * What one series added in one UTC minute (or, when the engine had to coarsen rows because the
 * store fell behind, one UTC quarter hour): a row of a {@link UsageBatch}.
 *
 * @param key the series
 * @param start the first instant of the span the events fell in
 * @param totals the counts added
 * @param grain the span: {@link Grain#MINUTE}, or {@link Grain#QUARTER_HOUR} for a coarsened row; a
 *     store must keep a quarter-hour row apart from minute rows
 * @param latency the latency of those of the calls recorded with one ({@link LatencyTotals#empty()}
 *     when none was); a store adds it like the counts, histograms bin by bin
 */
public record UsageDelta(
    SeriesKey key, Instant start, UsageTotals totals, Grain grain, LatencyTotals latency) {
  /** A one-minute row without latency. */
  public UsageDelta(SeriesKey key, Instant start, UsageTotals totals) {
    this(key, start, totals, Grain.MINUTE);
  }

  /** A row without latency. */
  public UsageDelta(SeriesKey key, Instant start, UsageTotals totals, Grain grain) {
    this(key, start, totals, grain, LatencyTotals.empty());
  }

  /** Checks that start is the first instant of a span of the grain. */
  public UsageDelta {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(totals, "totals");
    Objects.requireNonNull(grain, "grain");
    Objects.requireNonNull(latency, "latency");
    long counted = Math.max(latency.duration().count(), latency.timeToFirstToken().count());
    if (counted > totals.calls()) {
      throw new IllegalArgumentException(
          "latency must count at most the row's calls (" + totals.calls() + "): " + counted);
    }
    if (!grain.isAligned(start)) {
      throw new IllegalArgumentException(
          "start must be on a whole UTC " + grain.minutes() + "-minute step: " + start);
    }
  }
}
