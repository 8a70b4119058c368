package dev.usagestats.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.Outcome;
import dev.usagestats.TestClock;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageStoreException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportJsonTest {
  private static final Instant NOW = Instant.parse("2026-11-20T10:30:00Z");
  private final ReportJson json = ReportJson.of(new ObjectMapper());

  @Test
  void report_twoModels_countsAsIntegersKTokensAsDecimalStrings() {
    TestClock clock = new TestClock(NOW);
    try (UsageStats stats =
        UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build()) {
      stats.record("acme", "key-a", "m1", 1200, 350, 200, 100, 50, Outcome.SUCCESS);
      stats.record("acme", "key-b", "m2", 7, 1, 0, 0, Outcome.ERROR);
      Map<String, String> params = Map.of("days", "1", "groupBy", "model");
      UsageQuery q = UsageRequest.toQuery(params, clock, ZoneOffset.UTC);

      JsonNode r = json.report(q, UsageRequest.answer(stats, q, params));

      assertThat(r.get("from").asText()).isEqualTo("2026-11-20T00:00:00Z");
      assertThat(r.get("to").asText()).isEqualTo("2026-11-21T00:00:00Z");
      assertThat(r.get("firstDay").asText()).isEqualTo("2026-11-20");
      assertThat(r.get("lastDay").asText()).isEqualTo("2026-11-20");
      assertThat(r.get("granularity").asText()).isEqualTo("HOUR");
      assertThat(r.get("filters").get("apiKey").isNull()).isTrue();
      JsonNode t = r.get("totals");
      assertThat(t.get("calls").isIntegralNumber()).isTrue();
      assertThat(t.get("calls").asLong()).isEqualTo(2);
      assertThat(t.get("errors").asLong()).isEqualTo(1);
      assertThat(t.get("inputTokens").asLong()).isEqualTo(1207);
      assertThat(t.get("outputTokens").asLong()).isEqualTo(351);
      assertThat(t.get("totalTokens").asLong()).isEqualTo(1558);
      assertThat(t.get("cachedInputTokens").asLong()).isEqualTo(200);
      assertThat(t.get("cacheCreationInputTokens").asLong()).isEqualTo(100);
      assertThat(t.get("reasoningTokens").asLong()).isEqualTo(50);
      assertThat(t.get("totalKTokens").isTextual()).isTrue();
      assertThat(t.get("totalKTokens").asText()).isEqualTo("1.558");
      assertThat(r.get("buckets")).hasSize(24);
      assertThat(r.get("bucketsStarted").asInt()).as("00:00 to 10:00 began by 10:30").isEqualTo(11);
      assertThat(r.get("series")).hasSize(2);
      JsonNode m1 = r.get("series").get(0);
      assertThat(m1.get("model").asText()).isEqualTo("m1");
      assertThat(m1.get("values")).hasSize(24);
      assertThat(m1.get("sum").asLong()).isEqualTo(1550);
      assertThat(m1.get("values").get(10).asLong()).isEqualTo(1550);
      assertThat(r.get("distribution")).hasSize(2);
    }
  }

  @Test
  void error_badRequest_namesFieldValueAndMessage() {
    JsonNode e = json.error(new BadRequestException("zone", "Mars/Base", "zone must be ..."));

    assertThat(e.toString())
        .isEqualTo(
            "{\"error\":\"bad_request\",\"field\":\"zone\",\"value\":\"Mars/Base\","
                + "\"message\":\"zone must be ...\"}");
  }

  @Test
  void storeUnavailable_storeException_carriesItsMessage() {
    JsonNode e = json.storeUnavailable(new UsageStoreException("connection refused"));

    assertThat(e.toString())
        .isEqualTo("{\"error\":\"store_unavailable\",\"message\":\"connection refused\"}");
  }
}
