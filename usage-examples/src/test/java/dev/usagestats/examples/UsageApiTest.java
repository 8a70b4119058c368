package dev.usagestats.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import dev.usagestats.testing.TestClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The JSON API over a real HTTP server on an ephemeral port, checked against a reference sum of the
 * events the test recorded at a fixed clock.
 */
class UsageApiTest {
  private static final Instant NOW = Instant.parse("2026-11-20T10:30:00Z");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private static TestClock clock;
  private static UsageStats stats;
  private static DemoServer server;
  private static final Reference ref = new Reference();

  @BeforeAll
  static void start() throws IOException {
    clock = TestClock.of(NOW);
    stats = UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build();
    TestData.record(stats, ref, NOW, Duration.ofDays(14), 3_000, 42);
    server =
        DemoServer.builder(stats)
            .clock(clock)
            .zone(ZoneId.of("UTC"))
            .catalog(TestData.catalog())
            .port(0)
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
    stats.close();
  }

  @Test
  void usage_noParameters_lastTwoWeeksByModelMatchReference() throws Exception {
    JsonNode r = getOk("/api/usage");

    LocalDate today = LocalDate.of(2026, 11, 20);
    Instant from = today.minusDays(13).atStartOfDay(ZoneId.of("UTC")).toInstant();
    Instant to = today.plusDays(1).atStartOfDay(ZoneId.of("UTC")).toInstant();
    assertThat(r.get("firstDay").asText()).isEqualTo("2026-11-07");
    assertThat(r.get("lastDay").asText()).isEqualTo("2026-11-20");
    assertThat(r.get("today").asText()).isEqualTo("2026-11-20");
    assertThat(r.get("zone").asText()).isEqualTo("UTC");
    assertThat(r.get("granularity").asText()).isEqualTo("DAY");
    assertThat(r.get("buckets")).hasSize(14);
    assertTotals(r.get("totals"), ref.sum(from, to, Reference.all()));

    List<String> labels = new ArrayList<>();
    for (JsonNode s : r.get("series")) {
      String model = s.get("model").asText();
      labels.add(model);
      assertThat(s.get("sum").asLong())
          .as(model)
          .isEqualTo(ref.sum(from, to, Reference.model(model)).totalTokens());
      for (int i = 0; i < 14; i++) {
        Instant day = today.minusDays(13 - i).atStartOfDay(ZoneId.of("UTC")).toInstant();
        assertThat(s.get("values").get(i).asLong())
            .as(model + " on " + day)
            .isEqualTo(
                ref.sum(day, day.plus(Duration.ofDays(1)), Reference.model(model)).totalTokens());
      }
    }
    assertThat(labels).containsExactly(TestData.DEEPSEEK, TestData.GLM, TestData.QWEN);
    long distributed = 0;
    for (JsonNode m : r.get("distribution")) distributed += m.get("totals").get("calls").asLong();
    assertThat(distributed).isEqualTo(r.get("totals").get("calls").asLong());
  }

  @Test
  void usage_cacheCreationTokens_inTotalsAndEachModelsDistribution() throws Exception {
    JsonNode r = getOk("/api/usage");

    LocalDate today = LocalDate.of(2026, 11, 20);
    Instant from = today.minusDays(13).atStartOfDay(ZoneId.of("UTC")).toInstant();
    Instant to = today.plusDays(1).atStartOfDay(ZoneId.of("UTC")).toInstant();
    long expected = ref.sum(from, to, Reference.all()).cacheCreationInputTokens();
    assertThat(expected).as("the test data writes to the cache").isPositive();
    assertThat(r.get("totals").get("cacheCreationInputTokens").asLong()).isEqualTo(expected);
    assertThat(r.get("distribution")).hasSize(3);
    for (JsonNode m : r.get("distribution")) {
      String model = m.get("model").asText();
      assertTotals(m.get("totals"), ref.sum(from, to, Reference.model(model)));
    }
  }

  @Test
  void usage_apiKeyAndModel_matchReference() throws Exception {
    String key = TestData.PROD.id();
    JsonNode r = getOk("/api/usage?apiKey=" + key + "&model=public%2Fdeepseek-r1&days=7");

    Instant from = Instant.parse("2026-11-14T00:00:00Z");
    Instant to = Instant.parse("2026-11-21T00:00:00Z");
    Predicate<UsageEvent> filter = Reference.key(key).and(Reference.model(TestData.DEEPSEEK));
    assertTotals(r.get("totals"), ref.sum(from, to, filter));
    assertThat(r.get("filters").get("apiKey").asText()).isEqualTo(key);
    assertThat(r.get("filters").get("model").asText()).isEqualTo(TestData.DEEPSEEK);
    assertThat(r.get("series")).hasSize(1);
    assertThat(r.get("distribution")).hasSize(1);
  }

  @Test
  void usage_singleDayInKolkataByHour_bucketsStartAtHalfPastUtc() throws Exception {
    JsonNode r =
        getOk("/api/usage?from=2026-11-15&to=2026-11-15&zone=Asia/Kolkata&granularity=hour");

    Instant start = Instant.parse("2026-11-14T18:30:00Z");
    assertThat(r.get("from").asText()).isEqualTo(start.toString());
    assertThat(r.get("buckets")).hasSize(24);
    assertTotals(r.get("totals"), ref.sum(start, start.plus(Duration.ofDays(1)), Reference.all()));
    long[] hourly = new long[24];
    for (JsonNode s : r.get("series")) {
      for (int i = 0; i < 24; i++) hourly[i] += s.get("values").get(i).asLong();
    }
    for (int i = 0; i < 24; i++) {
      Instant h = start.plus(Duration.ofHours(i));
      assertThat(r.get("buckets").get(i).asText()).isEqualTo(h.toString());
      assertThat(hourly[i])
          .as("hour " + h)
          .isEqualTo(ref.sum(h, h.plus(Duration.ofHours(1)), Reference.all()).totalTokens());
    }
  }

  @Test
  void usage_instantRangeAndInputView_pointsShowInputTokens() throws Exception {
    JsonNode r =
        getOk(
            "/api/usage?from=2026-11-19T06:00:00Z&to=2026-11-20T06:00:00Z"
                + "&granularity=hour&view=input&model=public/qwen3-235b");

    Instant from = Instant.parse("2026-11-19T06:00:00Z");
    Instant to = Instant.parse("2026-11-20T06:00:00Z");
    UsageTotals expected = ref.sum(from, to, Reference.model(TestData.QWEN));
    assertTotals(r.get("totals"), expected);
    assertThat(r.get("view").asText()).isEqualTo("INPUT");
    assertThat(r.get("series").get(0).get("sum").asLong()).isEqualTo(expected.inputTokens());
    JsonNode p = r.get("series").get(0).get("points").get(0);
    assertThat(p.get("value").asLong()).isEqualTo(p.get("inputTokens").asLong());
  }

  @Test
  void usage_recordedAfterAQuery_nextQuerySeesIt() throws Exception {
    JsonNode before = getOk("/api/usage?days=1&apiKey=" + TestData.LAB.id());

    stats.record(TestData.LAB.tenant(), TestData.LAB.id(), TestData.GLM, 1_234, 567);

    JsonNode after = getOk("/api/usage?days=1&apiKey=" + TestData.LAB.id());
    assertThat(after.get("totals").get("calls").asLong())
        .isEqualTo(before.get("totals").get("calls").asLong() + 1);
    assertThat(after.get("totals").get("totalTokens").asLong())
        .isEqualTo(before.get("totals").get("totalTokens").asLong() + 1_801);
    ref.add(UsageEvent.of(NOW, TestData.LAB.tenant(), TestData.LAB.id(), TestData.GLM, 1_234, 567));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "zone=Mars/Base                 | zone        | Mars/Base",
        "granularity=fortnight          | granularity | fortnight",
        "view=both                      | view        | both",
        "groupBy=tenant                 | groupBy     | tenant",
        "days=0                         | days        | 0",
        "days=two                       | days        | two",
        "days=400                       | days        | 400",
        "from=yesterday                 | from        | yesterday",
        "to=2026-13-01                  | to          | 2026-13-01",
        "from=2026-11-19&to=2026-11-18  | to          | 2026-11-18",
        "days=3&from=2026-11-18         | days        | 3",
        "colour=red                     | colour      | red",
        "model=a&model=b                | model       | b",
        "model=__overflow__             | model       | __overflow__",
        "days=7&granularity=minute      | granularity | minute",
        "from=-999999999-01-01          | from        | -999999999-01-01",
        "to=%2B999999999-12-31          | to          | +999999999-12-31",
        "to=+999999999-12-31T00:00Z     | to          | 999999999-12-31T00:00Z",
        "from=0001-01-01                | from        | 0001-01-01",
        "from=0000-12-31                | from        | 0000-12-31",
        "days=%31%34&days=7             | days        | 7",
      })
  void usage_badParameter_400NamingFieldAndValue(String query, String field, String value)
      throws Exception {
    HttpResponse<String> res = get("/api/usage?" + query);

    assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
    assertThat(res.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode body = MAPPER.readTree(res.body());
    assertThat(body.get("error").asText()).isEqualTo("bad_request");
    assertThat(body.get("field").asText()).isEqualTo(field);
    assertThat(body.get("value").asText()).isEqualTo(value);
    assertThat(body.get("message").asText()).contains(field);
  }

  /** Sent raw: a client library would refuse to build such a URI. */
  @ParameterizedTest
  @CsvSource({
    "/api/usage?days=%ZZ, query",
    "/api/usage?zone=Europe%2, query",
    "/api/usage?%=1, query",
    "/api/usage?model=a|b, query",
    "/%ZZ, path"
  })
  void usage_malformedPercentEncoding_400Json(String target, String field) throws Exception {
    String response = rawGet(target);

    String head = response.substring(0, response.indexOf("\r\n\r\n"));
    String body = response.substring(head.length() + 4);
    assertThat(head)
        .startsWith("HTTP/1.1 400 ")
        .containsIgnoringCase("content-type: application/json");
    JsonNode error = MAPPER.readTree(body);
    assertThat(error.get("error").asText()).isEqualTo("bad_request");
    assertThat(error.get("field").asText()).isEqualTo(field);
    assertThat(error.get("message").asText()).startsWith(field + " must be percent-encoded");
  }

  /**
   * Each connection carries one request (the door in front of the JDK server closes it after the
   * answer), so every answer must say so, or a client would send its next request into a closed
   * connection.
   */
  @Test
  void anyAnswer_keepAliveAsked_saysConnectionClose() throws Exception {
    String response =
        raw("GET /api/models HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n");

    String head = response.substring(0, response.indexOf("\r\n\r\n"));
    assertThat(head).startsWith("HTTP/1.1 200 ").containsIgnoringCase("\r\nConnection: close");
    assertThat(head.toLowerCase(java.util.Locale.ROOT)).doesNotContain("keep-alive");
    assertThat(MAPPER.readTree(response.substring(head.length() + 4)).size()).isEqualTo(3);
  }

  @Test
  void keys_catalogKeys_redactedNeverSecret() throws Exception {
    HttpResponse<String> res = get("/api/keys");

    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).doesNotContain("1234567890abcdef").doesNotContain("fedcba0987654321");
    JsonNode keys = MAPPER.readTree(res.body());
    assertThat(keys.size()).isGreaterThanOrEqualTo(2);
    assertThat(keys.get(0).get("id").asText()).isEqualTo(TestData.PROD.id()).startsWith("key-");
    assertThat(keys.get(0).get("display").asText()).isEqualTo("sk-...cdef");
    assertThat(keys.get(1).get("name").asText()).isEqualTo("Lab");
  }

  @Test
  void keys_keyWithUsageButNotInCatalog_listedById() throws Exception {
    stats.record("other", "key-unlisted", TestData.GLM, 10, 1);
    ref.add(UsageEvent.of(NOW, "other", "key-unlisted", TestData.GLM, 10, 1));

    JsonNode keys = getOk("/api/keys");

    assertThat(keys.findValuesAsText("id")).contains("key-unlisted");
  }

  @Test
  void models_catalogModels_withColors() throws Exception {
    JsonNode models = getOk("/api/models");

    assertThat(models.findValuesAsText("name"))
        .containsExactly(TestData.DEEPSEEK, TestData.QWEN, TestData.GLM);
    assertThat(models.findValuesAsText("color")).allMatch(c -> c.matches("#[0-9a-f]{6}"));
  }

  @Test
  void page_servedWithScriptAndStyles_selfOnly() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'self'");
    assertThat(page.body()).contains("Usage Statistics").doesNotContain("http://", "https://");
    assertThat(get("/usage.js").statusCode()).isEqualTo(200);
    assertThat(get("/latency.js").statusCode()).isEqualTo(200);
    // Every script the page loads is served.
    for (String script : page.body().split("<script src=\"")) {
      if (script.startsWith("<")) continue;
      String name = script.substring(0, script.indexOf('"'));
      assertThat(get("/" + name).statusCode()).as(name).isEqualTo(200);
    }
    assertThat(get("/usage.css").statusCode()).isEqualTo(200);
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    assertThat(get("/api/usage/more").statusCode()).isEqualTo(404);
  }

  @Test
  void usage_post_405() throws Exception {
    HttpResponse<String> res =
        CLIENT.send(
            HttpRequest.newBuilder(server.uri().resolve("/api/usage"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(res.statusCode()).isEqualTo(405);
    assertThat(res.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void port_fromArgument_orError() {
    assertThat(DemoServer.port(new String[] {"9090"})).isEqualTo(9090);
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> DemoServer.port(new String[] {"http"}))
        .withMessage("port (argument) must be a number from 0 to 65535: 'http'");
  }

  private static void assertTotals(JsonNode actual, UsageTotals expected) {
    assertThat(actual.get("calls").asLong()).isEqualTo(expected.calls());
    assertThat(actual.get("errors").asLong()).isEqualTo(expected.errors());
    assertThat(actual.get("inputTokens").asLong()).isEqualTo(expected.inputTokens());
    assertThat(actual.get("outputTokens").asLong()).isEqualTo(expected.outputTokens());
    assertThat(actual.get("cachedInputTokens").asLong()).isEqualTo(expected.cachedInputTokens());
    assertThat(actual.get("cacheCreationInputTokens").asLong())
        .isEqualTo(expected.cacheCreationInputTokens());
    assertThat(actual.get("reasoningTokens").asLong()).isEqualTo(expected.reasoningTokens());
    assertThat(actual.get("totalKTokens").asText())
        .isEqualTo(expected.totalKTokens().toPlainString());
    assertThat(actual.get("inputKTokens").asText())
        .isEqualTo(expected.inputKTokens().toPlainString());
    assertThat(actual.get("outputKTokens").asText())
        .isEqualTo(expected.outputKTokens().toPlainString());
  }

  private static JsonNode getOk(String path) throws Exception {
    HttpResponse<String> res = get(path);
    assertThat(res.statusCode()).as(path + " -> " + res.body()).isEqualTo(200);
    return MAPPER.readTree(res.body());
  }

  private static String rawGet(String target) throws IOException {
    return raw("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  }

  /** Sends {@code request} on a new connection and reads until the server closes it. */
  private static String raw(String request) throws IOException {
    try (Socket socket = new Socket("localhost", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(server.uri().toString() + path.substring(1))).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
