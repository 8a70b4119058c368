package dev.usagestats.spring;

import dev.usagestats.UsageStats;
import dev.usagestats.spi.UsageStore;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code usagestats} health indicator ({@link UsageStatsHealthIndicator}) when Spring Boot's
 * health support is present; off with {@code management.health.usagestats.enabled=false}. Backs off
 * when the application defines a bean named {@code usagestatsHealthIndicator}.
 */
@AutoConfiguration(after = UsageStatsAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(UsageStats.class)
@ConditionalOnBooleanProperty(name = "usagestats.enabled", matchIfMissing = true)
@EnableConfigurationProperties(UsageStatsProperties.class)
public final class UsageStatsHealthAutoConfiguration {

  /** The indicator, named so that health reports it as {@code usagestats}. */
  @Bean
  @ConditionalOnMissingBean(name = "usagestatsHealthIndicator")
  @ConditionalOnEnabledHealthIndicator("usagestats")
  public UsageStatsHealthIndicator usagestatsHealthIndicator(
      UsageStats stats, UsageStatsProperties properties, ObjectProvider<UsageStore> store) {
    return UsageStatsHealthIndicator.of(
        stats,
        store.getIfAvailable() != null,
        properties.getHealth().getMaxFlushAge(),
        Clock.systemUTC());
  }
}
