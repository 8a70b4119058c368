package dev.usagestats.spring;

import dev.usagestats.EngineStats;
import dev.usagestats.UsageStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The engine's health from {@link UsageStats#stats()}, without touching the store: reading the
 * counters costs nothing, so a health probe never adds load to a struggling database.
 *
 * <ul>
 *   <li><b>DOWN</b> when the store is not accepting writes: rows are pending, writes have failed,
 *       and the last accepted batch is older than {@code usagestats.health.max-flush-age} (or there
 *       was none). Recording goes on meanwhile; pending rows are kept up to {@code
 *       usagestats.max-pending-rows}.
 *   <li><b>UP</b> otherwise.
 * </ul>
 *
 * Details: {@code store} ({@code none}, {@code reachable} or {@code unreachable}), {@code
 * pendingRows}, {@code lastGoodFlush} and {@code lastGoodFlushAge} (when there was one), {@code
 * failedFlushes}, {@code droppedCalls}, {@code droppedTokens}, {@code refusedRows}, {@code
 * refusedCalls}, {@code coarsenedRows}, {@code series}, {@code overflowEvents}, {@code
 * rejectedEvents}, {@code listenerFailures}. Thread-safe.
 */
public final class UsageStatsHealthIndicator implements HealthIndicator {
  private final UsageStats stats;
  private final boolean hasStore;
  private final Duration maxFlushAge;
  private final Clock clock;

  private UsageStatsHealthIndicator(
      UsageStats stats, boolean hasStore, Duration maxFlushAge, Clock clock) {
    this.stats = stats;
    this.hasStore = hasStore;
    this.maxFlushAge = maxFlushAge;
    this.clock = clock;
  }

  /**
   * An indicator for {@code stats}; {@code hasStore} says whether it writes to a store, {@code
   * clock} tells the age of the last good flush (use the engine's clock).
   *
   * @throws IllegalArgumentException if {@code maxFlushAge} is negative
   */
  public static UsageStatsHealthIndicator of(
      UsageStats stats, boolean hasStore, Duration maxFlushAge, Clock clock) {
    Objects.requireNonNull(stats, "stats");
    Objects.requireNonNull(maxFlushAge, "maxFlushAge");
    Objects.requireNonNull(clock, "clock");
    if (maxFlushAge.isNegative()) {
      throw new IllegalArgumentException("maxFlushAge must be >= 0: " + maxFlushAge);
    }
    return new UsageStatsHealthIndicator(stats, hasStore, maxFlushAge, clock);
  }

  @Override
  public Health health() {
    EngineStats s = stats.stats();
    Instant last = s.lastGoodFlush();
    @Nullable Duration age = last == null ? null : Duration.between(last, clock.instant());
    boolean stale = age == null || age.compareTo(maxFlushAge) > 0;
    boolean unreachable = hasStore && s.pendingRows() > 0 && s.failedFlushes() > 0 && stale;
    Health.Builder h = unreachable ? Health.down() : Health.up();
    h.withDetail("store", !hasStore ? "none" : unreachable ? "unreachable" : "reachable");
    h.withDetail("pendingRows", s.pendingRows());
    if (last != null && age != null) {
      h.withDetail("lastGoodFlush", last.toString());
      h.withDetail("lastGoodFlushAge", age.toString());
    }
    h.withDetail("failedFlushes", s.failedFlushes());
    h.withDetail("droppedCalls", s.droppedCalls());
    h.withDetail("droppedTokens", s.droppedTokens());
    h.withDetail("refusedRows", s.refusedRows());
    h.withDetail("refusedCalls", s.refusedCalls());
    h.withDetail("coarsenedRows", s.coarsenedRows());
    h.withDetail("series", s.series());
    h.withDetail("overflowEvents", s.overflowEvents());
    h.withDetail("rejectedEvents", s.rejectedEvents());
    h.withDetail("listenerFailures", s.listenerFailures());
    return h.build();
  }
}
