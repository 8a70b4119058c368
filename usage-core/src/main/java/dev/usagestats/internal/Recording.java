package dev.usagestats.internal;

import dev.usagestats.LatencyHistogram;
import dev.usagestats.Outcome;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageListener.SeriesListener;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The recording path: checks the caller's arguments, finds the series, adds into the interval
 * recorder, then tells the series' listeners.
 *
 * <pre>
 * Assumptions and guarantees
 *
 * 1. Called by any thread, through UsageStats and bound handles. Once a series exists, a record is
 *    wait-free and allocation-free (see IntervalRecorder for the spill exception).
 * 2. Bad arguments are counted as rejected and thrown as IllegalArgumentException or
 *    NullPointerException naming the field and the value, before anything is recorded.
 * 3. A listener's failure is caught, counted and logged; it never reaches the caller.
 * </pre>
 */
final class Recording {
  private final SeriesTable table;
  private final IntervalRecorder recorder;
  private final MinuteClock clock;
  private final Health health;
  private final long maxFutureSkewMillis;
  private final Instant earliest;
  private final Backend backend;

  Recording(
      SeriesTable table,
      IntervalRecorder recorder,
      MinuteClock clock,
      Health health,
      Duration maxFutureSkew,
      Instant earliest,
      Backend backend) {
    this.table = table;
    this.recorder = recorder;
    this.clock = clock;
    this.health = health;
    this.maxFutureSkewMillis = maxFutureSkew.toMillis();
    this.earliest = earliest;
    this.backend = backend;
  }

  void recordNow(
      String tenant,
      String apiKey,
      String model,
      long input,
      long output,
      long cached,
      long cacheCreation,
      long reasoning,
      Outcome outcome,
      long durationNanos,
      long firstTokenNanos) {
    checkCounts(input, output, cached, cacheCreation, reasoning, outcome);
    checkLatency(durationNanos, firstTokenNanos);
    long minute = clock.minute();
    Series s = lookup(tenant, apiKey, model);
    add(
        s,
        minute,
        input,
        output,
        cached,
        cacheCreation,
        reasoning,
        outcome,
        durationNanos,
        firstTokenNanos);
  }

  /** The bound handle's path: checks the counts, then records now. */
  void recordNow(
      Series series,
      long input,
      long output,
      long cached,
      long cacheCreation,
      long reasoning,
      Outcome outcome,
      long durationNanos,
      long firstTokenNanos) {
    checkCounts(input, output, cached, cacheCreation, reasoning, outcome);
    checkLatency(durationNanos, firstTokenNanos);
    long minute = clock.minute();
    add(
        series,
        minute,
        input,
        output,
        cached,
        cacheCreation,
        reasoning,
        outcome,
        durationNanos,
        firstTokenNanos);
  }

  void record(UsageEvent event) {
    Objects.requireNonNull(event, "event");
    Instant ts = event.timestamp();
    long now = clock.millis();
    // Compared as instants first: Instant.MIN or MAX has no epoch millis.
    if (ts.isAfter(Instant.ofEpochMilli(now).plusMillis(maxFutureSkewMillis))) {
      health.rejected.incrementAndGet();
      throw new IllegalArgumentException(
          "timestamp must be at most "
              + Duration.ofMillis(maxFutureSkewMillis)
              + " after now ("
              + Instant.ofEpochMilli(now)
              + "): "
              + ts);
    }
    if (ts.isBefore(earliest)) {
      health.rejected.incrementAndGet();
      throw new IllegalArgumentException(
          "timestamp must not be before earliestTimestamp " + earliest + ": " + ts);
    }
    String tooOld = backend.refuseTimestamp(ts.toEpochMilli(), now);
    if (tooOld != null) {
      health.rejected.incrementAndGet();
      throw new IllegalArgumentException(tooOld + ts);
    }
    long minute = Math.floorDiv(ts.toEpochMilli(), MinuteClock.MINUTE_MS);
    long durationNanos = event.duration() == null ? NO_LATENCY : event.duration().toNanos();
    long firstTokenNanos =
        event.timeToFirstToken() == null ? NO_LATENCY : event.timeToFirstToken().toNanos();
    checkLatency(durationNanos, firstTokenNanos);
    Series s = lookup(event.tenant(), event.apiKey(), event.model());
    add(
        s,
        minute,
        event.inputTokens(),
        event.outputTokens(),
        event.cachedInputTokens(),
        event.cacheCreationInputTokens(),
        event.reasoningTokens(),
        event.outcome(),
        durationNanos,
        firstTokenNanos);
  }

  private static final long NO_LATENCY = dev.usagestats.UsageSeries.NO_LATENCY;

  /**
   * Checks an event's latency (as {@link Checks#latency}) before anything is looked up or created.
   */
  private void checkLatency(long durationNanos, long firstTokenNanos) {
    if ((durationNanos & firstTokenNanos) == NO_LATENCY) return; // both unknown (-1 & -1)
    if ((durationNanos < 0 && durationNanos != NO_LATENCY)
        || durationNanos > Checks.MAX_LATENCY_NANOS
        || (firstTokenNanos < 0 && firstTokenNanos != NO_LATENCY)
        || firstTokenNanos > Checks.MAX_LATENCY_NANOS
        || (durationNanos >= 0 && firstTokenNanos > durationNanos)) {
      health.rejected.incrementAndGet();
      Checks.latency(durationNanos, firstTokenNanos);
    }
  }

  private void checkCounts(
      long input, long output, long cached, long cacheCreation, long reasoning, Outcome outcome) {
    if ((input | output | cached | cacheCreation | reasoning) < 0
        || input > Checks.MAX_TOKENS
        || output > Checks.MAX_TOKENS
        || cached + cacheCreation > input
        || reasoning > output
        || outcome == null) {
      health.rejected.incrementAndGet();
      Checks.tokens(input, output, cached, cacheCreation, reasoning);
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  private Series lookup(String tenant, String apiKey, String model) {
    if (tenant == null || apiKey == null || model == null) {
      health.rejected.incrementAndGet();
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(apiKey, "apiKey");
      Objects.requireNonNull(model, "model");
    }
    Series s = table.find(tenant, apiKey, model);
    if (s != null) return s;
    try {
      return table.findOrCreate(tenant, apiKey, model);
    } catch (IllegalArgumentException e) {
      health.rejected.incrementAndGet();
      throw e;
    }
  }

  private void add(
      Series series,
      long minute,
      long input,
      long output,
      long cached,
      long cacheCreation,
      long reasoning,
      Outcome outcome,
      long durationNanos,
      long firstTokenNanos) {
    long errors = outcome == Outcome.ERROR ? 1 : 0;
    int result;
    if ((durationNanos & firstTokenNanos) == NO_LATENCY) {
      // both unknown (-1 & -1): the plain path
      result =
          recorder.add(series, minute, errors, input, output, cached, cacheCreation, reasoning);
    } else {
      int durationBin = durationNanos < 0 ? -1 : LatencyHistogram.binOf(durationNanos / 1_000_000L);
      int firstTokenBin =
          firstTokenNanos < 0 ? -1 : LatencyHistogram.binOf(firstTokenNanos / 1_000_000L);
      // Output tokens per second counts calls with at least a millisecond after their first token:
      // a call whose whole output came with its first token has no rate to add.
      long generationMillis =
          (durationNanos | firstTokenNanos) < 0
              ? -1
              : (durationNanos - firstTokenNanos) / 1_000_000L;
      if (generationMillis == 0) generationMillis = -1;
      result =
          recorder.add(
              series,
              minute,
              errors,
              input,
              output,
              cached,
              cacheCreation,
              reasoning,
              durationBin,
              firstTokenBin,
              generationMillis);
    }
    if (result != Series.ADDED) {
      health.rejected.incrementAndGet();
      if (result == IntervalRecorder.CLOSED) return;
      String field = result == Series.TOO_MANY_INPUT ? "inputTokens" : "outputTokens";
      throw new IllegalArgumentException(
          field
              + " must keep the series within "
              + Series.MAX_TOKENS_PER_SERIES
              + " tokens while the engine runs ("
              + series.key
              + " would pass it): "
              + (result == Series.TOO_MANY_INPUT ? input : output));
    }
    if (series.overflow) health.overflowEvents.incrementAndGet();
    for (SeriesListener l : series.listeners) {
      try {
        l.onRecord(
            input,
            output,
            cached,
            cacheCreation,
            reasoning,
            outcome,
            durationNanos,
            firstTokenNanos);
      } catch (Throwable t) {
        health.listenerFailed("usage listener failed for " + series.key, t);
      }
    }
  }
}
