package dev.usagestats.spi;

import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link UsageStore}'s answer to a {@link StoreRead}.
 *
 * @param rows sums per series per bucket; a series and bucket may appear more than once (they add)
 * @param appliedBatchIds which of the asked batch ids the store holds, in the same snapshot
 */
public record StoreResult(List<Row> rows, Set<String> appliedBatchIds) {
  /** Copies the collections. */
  public StoreResult {
    rows = List.copyOf(rows);
    appliedBatchIds = Set.copyOf(appliedBatchIds);
  }

  /**
   * The sums of one series in one bucket.
   *
   * @param key the series
   * @param bucket index into {@link StoreRead#bounds()}
   * @param totals the sums
   */
  public record Row(SeriesKey key, int bucket, UsageTotals totals) {
    /** Checks the fields. */
    public Row {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(totals, "totals");
      if (bucket < 0) throw new IllegalArgumentException("bucket must be >= 0: " + bucket);
    }
  }
}
