package dev.usagestats.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.Outcome;
import dev.usagestats.UsageStats;
import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class UsageEndpointTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  UsageStatsAutoConfiguration.class,
                  UsageEndpointAutoConfiguration.class,
                  UsageStatsHealthAutoConfiguration.class));

  private final ApplicationContextRunner exposed =
      runner.withPropertyValues("management.endpoints.web.exposure.include=usage");

  @Test
  void usage_exposed_reportOfRecordedCalls() {
    exposed
        .withPropertyValues("usagestats.zone=Asia/Kolkata")
        .run(
            ctx -> {
              UsageStats stats = ctx.getBean(UsageStats.class);
              stats.record("acme", "key-a", "m1", 1200, 350, 200, 50, Outcome.SUCCESS);
              stats.record("acme", "key-b", "m2", 7, 1, 0, 0, Outcome.ERROR);

              JsonNode r =
                  MAPPER.readTree(
                      ctx.getBean(UsageEndpoint.class)
                          .usage(null, "m1", null, "1", null, null, null, null, null, null));

              assertThat(r.get("zone").asText()).isEqualTo("Asia/Kolkata");
              assertThat(r.get("filters").get("model").asText()).isEqualTo("m1");
              JsonNode t = r.get("totals");
              assertThat(t.get("calls").asLong()).isEqualTo(1);
              assertThat(t.get("inputTokens").asLong()).isEqualTo(1200);
              assertThat(t.get("outputTokens").asLong()).isEqualTo(350);
              assertThat(t.get("cachedInputTokens").asLong()).isEqualTo(200);
              assertThat(t.get("reasoningTokens").asLong()).isEqualTo(50);
              assertThat(t.get("totalKTokens").asText()).isEqualTo("1.550");
            });
  }

  @Test
  void usage_malformedParameter_400NamingFieldAndValue() {
    exposed.run(
        ctx -> {
          WebEndpointResponse<String> res =
              ctx.getBean(UsageEndpointWebExtension.class)
                  .usage(null, null, null, null, null, null, "Mars/Base", null, null, null);

          assertThat(res.getStatus()).isEqualTo(400);
          assertThat(res.getContentType()).hasToString("application/json");
          assertThat(res.getBody())
              .isEqualTo(
                  "{\"error\":\"bad_request\",\"field\":\"zone\",\"value\":\"Mars/Base\","
                      + "\"message\":\"zone must be a time zone id such as UTC or Europe/Berlin:"
                      + " 'Mars/Base'\"}");
        });
  }

  @Test
  void usage_storeUnreadable_503() {
    UsageStatsHealthIndicatorTest.FlakyStore store = new UsageStatsHealthIndicatorTest.FlakyStore();
    store.down = true;
    try (UsageStats stats = UsageStats.builder().store(store).build()) {
      UsageEndpointWebExtension web =
          new UsageEndpointWebExtension(
              new UsageEndpoint(stats, Clock.systemUTC(), ZoneOffset.UTC));

      WebEndpointResponse<String> res =
          web.usage(null, null, null, null, null, null, null, null, null, null);

      assertThat(res.getStatus()).isEqualTo(503);
      assertThat(res.getBody()).startsWith("{\"error\":\"store_unavailable\",\"message\":");
    }
  }

  @Test
  void usage_notExposed_noEndpoint() {
    runner.run(
        ctx ->
            assertThat(ctx)
                .hasSingleBean(UsageStats.class)
                .doesNotHaveBean(UsageEndpoint.class)
                .doesNotHaveBean(UsageEndpointWebExtension.class));
  }

  @Test
  void usage_userDefinedEndpoint_autoConfiguredBacksOff() {
    exposed
        .withBean(
            "myEndpoint",
            UsageEndpoint.class,
            () ->
                new UsageEndpoint(UsageStats.builder().build(), Clock.systemUTC(), ZoneOffset.UTC))
        .run(ctx -> assertThat(ctx).hasSingleBean(UsageEndpoint.class).hasBean("myEndpoint"));
  }

  @Test
  void actuatorAbsent_engineWithoutEndpointOrHealth() {
    exposed
        .withClassLoader(
            new FilteredClassLoader(
                "org.springframework.boot.actuate", "org.springframework.boot.health"))
        .run(
            ctx ->
                assertThat(ctx)
                    .hasNotFailed()
                    .hasSingleBean(UsageStats.class)
                    .doesNotHaveBean(UsageEndpoint.class)
                    .doesNotHaveBean(UsageStatsHealthIndicator.class));
  }
}
