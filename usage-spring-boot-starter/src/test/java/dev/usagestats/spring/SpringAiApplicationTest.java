package dev.usagestats.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.ApiKeys;
import dev.usagestats.UsageStats;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * A whole application: H2 through Spring Boot's DataSource, Spring AI's OpenAI chat model pointed
 * at {@link OpenAiStub}, the actuator over HTTP. Chat calls go through Spring AI's ChatClient in a
 * web request; the usage endpoint must then show exactly the tokens the stub reported, attributed
 * by the application's resolver bean (the one in the top README's "Wire it in") to the request's
 * tenant.
 */
@SpringBootTest(
    classes = SpringAiApplicationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.datasource.url=jdbc:h2:mem:spring-ai-app;DB_CLOSE_DELAY=-1",
      "spring.ai.openai.api-key=sk-test-not-a-secret",
      "spring.ai.openai.chat.options.model=gpt-stub",
      "spring.ai.openai.chat.max-retries=0",
      "spring.ai.model.embedding=none",
      "spring.ai.model.image=none",
      "spring.ai.model.audio.speech=none",
      "spring.ai.model.audio.transcription=none",
      "spring.ai.model.moderation=none",
      "usagestats.store.jdbc.enabled=true",
      "usagestats.store.jdbc.create-schema=true",
      "usagestats.flush-interval=0",
      "management.endpoints.web.exposure.include=health,usage",
      "management.endpoint.health.show-details=always"
    })
class SpringAiApplicationTest {
  private static final OpenAiStub STUB = startStub();
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static final String ACME_SECRET = "sk-acme-0f1e2d3c4b5a69788796";
  private static final String ACME_KEY = ApiKeys.fingerprint(ACME_SECRET);

  @LocalServerPort int port;
  @Autowired ChatModel chatModel;
  @Autowired UsageStats stats;
  @Autowired DataSource dataSource;

  @DynamicPropertySource
  static void openAi(DynamicPropertyRegistry registry) {
    registry.add("spring.ai.openai.base-url", STUB::baseUrl);
  }

  @AfterAll
  static void stopStub() {
    STUB.close();
  }

  @SpringBootApplication
  static class App {
    // --- Wire it in: Spring Boot with Spring AI (the top README's "Wire it in") ---
    @Bean
    SpringAiAttributionResolver usageAttribution() {
      // Runs on the thread that calls the model: here, the web request's.
      return ctx -> {
        if (!(RequestContextHolder.getRequestAttributes()
            instanceof ServletRequestAttributes web)) {
          return null; // not in a request: usagestats.attribution.tenant and .api-key
        }
        HttpServletRequest request = web.getRequest();
        String tenant = request.getHeader("X-Tenant");
        String key = request.getHeader("X-Api-Key");
        return tenant == null || key == null
            ? null
            : new ChatAttribution(tenant, ApiKeys.fingerprint(key));
      };
    }

    // --- end ---

    @RestController
    static class Chat {
      private final ChatClient chat;

      Chat(ChatClient.Builder builder) {
        this.chat = builder.build();
      }

      @GetMapping("/chat")
      String chat(@RequestParam String q) {
        return chat.prompt(q).call().content(); // recorded; nothing else to write
      }
    }
  }

  @Test
  void chatCalls_recordedExactly_andAnsweredByTheUsageEndpoint() throws Exception {
    // Two calls inside web requests of tenant acme: one answered, one refused by the provider.
    assertThat(get("/chat?q=hello", 200).body()).isEqualTo("Hello");
    assertThat(get("/chat?q=please-fail", 500).statusCode()).isEqualTo(500);
    // One streamed call outside any request.
    List<ChatResponse> streamed = chatModel.stream(new Prompt("hello again")).collectList().block();
    assertThat(streamed).isNotEmpty();
    assertThat(STUB.requests()).isEqualTo(3);

    // acme: one call with OpenAI's usage read natively (cached and reasoning details), one error.
    JsonNode acme =
        getJson("/actuator/usage?days=1&apiKey=" + ACME_KEY + "&groupBy=api_key_and_model", 200);
    JsonNode t = acme.get("totals");
    assertThat(t.get("calls").asLong()).isEqualTo(2);
    assertThat(t.get("errors").asLong()).isEqualTo(1);
    assertThat(t.get("inputTokens").asLong()).isEqualTo(1200);
    assertThat(t.get("outputTokens").asLong()).isEqualTo(350);
    assertThat(t.get("totalTokens").asLong()).isEqualTo(1550);
    assertThat(t.get("cachedInputTokens").asLong()).isEqualTo(200);
    assertThat(t.get("cacheCreationInputTokens").asLong()).isEqualTo(0);
    assertThat(t.get("reasoningTokens").asLong()).isEqualTo(50);
    assertThat(t.get("totalKTokens").asText()).isEqualTo("1.550");
    assertThat(acme.get("series"))
        .extracting(s -> s.get("model").asText())
        .containsExactlyInAnyOrder(OpenAiStub.MODEL, "gpt-stub");

    // The streamed call, unattributed: Spring AI's aggregated stream keeps only the generic
    // counts, so its cached and reasoning parts are not known (see SpringAiTokens).
    JsonNode rest = getJson("/actuator/usage?days=1&apiKey=unattributed", 200);
    assertThat(rest.get("totals").get("calls").asLong()).isEqualTo(1);
    assertThat(rest.get("totals").get("inputTokens").asLong()).isEqualTo(1200);
    assertThat(rest.get("totals").get("outputTokens").asLong()).isEqualTo(350);
    assertThat(rest.get("totals").get("cachedInputTokens").asLong()).isEqualTo(0);

    // Each call's duration, the answered, the failed and the streamed one, reached the engine
    // (asked before the flush below: usage-jdbc does not store latency yet).
    assertThat(stats.query(stats.newQuery().build()).latencySummary().duration().count())
        .isEqualTo(3);
    assertThat(stats.query(stats.newQuery().build()).latencySummary().timeToFirstToken().count())
        .isZero();

    // The same errors as the demo's /api/usage.
    JsonNode bad = getJson("/actuator/usage?zone=Mars/Base", 400);
    assertThat(bad.get("error").asText()).isEqualTo("bad_request");
    assertThat(bad.get("field").asText()).isEqualTo("zone");
    assertThat(bad.get("value").asText()).isEqualTo("Mars/Base");

    // The rows reached the application's database.
    stats.flush();
    Long stored =
        new JdbcTemplate(dataSource)
            .queryForObject(
                // the usage's rows: the engine's peak aggregates (tenant ' ') repeat the tokens
                "SELECT SUM(input_tokens + output_tokens) FROM usage_rollup WHERE tenant <> ' '",
                Long.class);
    assertThat(stored).isEqualTo(1550 + 1550);

    JsonNode health = getJson("/actuator/health/usagestats", 200);
    assertThat(health.get("status").asText()).isEqualTo("UP");
    assertThat(health.get("details").get("store").asText()).isEqualTo("reachable");
    assertThat(health.get("details").get("pendingRows").asLong()).isEqualTo(0);
  }

  private JsonNode getJson(String path, int status) throws IOException, InterruptedException {
    return MAPPER.readTree(get(path, status).body());
  }

  /** A GET as tenant acme would send it. */
  private HttpResponse<String> get(String path, int status)
      throws IOException, InterruptedException {
    HttpResponse<String> res =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-Tenant", "acme")
                .header("X-Api-Key", ACME_SECRET)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return res;
  }

  private static OpenAiStub startStub() {
    try {
      return new OpenAiStub();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
