package dev.usagestats.spring;

import static dev.usagestats.spring.UsageStatsAutoConfiguration.set;

import dev.usagestats.UsageStats;
import dev.usagestats.micrometer.MicrometerUsageListener;
import dev.usagestats.micrometer.UsageStatsMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Usage meters ({@link MicrometerUsageListener}, a listener the engine picks up) and the engine's
 * health meters ({@link UsageStatsMetrics}, a {@code MeterBinder} that Spring Boot's metrics
 * auto-configuration binds to every registry) when the application has a {@link MeterRegistry}.
 * Each backs off when the application defines its own.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass({MeterRegistry.class, MicrometerUsageListener.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "usagestats.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "usagestats.metrics.enabled", matchIfMissing = true)
@EnableConfigurationProperties(UsageStatsProperties.class)
public final class UsageStatsMetricsAutoConfiguration {

  /** Per-series token and call meters under the OpenTelemetry GenAI names. */
  @Bean
  @ConditionalOnMissingBean
  public MicrometerUsageListener micrometerUsageListener(
      UsageStatsProperties properties, MeterRegistry registry) {
    UsageStatsProperties.Metrics p = properties.getMetrics();
    MicrometerUsageListener.Builder b = MicrometerUsageListener.builder(registry);
    set("metrics.api-key-tag", p.getApiKeyTag(), b::apiKeyTag);
    set("metrics.tenant-tag", p.getTenantTag(), b::tenantTag);
    set("metrics.token-meter", p.getTokenMeter(), b::tokenMeter);
    set("metrics.max-meter-series", p.getMaxMeterSeries(), b::maxMeterSeries);
    set("metrics.operation-name", p.getOperationName(), b::operationName);
    return b.build();
  }

  /** The engine's health meters, bound by Spring Boot to the application's registries. */
  @Bean
  @ConditionalOnMissingBean
  public UsageStatsMetrics usageStatsMetrics(UsageStats stats) {
    return new UsageStatsMetrics(stats);
  }
}
