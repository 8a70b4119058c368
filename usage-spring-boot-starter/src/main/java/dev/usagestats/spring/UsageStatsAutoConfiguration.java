package dev.usagestats.spring;

import dev.usagestats.UsageListener;
import dev.usagestats.UsageStats;
import dev.usagestats.spi.UsageStore;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The usage engine as a bean, built from the {@code usagestats.*} properties, with the {@link
 * UsageStore} bean (if any) as its store, every {@link UsageListener} bean as a listener, and then
 * every {@link UsageStatsBuilderCustomizer}. Backs off when the application defines its own {@link
 * UsageStats}.
 *
 * <p>The engine is closed when the context closes, before the store and the {@code DataSource} it
 * writes to (they were created while the engine was, so they are destroyed after it): the rows
 * still pending are written on the way down, within {@code usagestats.close-timeout}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "usagestats.enabled", matchIfMissing = true)
@EnableConfigurationProperties(UsageStatsProperties.class)
public final class UsageStatsAutoConfiguration {

  /** The engine; see the class comment for what goes in. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public UsageStats usageStats(
      UsageStatsProperties properties,
      ObjectProvider<UsageStore> store,
      ObjectProvider<UsageListener> listeners,
      ObjectProvider<UsageStatsBuilderCustomizer> customizers) {
    UsageStats.Builder b = UsageStats.builder();
    set("zone", properties.getZone(), b::defaultZone);
    set("retention", properties.getRetention(), b::retention);
    set("minute-retention", properties.getMinuteRetention(), b::minuteRetention);
    set("max-series", properties.getMaxSeries(), b::maxSeries);
    set("max-future-skew", properties.getMaxFutureSkew(), b::maxFutureSkew);
    set("flush-interval", properties.getFlushInterval(), b::flushInterval);
    set("close-timeout", properties.getCloseTimeout(), b::closeTimeout);
    set("node-id", properties.getNodeId(), b::nodeId);
    set("max-pending-rows", properties.getMaxPendingRows(), b::maxPendingRows);
    set("api-key-policy", properties.getApiKeyPolicy(), b::apiKeyPolicy);
    store.ifAvailable(b::store);
    listeners.orderedStream().forEach(b::listener);
    customizers.orderedStream().forEach(c -> c.customize(b));
    try {
      return b.build();
    } catch (IllegalStateException e) {
      throw new IllegalStateException("usagestats: " + e.getMessage(), e);
    }
  }

  /**
   * Applies a property that is set; a value the builder refuses fails the start with a message
   * naming the property.
   */
  static <T> void set(String property, @Nullable T value, Consumer<T> setter) {
    if (value == null) return;
    try {
      setter.accept(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "usagestats." + property + " is invalid: " + e.getMessage(), e);
    }
  }
}
