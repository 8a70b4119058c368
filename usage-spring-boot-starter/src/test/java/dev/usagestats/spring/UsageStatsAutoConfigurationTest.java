package dev.usagestats.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.ApiKeys;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageListener;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import dev.usagestats.spi.UsageStore;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class UsageStatsAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(UsageStatsAutoConfiguration.class));

  @Test
  void usageStats_noProperties_engineInMemory() {
    runner.run(
        ctx -> {
          assertThat(ctx).hasSingleBean(UsageStats.class).doesNotHaveBean(UsageStore.class);
          UsageStats stats = ctx.getBean(UsageStats.class);
          stats.record("acme", "key-a", "m1", 10, 5);
          assertThat(stats.query(stats.newQuery().build()).totals().totalTokens()).isEqualTo(15);
          assertThat(stats.newQuery().build().zone()).isEqualTo(ZoneId.of("Z"));
        });
  }

  @Test
  void usageStats_properties_appliedToEngine() {
    runner
        .withPropertyValues(
            "usagestats.zone=Asia/Kolkata",
            "usagestats.max-series=1",
            "usagestats.flush-interval=0",
            "usagestats.retention=2d",
            "usagestats.minute-retention=1h",
            "usagestats.max-future-skew=1m",
            "usagestats.close-timeout=2s",
            "usagestats.node-id=api-7",
            "usagestats.max-pending-rows=1000")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              UsageStats stats = ctx.getBean(UsageStats.class);
              assertThat(stats.newQuery().build().zone()).isEqualTo(ZoneId.of("Asia/Kolkata"));
              stats.record("acme", "key-a", "m1", 10, 5);
              stats.record("acme", "key-b", "m1", 10, 5);
              // max-series=1: the second series goes to the overflow series, totals stay exact.
              assertThat(stats.stats().overflowEvents()).isEqualTo(1);
              assertThat(stats.query(stats.newQuery().build()).totals().calls()).isEqualTo(2);
            });
  }

  @Test
  void usageStats_apiKeyPolicyFingerprint_secretKeptAsItsFingerprint() {
    runner
        .withPropertyValues("usagestats.api-key-policy=fingerprint")
        .run(
            ctx -> {
              UsageStats stats = ctx.getBean(UsageStats.class);
              String secret = "sk-proj-9f8e7d6c5b4a39281706";
              stats.record("acme", secret, "m1", 10, 5);
              UsageTotals t =
                  stats
                      .query(stats.newQuery().apiKey(ApiKeys.fingerprint(secret)).build())
                      .totals();
              assertThat(t.calls()).isEqualTo(1);
            });
  }

  @Test
  void usageStats_invalidProperty_startFailsNamingProperty() {
    runner
        .withPropertyValues("usagestats.retention=0s")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining(
                        "usagestats.retention is invalid: retention must be positive: PT0S"));
  }

  @Test
  void usageStats_minuteRetentionOverRetention_startFailsNamingBoth() {
    runner
        .withPropertyValues("usagestats.retention=1h", "usagestats.minute-retention=2h")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining(
                        "usagestats: minuteRetention must not exceed retention"));
  }

  @Test
  void usageStats_disabled_noEngine() {
    runner
        .withPropertyValues("usagestats.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(UsageStats.class));
  }

  @Test
  void usageStats_userDefined_autoConfiguredBacksOff() {
    runner
        .withUserConfiguration(OwnEngine.class)
        .run(
            ctx ->
                assertThat(ctx)
                    .hasSingleBean(UsageStats.class)
                    .getBean(UsageStats.class)
                    .isSameAs(ctx.getBean(OwnEngine.class).engine));
  }

  @Test
  void usageStats_listenerAndCustomizerBeans_applied() {
    runner
        .withUserConfiguration(ListenerAndCustomizer.class)
        .run(
            ctx -> {
              ctx.getBean(UsageStats.class).record("acme", "key-a", "m1", 10, 5);
              ListenerAndCustomizer c = ctx.getBean(ListenerAndCustomizer.class);
              assertThat(c.seriesSeen).containsExactly(new SeriesKey("acme", "key-a", "m1"));
              assertThat(c.customized).isTrue();
            });
  }

  @Test
  void usageStats_contextClosed_engineClosed() {
    List<UsageStats> engines = new ArrayList<>();
    runner.run(ctx -> engines.add(ctx.getBean(UsageStats.class)));

    UsageStats closed = engines.get(0);
    closed.record("acme", "key-a", "m1", 10, 5);
    // Recording after close is ignored and counted as rejected.
    assertThat(closed.stats().rejectedEvents()).isEqualTo(1);
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnEngine {
    final UsageStats engine = UsageStats.builder().build();

    @Bean(destroyMethod = "close")
    UsageStats myEngine() {
      return engine;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class ListenerAndCustomizer {
    final List<SeriesKey> seriesSeen = new ArrayList<>();
    boolean customized;

    @Bean
    UsageListener recordingListener() {
      return key -> {
        seriesSeen.add(key);
        return (in, out, cached, cacheCreation, reasoning, outcome) -> {};
      };
    }

    @Bean
    UsageStatsBuilderCustomizer customizer() {
      return b -> customized = true;
    }
  }
}
