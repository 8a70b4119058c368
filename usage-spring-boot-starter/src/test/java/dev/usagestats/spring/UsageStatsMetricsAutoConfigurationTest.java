package dev.usagestats.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.UsageStats;
import dev.usagestats.micrometer.MicrometerUsageListener;
import dev.usagestats.micrometer.UsageStatsMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class UsageStatsMetricsAutoConfigurationTest {
  private final ApplicationContextRunner withoutRegistry =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  UsageStatsAutoConfiguration.class, UsageStatsMetricsAutoConfiguration.class));

  private final ApplicationContextRunner withRegistry =
      withoutRegistry.withConfiguration(
          AutoConfigurations.of(
              MetricsAutoConfiguration.class,
              SimpleMetricsExportAutoConfiguration.class,
              CompositeMeterRegistryAutoConfiguration.class));

  @Test
  void meters_registryPresent_usageAndHealthMetersExported() {
    withRegistry
        .withPropertyValues("usagestats.metrics.api-key-tag=true")
        .run(
            ctx -> {
              assertThat(ctx)
                  .hasSingleBean(MicrometerUsageListener.class)
                  .hasSingleBean(UsageStatsMetrics.class);
              UsageStats stats = ctx.getBean(UsageStats.class);
              stats.record("acme", "key-a", "public/deepseek-r1", 1200, 350);
              MeterRegistry registry = ctx.getBean(MeterRegistry.class);
              assertThat(
                      registry
                          .get(MicrometerUsageListener.TOKEN_USAGE)
                          .tag("gen_ai.token.type", "input")
                          .tag("gen_ai.request.model", "public/deepseek-r1")
                          .tag("api_key", "key-a")
                          .counter()
                          .count())
                  .isEqualTo(1200.0);
              assertThat(registry.get("usagestats.series").gauge().value()).isEqualTo(1.0);
            });
  }

  @Test
  void meters_noRegistry_noMeterBeans() {
    withoutRegistry.run(
        ctx ->
            assertThat(ctx)
                .hasSingleBean(UsageStats.class)
                .doesNotHaveBean(MicrometerUsageListener.class)
                .doesNotHaveBean(UsageStatsMetrics.class));
  }

  @Test
  void meters_disabled_noMeterBeans() {
    withRegistry
        .withPropertyValues("usagestats.metrics.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(MicrometerUsageListener.class));
  }

  @Test
  void meters_userDefinedHealthBinder_autoConfiguredBacksOff() {
    withRegistry
        .withBean(
            "myBinder",
            UsageStatsMetrics.class,
            () -> new UsageStatsMetrics(UsageStats.builder().build()))
        .run(ctx -> assertThat(ctx).hasSingleBean(UsageStatsMetrics.class).hasBean("myBinder"));
  }

  @Test
  void meters_userDefinedListener_autoConfiguredBacksOff() {
    withRegistry
        .withBean(
            "myListener",
            MicrometerUsageListener.class,
            () -> MicrometerUsageListener.builder(new SimpleMeterRegistry()).build())
        .run(
            ctx ->
                assertThat(ctx).hasSingleBean(MicrometerUsageListener.class).hasBean("myListener"));
  }
}
