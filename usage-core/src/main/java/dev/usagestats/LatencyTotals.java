package dev.usagestats;

import java.util.Objects;

/**
 * Latency summed over some calls: the histogram of their durations, the histogram of their times to
 * first token (streamed calls only), and for the calls whose time to first token is known, their
 * output tokens and the time spent after the first token, from which {@link
 * #outputTokensPerSecond()} follows. Value-based and immutable; combine with {@link #plus}. A call
 * recorded without latency adds to none of these: a count here is a count of calls with latency.
 *
 * @param duration the calls' total durations
 * @param timeToFirstToken the streamed calls' times to first token
 * @param streamedOutputTokens output tokens of the calls with a time to first token
 * @param generationMillis the time after the first token of those calls, summed, in milliseconds
 */
public record LatencyTotals(
    LatencyHistogram duration,
    LatencyHistogram timeToFirstToken,
    long streamedOutputTokens,
    long generationMillis) {

  private static final LatencyTotals EMPTY =
      new LatencyTotals(LatencyHistogram.empty(), LatencyHistogram.empty(), 0, 0);

  /** Checks that nothing is null and the sums are not negative. */
  public LatencyTotals {
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(timeToFirstToken, "timeToFirstToken");
    if (streamedOutputTokens < 0) {
      throw new IllegalArgumentException(
          "streamedOutputTokens must be >= 0: " + streamedOutputTokens);
    }
    if (generationMillis < 0) {
      throw new IllegalArgumentException("generationMillis must be >= 0: " + generationMillis);
    }
  }

  /** No calls with latency. */
  public static LatencyTotals empty() {
    return EMPTY;
  }

  /** Whether no call with a duration or a time to first token is in it. */
  public boolean isEmpty() {
    return duration.isEmpty() && timeToFirstToken.isEmpty();
  }

  /** Whether it holds nothing at all: no histogram count and no sum. */
  public boolean isNone() {
    return isEmpty() && streamedOutputTokens == 0 && generationMillis == 0;
  }

  /**
   * Both added: histograms bin by bin, sums.
   *
   * @throws ArithmeticException if a sum would pass {@link Long#MAX_VALUE}
   */
  public LatencyTotals plus(LatencyTotals other) {
    if (other.isNone()) return this;
    if (isNone()) return other;
    return new LatencyTotals(
        duration.plus(other.duration),
        timeToFirstToken.plus(other.timeToFirstToken),
        Math.addExact(streamedOutputTokens, other.streamedOutputTokens),
        Math.addExact(generationMillis, other.generationMillis));
  }

  /**
   * Output tokens per second after the first token, over the calls with a time to first token; NaN
   * when none spent any time after it.
   */
  public double outputTokensPerSecond() {
    return generationMillis == 0 ? Double.NaN : streamedOutputTokens * 1000.0 / generationMillis;
  }
}
