package dev.usagestats.langchain4j;

import static dev.usagestats.langchain4j.FakeProviderServer.Behaviour.HTTP_500;
import static dev.usagestats.langchain4j.FakeProviderServer.Behaviour.OK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.TokenUsage;
import dev.usagestats.LatencySummary;
import dev.usagestats.UsageStats;
import dev.usagestats.langchain4j.FakeProviderServer.Reply;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The duration of each call, from onRequest to onResponse or onError, reaches the engine's report.
 * A ticker that steps a fixed amount per reading makes every duration exact, whatever the wall
 * time.
 */
class UsageChatModelListenerLatencyTest {
  private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static FakeProviderServer server;
  private static final AtomicLong IDS = new AtomicLong(1_000_000);

  private final AtomicLong now = new AtomicLong(TimeUnit.DAYS.toNanos(3));
  private final AtomicLong step = new AtomicLong(STEP_NANOS);
  private UsageStats stats;
  private UsageChatModelListener listener;

  @BeforeAll
  static void startServer() throws Exception {
    server = new FakeProviderServer();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void newEngine() {
    stats = UsageStats.builder().flushInterval(Duration.ZERO).build();
    listener =
        UsageChatModelListener.builder(stats).ticker(() -> now.getAndAdd(step.get())).build();
  }

  @AfterEach
  void closeEngine() {
    stats.close();
  }

  private LatencySummary latency(String model) {
    return stats.query(stats.newQuery().model(model).build()).latencySummary();
  }

  private static ChatRequest request() {
    int id = (int) IDS.incrementAndGet();
    return ChatRequest.builder().messages(UserMessage.from("Say hello. call-" + id)).build();
  }

  private static int plan(Reply reply, ChatRequest request) {
    String text = ((UserMessage) request.messages().get(0)).singleText();
    int id = Integer.parseInt(text.substring(text.indexOf("call-") + 5));
    server.plan(id, reply);
    return id;
  }

  private ChatModel openAi() {
    return OpenAiChatModel.builder()
        .baseUrl(server.openAiBaseUrl())
        .apiKey("sk-test")
        .modelName("gpt-4o-mini")
        .timeout(Duration.ofSeconds(10))
        .maxRetries(0)
        .listeners(List.of(listener))
        .build();
  }

  @Test
  void blockingAndErrorCalls_durationFromRequestToResponseInTheReport() {
    for (int i = 0; i < 3; i++) {
      ChatRequest r = request();
      plan(new Reply(OK, "gpt-4o-mini", 10, 2, 0, 0, 0), r);
      openAi().chat(r);
    }
    ChatRequest failing = request();
    plan(new Reply(HTTP_500, "gpt-4o-mini", 5, 5, 0, 0, 0), failing);
    assertThatThrownBy(() -> openAi().chat(failing));

    LatencySummary latency = latency("gpt-4o-mini");
    assertThat(latency.duration().count()).isEqualTo(4);
    // One ticker step between onRequest and onResponse / onError: 250 ms each.
    assertThat(latency.duration().maxMillis()).isEqualTo(250);
    assertThat(latency.duration().p50Millis()).isEqualTo(250);
    // LangChain4j's listener has no first-chunk callback.
    assertThat(latency.timeToFirstToken().count()).isZero();
  }

  @Test
  void streamingCall_durationToTheCompleteResponse() throws Exception {
    StreamingChatModel model =
        OpenAiStreamingChatModel.builder()
            .baseUrl(server.openAiBaseUrl())
            .apiKey("sk-test")
            .modelName("gpt-4o-mini")
            .timeout(Duration.ofSeconds(10))
            .listeners(List.of(listener))
            .build();
    ChatRequest r = request();
    int id = plan(new Reply(OK, "gpt-4o-mini-2024-07-18", 1200, 90, 0, 0, 0), r);
    UsageChatModelListenerTest.stream(model, id, UsageAttribution.of("acme", "k").options());

    LatencySummary latency = latency("gpt-4o-mini-2024-07-18");
    assertThat(latency.duration().count()).isEqualTo(1);
    assertThat(latency.duration().maxMillis()).isEqualTo(250);
    assertThat(latency.timeToFirstToken().count()).isZero();
  }

  private static ChatResponse response() {
    return ChatResponse.builder()
        .aiMessage(AiMessage.from("hi"))
        .modelName("gpt-4o")
        .tokenUsage(new TokenUsage(10, 3))
        .build();
  }

  @Test
  void responseWithoutItsRequest_tokensCountedWithoutDuration() {
    Map<Object, Object> attributes = new HashMap<>();
    listener.onResponse(
        new ChatModelResponseContext(response(), request(), ModelProvider.OPEN_AI, attributes));

    assertThat(stats.query(stats.newQuery().build()).totals().outputTokens()).isEqualTo(3);
    assertThat(latency("gpt-4o").duration().count()).isZero();
    assertThat(listener.failures()).isZero();
  }

  @Test
  void callOverAnHour_tokensCountedWithoutDuration() {
    step.set(TimeUnit.HOURS.toNanos(1) + 1);
    Map<Object, Object> attributes = new HashMap<>();
    ChatRequest r = request();
    listener.onRequest(new ChatModelRequestContext(r, ModelProvider.OPEN_AI, attributes));
    listener.onResponse(
        new ChatModelResponseContext(response(), r, ModelProvider.OPEN_AI, attributes));

    assertThat(stats.query(stats.newQuery().build()).totals().calls()).isEqualTo(1);
    assertThat(latency("gpt-4o").duration().count()).isZero();
    assertThat(listener.failures()).isZero();
  }

  @Test
  void callOfExactlyAnHour_recorded() {
    step.set(UsageChatModelListener.MAX_LATENCY_NANOS);
    Map<Object, Object> attributes = new HashMap<>();
    ChatRequest r = request();
    listener.onRequest(new ChatModelRequestContext(r, ModelProvider.OPEN_AI, attributes));
    listener.onResponse(
        new ChatModelResponseContext(response(), r, ModelProvider.OPEN_AI, attributes));

    assertThat(latency("gpt-4o").duration().count()).isEqualTo(1);
    assertThat(listener.failures()).isZero();
  }
}
