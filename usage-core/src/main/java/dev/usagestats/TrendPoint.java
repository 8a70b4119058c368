package dev.usagestats;

import java.util.Objects;

/**
 * One bucket of a trend series.
 *
 * @param start the bucket's first instant; the bucket ends where the next one starts
 * @param calls invocations in the bucket
 * @param inputTokens input tokens in the bucket
 * @param outputTokens output tokens in the bucket
 * @param value the count the report's {@link SeriesView} selects
 * @param peakCallsPerMinute the most calls in one UTC minute of the bucket, as exact as the series'
 *     {@link TrendSeries#peaks()} say; -1 if unknown
 * @param peakTokensPerMinute the most input plus output tokens in one UTC minute of the bucket; -1
 *     if unknown
 */
public record TrendPoint(
    java.time.Instant start,
    long calls,
    long inputTokens,
    long outputTokens,
    long value,
    long peakCallsPerMinute,
    long peakTokensPerMinute) {
  /** Checks that start is set. */
  public TrendPoint {
    Objects.requireNonNull(start, "start");
  }

  /** A point without peaks (both unknown). */
  public TrendPoint(
      java.time.Instant start, long calls, long inputTokens, long outputTokens, long value) {
    this(start, calls, inputTokens, outputTokens, value, -1, -1);
  }

  /** Input plus output tokens. */
  public long totalTokens() {
    return inputTokens + outputTokens;
  }
}
