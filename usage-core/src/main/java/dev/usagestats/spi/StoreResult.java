package dev.usagestats.spi;

import dev.usagestats.LatencyTotals;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A {@link UsageStore}'s answer to a {@link StoreRead}.
 *
 * @param rows sums per series per bucket; a series and bucket may appear more than once (they add)
 * @param appliedBatchIds which of the asked batch ids the store holds, in the same snapshot
 * @param keptFrom the first instant from which the store holds every row it was given, or null if
 *     it deletes none: rows of spans that ended before it are past the store's retention and may be
 *     gone. The engine flags a report whose range starts earlier ({@code
 *     UsageReport.incompleteBefore()}).
 */
public record StoreResult(List<Row> rows, Set<String> appliedBatchIds, @Nullable Instant keptFrom) {
  /** Copies the collections. */
  public StoreResult {
    rows = List.copyOf(rows);
    appliedBatchIds = Set.copyOf(appliedBatchIds);
  }

  /** The answer of a store that keeps every row for ever. */
  public StoreResult(List<Row> rows, Set<String> appliedBatchIds) {
    this(rows, appliedBatchIds, null);
  }

  /**
   * The sums of one series in one bucket.
   *
   * @param key the series
   * @param bucket index into {@link StoreRead#bounds()}
   * @param totals the sums
   * @param peakCallsPerMinute the most calls of the series in one UTC minute of the bucket ({@link
   *     Measure#PEAK_CALLS_PER_MINUTE}), {@link Measure#UNKNOWN} if any of its rows there has none
   * @param peakTokensPerMinute likewise, input plus output tokens ({@link
   *     Measure#PEAK_TOKENS_PER_MINUTE})
   * @param latency the latency of the series' calls in the bucket, merged ({@link
   *     LatencyTotals#empty()} from a store or rows that keep none)
   */
  public record Row(
      SeriesKey key,
      int bucket,
      UsageTotals totals,
      long peakCallsPerMinute,
      long peakTokensPerMinute,
      LatencyTotals latency) {
    /** Checks the fields. */
    public Row {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(latency, "latency");
      Objects.requireNonNull(totals, "totals");
      if (bucket < 0) throw new IllegalArgumentException("bucket must be >= 0: " + bucket);
      if (peakCallsPerMinute < Measure.UNKNOWN || peakTokensPerMinute < Measure.UNKNOWN) {
        throw new IllegalArgumentException(
            "peaks must be >= 0 or UNKNOWN: " + peakCallsPerMinute + ", " + peakTokensPerMinute);
      }
    }

    /** A row without latency. */
    public Row(
        SeriesKey key,
        int bucket,
        UsageTotals totals,
        long peakCallsPerMinute,
        long peakTokensPerMinute) {
      this(key, bucket, totals, peakCallsPerMinute, peakTokensPerMinute, LatencyTotals.empty());
    }

    /** A row of a store that keeps no peaks: they are unknown. */
    public Row(SeriesKey key, int bucket, UsageTotals totals) {
      this(key, bucket, totals, Measure.UNKNOWN, Measure.UNKNOWN);
    }
  }
}
