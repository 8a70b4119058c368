package dev.usagestats;

import java.math.BigDecimal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One bucket of a trend series.
 *
 * @param start the bucket's first instant; the bucket ends where the next one starts
 * @param calls invocations in the bucket
 * @param inputTokens input tokens in the bucket
 * @param outputTokens output tokens in the bucket
 * @param value the count the report's {@link SeriesView} selects (for {@link SeriesView#COST}, the
 *     cost in the currency's minor units, rounded half-even)
 * @param cost the exact cost of the bucket's priced usage, or null when the report has no price
 *     book or none of the group's usage is priced
 */
public record TrendPoint(
    java.time.Instant start,
    long calls,
    long inputTokens,
    long outputTokens,
    long value,
    @Nullable BigDecimal cost) {
  /** Checks that start is set. */
  public TrendPoint {
    Objects.requireNonNull(start, "start");
  }

  /** A point without cost. */
  public TrendPoint(
      java.time.Instant start, long calls, long inputTokens, long outputTokens, long value) {
    this(start, calls, inputTokens, outputTokens, value, null);
  }

  /** Input plus output tokens. */
  public long totalTokens() {
    return inputTokens + outputTokens;
  }
}
