package dev.usagestats;

/**
 * A handle bound to one series (tenant, API key id, model), for callers that know their series:
 * recording through it skips the name lookup. Get one from {@link UsageStats#series}; hold it as
 * long as you like. Thread-safe; recording is wait-free and allocates nothing (see {@link
 * UsageStats} for the one exception, a flush interval over two minutes).
 *
 * <pre>{@code
 * UsageSeries s = stats.series("acme", "key-7f3a", "public/deepseek-r1");
 * s.record(1200, 350);
 * }</pre>
 *
 * <p>If the series cap was reached when the handle was made, it records into the overflow series
 * ({@link #key()} says so).
 */
public interface UsageSeries {
  /** A latency argument that is not known: not the same as 0. */
  long NO_LATENCY = -1;

  /** The series this handle records into (the overflow series' key if the cap was reached). */
  SeriesKey key();

  /**
   * Records one successful invocation now.
   *
   * @throws IllegalArgumentException if a count is negative or above 2^40; nothing is recorded
   */
  void record(long inputTokens, long outputTokens);

  /**
   * Records one invocation now.
   *
   * @throws IllegalArgumentException if a count is out of range or a part exceeds its whole;
   *     nothing is recorded
   * @throws NullPointerException if outcome is null; nothing is recorded
   */
  void record(
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long reasoningTokens,
      Outcome outcome);

  /**
   * Records one invocation now, with every count: cached-read and cache-creation tokens are parts
   * of the input tokens (together at most the input), reasoning tokens part of the output.
   *
   * @throws IllegalArgumentException if a count is out of range or a part exceeds its whole;
   *     nothing is recorded
   * @throws NullPointerException if outcome is null; nothing is recorded
   */
  void record(
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long cacheCreationInputTokens,
      long reasoningTokens,
      Outcome outcome);

  /**
   * Records one invocation now, with every count and its latency in nanoseconds: the total duration
   * and, for a streamed response, the time to first token; each {@link #NO_LATENCY} when not known.
   *
   * @throws IllegalArgumentException if a count or latency is invalid (negative other than -1, over
   *     an hour, time to first token over the duration); nothing is recorded
   * @throws NullPointerException if the outcome is null; nothing is recorded
   */
  void record(
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long cacheCreationInputTokens,
      long reasoningTokens,
      Outcome outcome,
      long durationNanos,
      long timeToFirstTokenNanos);

  /**
   * Records one successful invocation now with its total duration (no time to first token).
   *
   * @throws IllegalArgumentException if a count or the duration is invalid; nothing is recorded
   */
  default void record(long inputTokens, long outputTokens, java.time.Duration duration) {
    record(inputTokens, outputTokens, 0, 0, 0, Outcome.SUCCESS, duration.toNanos(), NO_LATENCY);
  }
}
