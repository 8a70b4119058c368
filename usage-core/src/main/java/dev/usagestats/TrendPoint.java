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
 * @param peakCallsPerMinute the most calls in one UTC minute of the bucket, as exact as the series'
 *     {@link TrendSeries#peaks()} say; -1 if unknown
 * @param peakTokensPerMinute the most input plus output tokens in one UTC minute of the bucket; -1
 *     if unknown
 * @param cost the exact cost of the bucket's priced usage, or null when the report has no price
 *     book or none of the group's usage is priced
 * @param latency the latency of the bucket's calls recorded with one ({@link LatencySummary#NONE}
 *     when none was)
 */
public record TrendPoint(
    java.time.Instant start,
    long calls,
    long inputTokens,
    long outputTokens,
    long value,
    long peakCallsPerMinute,
    long peakTokensPerMinute,
    @Nullable BigDecimal cost,
    LatencySummary latency) {
  /** Checks that start and latency are set. */
  public TrendPoint {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(latency, "latency");
  }

  /** A point without latency. */
  public TrendPoint(
      java.time.Instant start,
      long calls,
      long inputTokens,
      long outputTokens,
      long value,
      long peakCallsPerMinute,
      long peakTokensPerMinute,
      @Nullable BigDecimal cost) {
    this(
        start,
        calls,
        inputTokens,
        outputTokens,
        value,
        peakCallsPerMinute,
        peakTokensPerMinute,
        cost,
        LatencySummary.NONE);
  }

  /** A point with peaks and without cost. */
  public TrendPoint(
      java.time.Instant start,
      long calls,
      long inputTokens,
      long outputTokens,
      long value,
      long peakCallsPerMinute,
      long peakTokensPerMinute) {
    this(
        start,
        calls,
        inputTokens,
        outputTokens,
        value,
        peakCallsPerMinute,
        peakTokensPerMinute,
        null);
  }

  /** Input plus output tokens. */
  public long totalTokens() {
    return inputTokens + outputTokens;
  }
}
