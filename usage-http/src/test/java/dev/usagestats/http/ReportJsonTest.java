package dev.usagestats.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.ModelPrice;
import dev.usagestats.Outcome;
import dev.usagestats.PriceBook;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageStoreException;
import dev.usagestats.testing.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportJsonTest {
  private static final Instant NOW = Instant.parse("2026-11-20T10:30:00Z");
  private final ReportJson json = ReportJson.of(new ObjectMapper());

  @Test
  void report_twoModels_countsAsIntegersKTokensAsDecimalStrings() {
    TestClock clock = TestClock.of(NOW);
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

  @Test
  void report_priced_costAsExactDecimalStrings() {
    TestClock clock = TestClock.of(NOW);
    PriceBook book =
        PriceBook.builder(Currency.getInstance("USD"))
            .price("m1", ModelPrice.of(new BigDecimal("2.5"), new BigDecimal("10")))
            .build();
    try (UsageStats stats =
        UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).priceBook(book).build()) {
      // 1,000 in x 2.5 + 500 out x 10 = 7,500 per million = 0.0075
      stats.record("acme", "key-a", "m1", 1000, 500);
      stats.record("acme", "key-a", "m9", 70, 7);
      Map<String, String> params = Map.of("days", "1", "view", "cost");
      UsageQuery q = UsageRequest.toQuery(params, clock, ZoneOffset.UTC);

      JsonNode r = json.report(q, UsageRequest.answer(stats, q, params));

      JsonNode cost = r.get("cost");
      assertThat(cost.get("currency").asText()).isEqualTo("USD");
      assertThat(cost.get("total").asText()).isEqualTo("0.0075");
      assertThat(cost.get("totalDisplay").asText()).isEqualTo("0.01");
      assertThat(cost.get("buckets").get(10).asText()).isEqualTo("0.0075");
      assertThat(cost.get("unpriced").get(0).get("model").asText()).isEqualTo("m9");
      assertThat(cost.get("unpriced").get(0).get("totals").get("inputTokens").asLong())
          .isEqualTo(70);
      assertThat(cost.get("versions").get(0).get("entry").asText()).isEqualTo("m1");
      assertThat(r.get("view").asText()).isEqualTo("COST");
      JsonNode m1 = r.get("series").get(0);
      assertThat(m1.get("cost").asText()).isEqualTo("0.0075");
      assertThat(m1.get("values").get(10).asLong()).as("cents, half-even").isEqualTo(1);
      assertThat(r.get("series").get(1).get("cost").isNull()).as("m9 is unpriced").isTrue();
      assertThat(r.get("distribution").get(0).get("cost").asText()).isEqualTo("0.0075");
      assertThat(r.get("distribution").get(0).get("costShare").asDouble()).isEqualTo(1.0);
      assertThat(r.get("distribution").get(1).get("cost").isNull()).isTrue();
    }
  }

  @Test
  void answer_costViewWithoutBook_badRequestNamingView() {
    TestClock clock = TestClock.of(NOW);
    try (UsageStats stats =
        UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build()) {
      Map<String, String> params = Map.of("view", "cost");
      UsageQuery q = UsageRequest.toQuery(params, clock, ZoneOffset.UTC);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> UsageRequest.answer(stats, q, params))
          .isInstanceOf(BadRequestException.class)
          .hasMessageContaining("view=cost needs a price book");
    }
  }
}
