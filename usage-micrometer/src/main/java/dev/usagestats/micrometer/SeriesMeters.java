package dev.usagestats.micrometer;

import dev.usagestats.Outcome;
import dev.usagestats.UsageListener.SeriesListener;
import io.micrometer.core.instrument.Counter;
import java.util.function.DoubleConsumer;

/**
 * One series' held meters. Thread-safe: the counters and timers are, and nothing here is mutable.
 */
final class SeriesMeters implements SeriesListener {
  private final MicrometerUsageListener owner;
  private final DoubleConsumer input;
  private final DoubleConsumer output;
  private final Counter cacheRead;
  private final Counter cacheCreation;
  private final Counter ok;
  private final Counter error;
  private final LatencyTimer okDuration;
  private final LatencyTimer errorDuration;
  private final LatencyTimer timeToFirstChunk;

  SeriesMeters(
      MicrometerUsageListener owner,
      DoubleConsumer input,
      DoubleConsumer output,
      Counter cacheRead,
      Counter cacheCreation,
      Counter ok,
      Counter error,
      LatencyTimer okDuration,
      LatencyTimer errorDuration,
      LatencyTimer timeToFirstChunk) {
    this.owner = owner;
    this.input = input;
    this.output = output;
    this.cacheRead = cacheRead;
    this.cacheCreation = cacheCreation;
    this.ok = ok;
    this.error = error;
    this.okDuration = okDuration;
    this.errorDuration = errorDuration;
    this.timeToFirstChunk = timeToFirstChunk;
  }

  @Override
  public void onRecord(
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long cacheCreationInputTokens,
      long reasoningTokens,
      Outcome outcome) {
    try {
      (outcome == Outcome.ERROR ? error : ok).increment();
      input.accept(inputTokens);
      output.accept(outputTokens);
      // Most calls touch no cache: adding zero to a counter changes nothing, so skip the add.
      if (cachedInputTokens != 0) cacheRead.increment(cachedInputTokens);
      if (cacheCreationInputTokens != 0) cacheCreation.increment(cacheCreationInputTokens);
    } catch (RuntimeException e) {
      owner.failed("recording usage meters", e);
    }
  }

  @Override
  public void onRecord(
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
    try {
      // NO_LATENCY (-1) is "not known", not zero: it adds nothing to a histogram.
      if (durationNanos >= 0) {
        (outcome == Outcome.ERROR ? errorDuration : okDuration).record(durationNanos);
      }
      if (timeToFirstTokenNanos >= 0) timeToFirstChunk.record(timeToFirstTokenNanos);
    } catch (RuntimeException e) {
      owner.failed("recording latency meters", e);
    }
  }
}
