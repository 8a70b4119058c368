package dev.usagestats.micrometer;

import dev.usagestats.EngineStats;
import dev.usagestats.UsageStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's health as meters, read from {@link UsageStats#stats()} when the registry publishes:
 *
 * <ul>
 *   <li>{@code usagestats.series} (gauge): series in the engine, the overflow series included;
 *   <li>{@code usagestats.events.overflow} (counter): events counted in the overflow series;
 *   <li>{@code usagestats.events.rejected} (counter): events refused for bad arguments;
 *   <li>{@code usagestats.listener.failures} (counter): listener exceptions caught;
 *   <li>{@code usagestats.flush.pending.rows} (gauge): rollup rows not yet in the store;
 *   <li>{@code usagestats.flush.failures} (counter): store writes that failed (and are retried);
 *   <li>{@code usagestats.flush.coarsened.rows} (counter): pending rows kept per 15 minutes because
 *       the store fell behind;
 *   <li>{@code usagestats.flush.dropped.calls} (counter): calls lost because the store stayed down
 *       until the pending cap was full, or was still down when {@code close()} gave up;
 *   <li>{@code usagestats.flush.dropped.tokens} (counter): input plus output tokens of those calls;
 *   <li>{@code usagestats.flush.refused.rows}, {@code usagestats.flush.refused.calls} (counters):
 *       rollup rows (and their calls) the store refused for good (a constraint, a value out of
 *       range), set aside so the batches behind them are written;
 *   <li>{@code usagestats.flush.last.success.age} (gauge, seconds): time since the store last
 *       accepted a batch; NaN before the first.
 * </ul>
 *
 * <pre>{@code
 * new UsageStatsMetrics(stats).bindTo(registry);
 * }</pre>
 *
 * <p>Binding never throws: a registry that refuses a meter is logged and skipped.
 */
public final class UsageStatsMetrics implements MeterBinder {
  private static final Logger LOG = LoggerFactory.getLogger(UsageStatsMetrics.class);

  private final UsageStats stats;
  private final Tags tags;
  private final Clock clock;

  /** Health meters of {@code stats}, without extra tags. */
  public UsageStatsMetrics(UsageStats stats) {
    this(stats, Tags.empty(), Clock.systemUTC());
  }

  /** Health meters of {@code stats} with {@code tags} (for example the engine's name). */
  public UsageStatsMetrics(UsageStats stats, Tags tags) {
    this(stats, tags, Clock.systemUTC());
  }

  UsageStatsMetrics(UsageStats stats, Tags tags, Clock clock) {
    this.stats = Objects.requireNonNull(stats, "stats");
    this.tags = Objects.requireNonNull(tags, "tags");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(registry, "usagestats.series", "Usage series in the engine", s -> s.series());
    counter(
        registry,
        "usagestats.events.overflow",
        "Events counted in the overflow series",
        s -> s.overflowEvents());
    counter(
        registry,
        "usagestats.events.rejected",
        "Events refused for bad arguments",
        s -> s.rejectedEvents());
    counter(
        registry,
        "usagestats.listener.failures",
        "Listener exceptions caught",
        s -> s.listenerFailures());
    gauge(
        registry,
        "usagestats.flush.pending.rows",
        "Rollup rows waiting for the store",
        s -> s.pendingRows());
    counter(
        registry, "usagestats.flush.failures", "Store writes that failed", s -> s.failedFlushes());
    counter(
        registry,
        "usagestats.flush.coarsened.rows",
        "Pending rows kept per 15 minutes because the store fell behind",
        s -> s.coarsenedRows());
    counter(
        registry,
        "usagestats.flush.dropped.calls",
        "Calls lost: the pending cap was full, or close() gave up on the store",
        s -> s.droppedCalls());
    counter(
        registry,
        "usagestats.flush.dropped.tokens",
        "Input plus output tokens of the dropped calls",
        s -> s.droppedTokens());
    counter(
        registry,
        "usagestats.flush.refused.rows",
        "Rollup rows the store refused for good, set aside so later batches flow",
        s -> s.refusedRows());
    counter(
        registry,
        "usagestats.flush.refused.calls",
        "Calls in the rollup rows the store refused for good",
        s -> s.refusedCalls());
    try {
      Gauge.builder("usagestats.flush.last.success.age", this, m -> m.lastGoodFlushAge())
          .description("Seconds since the store last accepted a batch")
          .baseUnit("seconds")
          .tags(tags)
          .strongReference(true)
          .register(registry);
    } catch (RuntimeException e) {
      LOG.warn("could not register usagestats.flush.last.success.age", e);
    }
  }

  private double lastGoodFlushAge() {
    Instant last = stats.stats().lastGoodFlush();
    if (last == null) return Double.NaN;
    return Math.max(0, clock.millis() - last.toEpochMilli()) / 1000.0;
  }

  private void gauge(
      MeterRegistry registry, String name, String description, ToDoubleFunction<EngineStats> f) {
    try {
      Gauge.builder(name, stats, s -> f.applyAsDouble(s.stats()))
          .description(description)
          .tags(tags)
          .strongReference(true)
          .register(registry);
    } catch (RuntimeException e) {
      LOG.warn("could not register {}", name, e);
    }
  }

  private void counter(
      MeterRegistry registry, String name, String description, ToDoubleFunction<EngineStats> f) {
    try {
      FunctionCounter.builder(name, stats, s -> f.applyAsDouble(s.stats()))
          .description(description)
          .tags(tags)
          .register(registry);
    } catch (RuntimeException e) {
      LOG.warn("could not register {}", name, e);
    }
  }
}
