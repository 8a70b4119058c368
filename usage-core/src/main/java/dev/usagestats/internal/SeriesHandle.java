package dev.usagestats.internal;

import dev.usagestats.Outcome;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageSeries;

/** A handle bound to one series: records without a name lookup. Thread-safe, immutable. */
final class SeriesHandle implements UsageSeries {
  private final Recording recording;
  private final Series series;

  SeriesHandle(Recording recording, Series series) {
    this.recording = recording;
    this.series = series;
  }

  @Override
  public SeriesKey key() {
    return series.key;
  }

  @Override
  public void record(long inputTokens, long outputTokens) {
    recording.recordNow(series, inputTokens, outputTokens, 0, 0, 0, Outcome.SUCCESS, -1, -1);
  }

  @Override
  public void record(
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long reasoningTokens,
      Outcome outcome) {
    recording.recordNow(
        series, inputTokens, outputTokens, cachedInputTokens, 0, reasoningTokens, outcome, -1, -1);
  }

  @Override
  public void record(
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long cacheCreationInputTokens,
      long reasoningTokens,
      Outcome outcome) {
    recording.recordNow(
        series,
        inputTokens,
        outputTokens,
        cachedInputTokens,
        cacheCreationInputTokens,
        reasoningTokens,
        outcome,
        -1,
        -1);
  }

  @Override
  public void record(
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long cacheCreationInputTokens,
      long reasoningTokens,
      Outcome outcome,
      long durationNanos,
      long timeToFirstTokenNanos) {
    recording.recordNow(
        series,
        inputTokens,
        outputTokens,
        cachedInputTokens,
        cacheCreationInputTokens,
        reasoningTokens,
        outcome,
        durationNanos,
        timeToFirstTokenNanos);
  }

  @Override
  public String toString() {
    return "UsageSeries" + series.key;
  }
}
