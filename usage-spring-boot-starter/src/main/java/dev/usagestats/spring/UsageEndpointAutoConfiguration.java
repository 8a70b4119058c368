package dev.usagestats.spring;

import dev.usagestats.UsageStats;
import java.time.Clock;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code usage} actuator endpoint ({@link UsageEndpoint}) when Spring Boot's actuator is
 * present and the endpoint is available (exposed, e.g. {@code
 * management.endpoints.web.exposure.include=health,usage}, and not turned off). Backs off when the
 * application defines its own {@link UsageEndpoint}.
 */
@AutoConfiguration(after = UsageStatsAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(UsageStats.class)
@ConditionalOnBooleanProperty(name = "usagestats.enabled", matchIfMissing = true)
public final class UsageEndpointAutoConfiguration {

  /**
   * The endpoint; "today" comes from the system clock, the zone of a request that names none is the
   * engine's default zone ({@code usagestats.zone}).
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint(UsageEndpoint.class)
  public UsageEndpoint usageEndpoint(UsageStats stats) {
    return new UsageEndpoint(stats, Clock.systemUTC(), stats.newQuery().build().zone());
  }

  /** The endpoint's HTTP side, with status codes. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(UsageEndpoint.class)
  public UsageEndpointWebExtension usageEndpointWebExtension(UsageEndpoint endpoint) {
    return new UsageEndpointWebExtension(endpoint);
  }
}
