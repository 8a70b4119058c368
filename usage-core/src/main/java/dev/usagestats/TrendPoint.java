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
 */
public record TrendPoint(
    java.time.Instant start, long calls, long inputTokens, long outputTokens, long value) {
  /** Checks that start is set. */
  public TrendPoint {
    Objects.requireNonNull(start, "start");
  }

  /** Input plus output tokens. */
  public long totalTokens() {
    return inputTokens + outputTokens;
  }
}
