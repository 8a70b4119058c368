package dev.usagestats.spring;

import dev.usagestats.UsageStats;

/**
 * Adjusts the auto-configured engine's builder after the {@code usagestats.*} properties, the store
 * and the listener beans were applied, for what properties cannot say (a {@link java.time.Clock},
 * an extra listener). Beans of this type are applied in {@link org.springframework.core.Ordered}
 * order.
 *
 * <pre>{@code
 * @Bean
 * UsageStatsBuilderCustomizer usageClock(Clock clock) {
 *   return builder -> builder.clock(clock);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface UsageStatsBuilderCustomizer {
  /** Adjusts {@code builder}; its setters check their arguments as usual. */
  void customize(UsageStats.Builder builder);
}
