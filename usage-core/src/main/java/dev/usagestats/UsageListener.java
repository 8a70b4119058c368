package dev.usagestats;

/**
 * Hears every recorded event, for exporters such as Micrometer. The engine asks once per series for
 * a {@link SeriesListener} and holds it with the series, so nothing is looked up per call.
 *
 * <p>Implementations must be thread-safe and fast: {@link SeriesListener#onRecord} runs on the
 * recording thread. Anything they throw is caught, counted in {@link EngineStats#listenerFailures}
 * and logged (rate-limited); it never reaches the caller of {@code record}.
 */
public interface UsageListener {
  /**
   * Called once when a series is created (the overflow series included), before any event of it is
   * recorded. The result is held by the series.
   */
  SeriesListener forSeries(SeriesKey key);

  /** Hears the events of one series. */
  @FunctionalInterface
  interface SeriesListener {
    /**
     * Called after an event is recorded, on the recording thread. Cached-read and cache-creation
     * tokens are parts of the input tokens, reasoning tokens part of the output tokens.
     */
    void onRecord(
        long inputTokens,
        long outputTokens,
        long cachedInputTokens,
        long cacheCreationInputTokens,
        long reasoningTokens,
        Outcome outcome);

    /**
     * Called after an event is recorded, with its latency in nanoseconds ({@link
     * UsageSeries#NO_LATENCY} when not known). By default it calls the form without latency;
     * listeners that export latency override this one.
     */
    default void onRecord(
        long inputTokens,
        long outputTokens,
        long cachedInputTokens,
        long cacheCreationInputTokens,
        long reasoningTokens,
        Outcome outcome,
        long durationNanos,
        long timeToFirstTokenNanos) {
      onRecord(
          inputTokens,
          outputTokens,
          cachedInputTokens,
          cacheCreationInputTokens,
          reasoningTokens,
          outcome);
    }
  }
}
