package dev.usagestats.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.ApiKeys;
import dev.usagestats.Outcome;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import dev.usagestats.providers.Provider;
import dev.usagestats.providers.ProviderUsage;
import dev.usagestats.providers.TokenUsage;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.stereotype.Service;

/**
 * The Spring Boot lines of the top README's "Wire it in" without Spring AI, verbatim: the
 * properties and the service. (The Spring AI lines run in {@link SpringAiApplicationTest}.)
 */
class WireItInSpringTest {

  // --- Wire it in: Spring Boot without Spring AI (the top README's "Wire it in") ---
  @Service
  static class Completions {
    private final UsageStats stats; // the starter's engine

    Completions(UsageStats stats) {
      this.stats = stats;
    }

    /** After each call to the provider's HTTP API, with the parsed response body. */
    void record(String tenant, String keyId, JsonNode response) {
      TokenUsage usage = ProviderUsage.from(Provider.OPENAI_CHAT, response.get("usage"));
      String model = response.get("model").asText();
      ProviderUsage.record(stats, tenant, keyId, model, usage, Outcome.SUCCESS);
    }
  }

  // --- end ---

  @Test
  void springBootWithoutSpringAi_recordsIntoTheStarterEngineAndStore() throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                UsageStatsAutoConfiguration.class, UsageStatsJdbcAutoConfiguration.class))
        .withBean(DataSource.class, () -> h2)
        .withBean(Completions.class)
        .withPropertyValues(
            // --- Wire it in: application.properties ---
            "usagestats.zone=Europe/Berlin",
            "usagestats.store.jdbc.enabled=true",
            "usagestats.store.jdbc.create-schema=true",
            "management.endpoints.web.exposure.include=health,usage"
            // --- end ---
            )
        .run(
            ctx -> {
              JsonNode response =
                  new ObjectMapper()
                      .readTree(
                          "{\"model\":\""
                              + OpenAiStub.MODEL
                              + "\",\"usage\":"
                              + OpenAiStub.USAGE
                              + "}");
              String keyId = ApiKeys.fingerprint("sk-proj-9f8e7d6c5b4a39281706");

              ctx.getBean(Completions.class).record("acme", keyId, response);

              UsageStats stats = ctx.getBean(UsageStats.class);
              stats.flush();
              UsageTotals t = stats.query(stats.newQuery().apiKey(keyId).build()).totals();
              assertThat(t).isEqualTo(new UsageTotals(1, 0, 1200, 350, 200, 0, 50));
            });
  }
}
