package dev.usagestats.providers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.ApiKeys;
import dev.usagestats.Outcome;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import org.junit.jupiter.api.Test;

/** The plain-Java lines of the top README's "Wire it in", verbatim. */
class WireItInTest {
  @Test
  void plainJava_runs() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    String responseBody = ProviderUsageTest.OPENAI_CHAT_CACHED;
    String tenant = "acme";
    String secret = "sk-proj-9f8e7d6c5b4a39281706";
    String model = "gpt-4o";
    // --- Wire it in: plain Java ---
    UsageStats stats = UsageStats.builder().build(); // one per process; close() on shutdown
    String keyId = ApiKeys.fingerprint(secret); // never the secret itself

    // After each call to a provider's HTTP API, from the response body:
    JsonNode body = mapper.readTree(responseBody);
    TokenUsage usage = ProviderUsage.from(Provider.OPENAI_CHAT, body.get("usage"));
    ProviderUsage.record(stats, tenant, keyId, body.get("model").asText(), usage, Outcome.SUCCESS);

    // After a call that failed:
    ProviderUsage.record(stats, tenant, keyId, model, TokenUsage.ZERO, Outcome.ERROR);
    // --- end ---
    try (stats) {
      UsageTotals t = stats.query(stats.newQuery().build()).totals();
      assertThat(t).isEqualTo(new UsageTotals(2, 1, 2006, 300, 1920, 0, 0));
    }
  }
}
