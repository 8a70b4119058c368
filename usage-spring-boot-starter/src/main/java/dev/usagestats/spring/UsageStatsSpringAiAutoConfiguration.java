package dev.usagestats.spring;

import dev.usagestats.UsageStats;
import dev.usagestats.providers.ProviderUsage;
import io.micrometer.observation.ObservationHandler;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Records Spring AI chat calls ({@link SpringAiUsageObservationHandler}) when Spring AI is on the
 * class path; off with {@code usagestats.spring-ai.enabled=false}. The handler and the attribution
 * resolver each back off when the application defines its own.
 *
 * <p>Spring AI reports calls through the application's {@code ObservationRegistry}, which Spring
 * Boot provides with {@code spring-boot-starter-actuator} (or {@code
 * spring-boot-micrometer-observation}); without one, Spring AI observes nothing and nothing is
 * recorded.
 */
@AutoConfiguration(after = UsageStatsAutoConfiguration.class)
@ConditionalOnClass({
  ChatModelObservationContext.class,
  ObservationHandler.class,
  ProviderUsage.class
})
@ConditionalOnBean(UsageStats.class)
@ConditionalOnBooleanProperty(name = "usagestats.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "usagestats.spring-ai.enabled", matchIfMissing = true)
@EnableConfigurationProperties(UsageStatsProperties.class)
public final class UsageStatsSpringAiAutoConfiguration {

  /**
   * The default resolver: no answer, so every call goes to {@code usagestats.attribution.tenant}
   * and {@code usagestats.attribution.api-key}.
   */
  @Bean
  @ConditionalOnMissingBean
  public SpringAiAttributionResolver springAiAttributionResolver() {
    return context -> null;
  }

  /** The observation handler that records each call. */
  @Bean
  @ConditionalOnMissingBean
  public SpringAiUsageObservationHandler springAiUsageObservationHandler(
      UsageStats stats, SpringAiAttributionResolver resolver, UsageStatsProperties properties) {
    UsageStatsProperties.Attribution a = properties.getAttribution();
    return SpringAiUsageObservationHandler.of(
        stats, resolver, new ChatAttribution(a.getTenant(), a.getApiKey()));
  }
}
