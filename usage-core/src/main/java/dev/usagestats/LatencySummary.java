package dev.usagestats;

import java.util.Objects;

/**
 * Latency of the calls in a bucket, a group or a whole report: figures of their durations, of their
 * times to first token (streamed calls), and output tokens per second after the first token.
 * Computed from merged histograms ({@link LatencyTotals}), never from averaged percentiles.
 *
 * @param duration total duration of the calls recorded with one
 * @param timeToFirstToken time to first token of the calls recorded with one
 * @param outputTokensPerSecond output tokens over the time after the first token, of the calls
 *     recorded with both; NaN when there are none
 */
public record LatencySummary(
    LatencyStats duration, LatencyStats timeToFirstToken, double outputTokensPerSecond) {

  /** No latency recorded. */
  public static final LatencySummary NONE =
      new LatencySummary(LatencyStats.NONE, LatencyStats.NONE, Double.NaN);

  /** Checks that nothing is null. */
  public LatencySummary {
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(timeToFirstToken, "timeToFirstToken");
  }

  /** The summary of merged latency; {@link #NONE} when it is empty. */
  public static LatencySummary of(LatencyTotals t) {
    if (t.isEmpty() && t.streamedOutputTokens() == 0) return NONE;
    return new LatencySummary(
        LatencyStats.of(t.duration()),
        LatencyStats.of(t.timeToFirstToken()),
        t.outputTokensPerSecond());
  }

  /** Whether any call in it has a latency. */
  public boolean isKnown() {
    return duration.count() > 0 || timeToFirstToken.count() > 0;
  }
}
