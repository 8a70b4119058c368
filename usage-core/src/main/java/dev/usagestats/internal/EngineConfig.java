package dev.usagestats.internal;

import dev.usagestats.ApiKeyPolicy;
import dev.usagestats.PriceBook;
import dev.usagestats.UsageListener;
import dev.usagestats.spi.UsageStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The engine's settings, checked by {@code UsageStats.Builder}. See the builder's setters for what
 * each means.
 *
 * @param clock the clock events and queries are timed by
 * @param defaultZone the zone new queries start in
 * @param retention how long memory keeps 15-minute rollups
 * @param minuteRetention how long memory keeps 1-minute rollups
 * @param maxSeries the series cap
 * @param maxFutureSkew how far ahead of the clock an event may be
 * @param flushInterval how often the background flusher runs; zero for never
 * @param closeTimeout how long close() keeps trying to write pending batches
 * @param store the durable store, or null to keep history in memory
 * @param listeners listeners that hear every event
 * @param nodeId this node's id in batch ids
 * @param maxPendingRows the most rows held for the store
 * @param earliestTimestamp events before this instant are refused
 * @param apiKeyPolicy what to do with API key ids that look like secrets
 * @param priceBook the prices reports are costed with, or null for none
 */
public record EngineConfig(
    Clock clock,
    ZoneId defaultZone,
    Duration retention,
    Duration minuteRetention,
    int maxSeries,
    Duration maxFutureSkew,
    Duration flushInterval,
    Duration closeTimeout,
    @Nullable UsageStore store,
    List<UsageListener> listeners,
    String nodeId,
    long maxPendingRows,
    Instant earliestTimestamp,
    ApiKeyPolicy apiKeyPolicy,
    @Nullable PriceBook priceBook) {
  /** Checks that nothing required is null and copies the listeners. */
  public EngineConfig {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(defaultZone, "defaultZone");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(minuteRetention, "minuteRetention");
    Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
    Objects.requireNonNull(flushInterval, "flushInterval");
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    listeners = List.copyOf(listeners);
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(earliestTimestamp, "earliestTimestamp");
    Objects.requireNonNull(apiKeyPolicy, "apiKeyPolicy");
  }
}
