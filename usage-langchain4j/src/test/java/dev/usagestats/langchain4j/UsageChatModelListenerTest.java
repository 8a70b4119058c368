package dev.usagestats.langchain4j;

import static dev.usagestats.langchain4j.FakeProviderServer.Behaviour.HTTP_500;
import static dev.usagestats.langchain4j.FakeProviderServer.Behaviour.OK;
import static dev.usagestats.langchain4j.FakeProviderServer.Behaviour.SLOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.usagestats.GroupBy;
import dev.usagestats.TrendPoint;
import dev.usagestats.TrendSeries;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import dev.usagestats.langchain4j.FakeProviderServer.Behaviour;
import dev.usagestats.langchain4j.FakeProviderServer.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's real OpenAI and Anthropic models, blocking and streaming, against a local server
 * that speaks their wire formats; the engine's report must equal what the server sent.
 */
@SuppressWarnings("try") // a UsageScope is used for its effect, like OpenTelemetry's Scope
class UsageChatModelListenerTest {
  static final String OPENAI_REQUESTED = "gpt-4o-mini";
  static final String OPENAI_ANSWERED = "gpt-4o-mini-2024-07-18";
  static final String ANTHROPIC_REQUESTED = "claude-sonnet-4-5";
  static final String ANTHROPIC_ANSWERED = "claude-sonnet-4-5-20250929";
  static final String GEMINI_REQUESTED = "gemini-2.5-flash";
  static final String GEMINI_ANSWERED = "gemini-2.5-flash-001";
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);

  static FakeProviderServer server;
  static final AtomicInteger IDS = new AtomicInteger();

  UsageStats stats;
  UsageChatModelListener listener;

  /** The resolver reads plain string attributes, as a host might put them. */
  static final AttributionResolver BY_STRING_ATTRIBUTES =
      ctx -> {
        Object tenant = ctx.attributes().get("tenant");
        Object apiKey = ctx.attributes().get("apiKey");
        return tenant == null || apiKey == null
            ? null
            : UsageAttribution.of(tenant.toString(), apiKey.toString());
      };

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
    listener = UsageChatModelListener.builder(stats).resolver(BY_STRING_ATTRIBUTES).build();
  }

  @AfterEach
  void closeEngine() {
    stats.close();
  }

  ChatModel openAi(Duration timeout) {
    return OpenAiChatModel.builder()
        .baseUrl(server.openAiBaseUrl())
        .apiKey("sk-test")
        .modelName(OPENAI_REQUESTED)
        .timeout(timeout)
        .maxRetries(0)
        .listeners(List.of(listener))
        .build();
  }

  StreamingChatModel openAiStreaming() {
    return OpenAiStreamingChatModel.builder()
        .baseUrl(server.openAiBaseUrl())
        .apiKey("sk-test")
        .modelName(OPENAI_REQUESTED)
        .timeout(TIMEOUT)
        .listeners(List.of(listener))
        .build();
  }

  ChatModel anthropic() {
    return AnthropicChatModel.builder()
        .baseUrl(server.anthropicBaseUrl())
        .apiKey("sk-ant-test")
        .modelName(ANTHROPIC_REQUESTED)
        .timeout(TIMEOUT)
        .maxRetries(0)
        .listeners(List.of(listener))
        .build();
  }

  StreamingChatModel anthropicStreaming() {
    return AnthropicStreamingChatModel.builder()
        .baseUrl(server.anthropicBaseUrl())
        .apiKey("sk-ant-test")
        .modelName(ANTHROPIC_REQUESTED)
        .timeout(TIMEOUT)
        .listeners(List.of(listener))
        .build();
  }

  ChatModel gemini() {
    return GoogleAiGeminiChatModel.builder()
        .baseUrl(server.geminiBaseUrl())
        .apiKey("gemini-test")
        .modelName(GEMINI_REQUESTED)
        .timeout(TIMEOUT)
        .maxRetries(0)
        .listeners(List.of(listener))
        .build();
  }

  StreamingChatModel geminiStreaming() {
    return GoogleAiGeminiStreamingChatModel.builder()
        .baseUrl(server.geminiBaseUrl())
        .apiKey("gemini-test")
        .modelName(GEMINI_REQUESTED)
        .timeout(TIMEOUT)
        .listeners(List.of(listener))
        .build();
  }

  static int plan(Reply reply) {
    int id = IDS.incrementAndGet();
    server.plan(id, reply);
    return id;
  }

  static ChatRequest request(int id) {
    return ChatRequest.builder().messages(UserMessage.from("Say hello. call-" + id)).build();
  }

  /** Streams one call and waits for its end; the listener has run by then (it runs first). */
  static ChatResponse stream(StreamingChatModel model, int id, ChatRequestOptions options)
      throws Exception {
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    model.chat(
        request(id),
        options,
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String partialResponse) {}

          @Override
          public void onCompleteResponse(ChatResponse completeResponse) {
            done.complete(completeResponse);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }
        });
    return done.get(30, TimeUnit.SECONDS);
  }

  UsageTotals totals(String tenant, String apiKey, String model) {
    return stats
        .query(stats.newQuery().tenant(tenant).apiKey(apiKey).model(model).build())
        .totals();
  }

  @Test
  void onResponse_openAiBlockingCachedAndReasoningAreParts() {
    int id = plan(new Reply(OK, OPENAI_ANSWERED, 2006, 300, 1920, 0, 64));
    try (UsageScope scope = UsageScope.open("acme", "key-1")) {
      openAi(TIMEOUT).chat(request(id));
    }
    assertThat(totals("acme", "key-1", OPENAI_ANSWERED))
        .isEqualTo(new UsageTotals(1, 0, 2006, 300, 1920, 0, 64));
    assertThat(listener.failures()).isZero();
  }

  @Test
  void onResponse_openAiStreamingUsageFromTheLastChunk() throws Exception {
    int id = plan(new Reply(OK, OPENAI_ANSWERED, 1200, 90, 1024, 0, 40));
    ChatResponse r = stream(openAiStreaming(), id, UsageAttribution.of("acme", "key-2").options());
    assertThat(r.aiMessage().text()).isEqualTo("Hello");
    assertThat(totals("acme", "key-2", OPENAI_ANSWERED))
        .isEqualTo(new UsageTotals(1, 0, 1200, 90, 1024, 0, 40));
  }

  @Test
  void onResponse_anthropicInputAddsCacheReadsAndWrites() {
    int id = plan(new Reply(OK, ANTHROPIC_ANSWERED, 21, 393, 188086, 50, 0));
    anthropic().chat(request(id), UsageAttribution.of("globex", "key-9").options());
    assertThat(totals("globex", "key-9", ANTHROPIC_ANSWERED))
        .isEqualTo(new UsageTotals(1, 0, 21 + 188086 + 50, 393, 188086, 50, 0));
  }

  @Test
  void onResponse_anthropicStreamingStartAndDeltaCounts() throws Exception {
    int id = plan(new Reply(OK, ANTHROPIC_ANSWERED, 25, 15, 100, 7, 0));
    try (UsageScope scope = UsageScope.open("globex", "key-8")) {
      stream(anthropicStreaming(), id, ChatRequestOptions.EMPTY);
    }
    assertThat(totals("globex", "key-8", ANTHROPIC_ANSWERED))
        .isEqualTo(new UsageTotals(1, 0, 25 + 100 + 7, 15, 100, 7, 0));
  }

  @Test
  void onResponse_geminiThoughtsAreAddedToCandidates() throws Exception {
    int blocking = plan(new Reply(OK, GEMINI_ANSWERED, 12000, 250, 11000, 0, 900));
    int streaming = plan(new Reply(OK, GEMINI_ANSWERED, 40, 57, 0, 0, 100));
    ChatRequestOptions initech = UsageAttribution.of("initech", "key-g").options();
    gemini().chat(request(blocking), initech);
    ChatResponse r = stream(geminiStreaming(), streaming, initech);
    assertThat(r.aiMessage().text()).isEqualTo("Hello");
    assertThat(totals("initech", "key-g", GEMINI_ANSWERED))
        .isEqualTo(new UsageTotals(2, 0, 12000 + 40, 250 + 900 + 57 + 100, 11000, 0, 900 + 100));
  }

  @Test
  void onResponse_withoutUsageIsACallWithNoTokensAndCounted() {
    int id = plan(new Reply(Behaviour.NO_USAGE, OPENAI_ANSWERED, 10, 2, 0, 0, 0));
    openAi(TIMEOUT).chat(request(id), UsageAttribution.of("acme", "key-0").options());
    assertThat(totals("acme", "key-0", OPENAI_ANSWERED))
        .isEqualTo(new UsageTotals(1, 0, 0, 0, 0, 0, 0));
    assertThat(listener.callsWithoutUsage()).isEqualTo(1);
    assertThat(listener.failures()).isZero();
  }

  @Test
  void onError_http500IsAnErrorCallUnderTheRequestedModel() {
    int blocking = plan(new Reply(HTTP_500, OPENAI_ANSWERED, 5, 5, 0, 0, 0));
    int streaming = plan(new Reply(HTTP_500, OPENAI_ANSWERED, 5, 5, 0, 0, 0));
    int claude = plan(new Reply(HTTP_500, ANTHROPIC_ANSWERED, 5, 5, 0, 0, 0));
    int geminiCall = plan(new Reply(HTTP_500, GEMINI_ANSWERED, 5, 5, 0, 0, 0));
    ChatRequestOptions acme = UsageAttribution.of("acme", "key-3").options();
    assertThatThrownBy(() -> openAi(TIMEOUT).chat(request(blocking), acme));
    assertThatThrownBy(() -> stream(openAiStreaming(), streaming, acme));
    assertThatThrownBy(() -> anthropic().chat(request(claude), acme));
    assertThatThrownBy(() -> gemini().chat(request(geminiCall), acme));
    assertThat(totals("acme", "key-3", OPENAI_REQUESTED))
        .isEqualTo(new UsageTotals(2, 2, 0, 0, 0, 0, 0));
    assertThat(totals("acme", "key-3", ANTHROPIC_REQUESTED))
        .isEqualTo(new UsageTotals(1, 1, 0, 0, 0, 0, 0));
    assertThat(totals("acme", "key-3", GEMINI_REQUESTED))
        .isEqualTo(new UsageTotals(1, 1, 0, 0, 0, 0, 0));
  }

  @Test
  void onError_timeoutIsAnErrorCall() {
    int id = plan(new Reply(SLOW, OPENAI_ANSWERED, 5, 5, 0, 0, 0));
    try (UsageScope scope = UsageScope.open("acme", "key-4")) {
      assertThatThrownBy(() -> openAi(SHORT_TIMEOUT).chat(request(id)));
    }
    assertThat(totals("acme", "key-4", OPENAI_REQUESTED))
        .isEqualTo(new UsageTotals(1, 1, 0, 0, 0, 0, 0));
  }

  @Test
  void onRequest_resolverReadsTheCallsAttributes() {
    int id = plan(new Reply(OK, OPENAI_ANSWERED, 10, 2, 0, 0, 0));
    openAi(TIMEOUT)
        .chat(
            request(id),
            ChatRequestOptions.builder()
                .addListenerAttribute("tenant", "initech")
                .addListenerAttribute("apiKey", "key-5")
                .build());
    assertThat(totals("initech", "key-5", OPENAI_ANSWERED).calls()).isEqualTo(1);
    assertThat(listener.unattributedCalls()).isZero();
  }

  @Test
  void onRequest_callAttributeWinsOverScope() {
    int id = plan(new Reply(OK, OPENAI_ANSWERED, 10, 2, 0, 0, 0));
    try (UsageScope scope = UsageScope.open("scoped", "key-s")) {
      openAi(TIMEOUT).chat(request(id), UsageAttribution.of("explicit", "key-e").options());
    }
    assertThat(totals("explicit", "key-e", OPENAI_ANSWERED).calls()).isEqualTo(1);
    assertThat(stats.query(stats.newQuery().tenant("scoped").build()).totals().calls()).isZero();
  }

  @Test
  void onRequest_nothingAttributesGoesToTheDefault() {
    int id = plan(new Reply(OK, OPENAI_ANSWERED, 10, 2, 0, 0, 0));
    openAi(TIMEOUT).chat(request(id));
    assertThat(totals("default", "unattributed", OPENAI_ANSWERED).calls()).isEqualTo(1);
    assertThat(listener.unattributedCalls()).isEqualTo(1);
  }

  @Test
  void onRequest_resolverThatThrowsFallsBackAndIsCounted() {
    listener =
        UsageChatModelListener.builder(stats)
            .resolver(
                ctx -> {
                  throw new IllegalStateException("resolver down");
                })
            .defaultAttribution(UsageAttribution.of("house", "key-h"))
            .build();
    int id = plan(new Reply(OK, OPENAI_ANSWERED, 10, 2, 0, 0, 0));
    ChatResponse r = openAi(TIMEOUT).chat(request(id));
    assertThat(r.aiMessage().text()).isEqualTo("Hello");
    assertThat(totals("house", "key-h", OPENAI_ANSWERED).calls()).isEqualTo(1);
    assertThat(listener.failures()).isEqualTo(1);
    assertThat(listener.unattributedCalls()).isEqualTo(1);
  }

  /** The kinds of call the concurrent test mixes. */
  enum Kind {
    OPENAI(Family.OPENAI),
    OPENAI_STREAM(Family.OPENAI),
    ANTHROPIC(Family.ANTHROPIC),
    ANTHROPIC_STREAM(Family.ANTHROPIC),
    GEMINI(Family.GEMINI),
    GEMINI_STREAM(Family.GEMINI),
    OPENAI_SHORT_TIMEOUT(Family.OPENAI);

    final Family family;

    Kind(Family family) {
      this.family = family;
    }
  }

  /** Whose wire rules a call follows. */
  enum Family {
    OPENAI,
    ANTHROPIC,
    GEMINI
  }

  /** One shared instance per kind of call. */
  record Models(
      ChatModel openAi,
      StreamingChatModel openAiStreaming,
      ChatModel anthropic,
      StreamingChatModel anthropicStreaming,
      ChatModel gemini,
      StreamingChatModel geminiStreaming,
      ChatModel openAiShort) {}

  record Key(String tenant, String apiKey, String model) {}

  record Planned(
      int id,
      Kind kind,
      UsageAttribution who,
      Reply reply,
      int how /* 0 option, 1 scope, 2 resolver */) {}

  @Test
  void concurrent_oneSharedModelPerKindManyTenantsEachCallAttributed() throws Exception {
    Models models =
        new Models(
            openAi(TIMEOUT),
            openAiStreaming(),
            anthropic(),
            anthropicStreaming(),
            gemini(),
            geminiStreaming(),
            openAi(SHORT_TIMEOUT));

    Random random = new Random(15);
    List<Planned> calls = new ArrayList<>();
    Map<Key, long[]> expected = new HashMap<>(); // calls, errors, in, out, read, write, reasoning
    String[] tenants = {"acme", "globex", "initech"};
    for (int i = 0; i < 90; i++) {
      Kind kind = i % 27 == 13 ? Kind.OPENAI_SHORT_TIMEOUT : Kind.values()[random.nextInt(6)];
      Family family = kind.family;
      Behaviour behaviour =
          kind == Kind.OPENAI_SHORT_TIMEOUT ? SLOW : random.nextInt(10) == 0 ? HTTP_500 : OK;
      boolean other = random.nextBoolean();
      String answered =
          switch (family) {
            case OPENAI -> other ? "gpt-4.1-2025-04-14" : OPENAI_ANSWERED;
            case ANTHROPIC -> other ? "claude-haiku-4-5-20251001" : ANTHROPIC_ANSWERED;
            case GEMINI -> other ? "gemini-2.5-pro" : GEMINI_ANSWERED;
          };
      long in = 1 + random.nextInt(5000);
      long read = random.nextInt(3) == 0 ? 0 : random.nextInt((int) in);
      long write = family == Family.ANTHROPIC ? random.nextInt(2000) : 0;
      long out = 1 + random.nextInt(900);
      long reasoning = family == Family.ANTHROPIC ? 0 : random.nextInt((int) out);
      Reply reply = new Reply(behaviour, answered, in, out, read, write, reasoning);
      String tenant = tenants[random.nextInt(tenants.length)];
      UsageAttribution who = UsageAttribution.of(tenant, tenant + "-key-" + random.nextInt(2));
      int id = plan(reply);
      calls.add(new Planned(id, kind, who, reply, i % 3));

      // What the engine must hold for this call, worked out from the wire rules by hand.
      boolean ok = behaviour == OK;
      String requested =
          switch (family) {
            case OPENAI -> OPENAI_REQUESTED;
            case ANTHROPIC -> ANTHROPIC_REQUESTED;
            case GEMINI -> GEMINI_REQUESTED;
          };
      String model = ok ? answered : requested;
      long[] e =
          expected.computeIfAbsent(new Key(who.tenant(), who.apiKey(), model), k -> new long[7]);
      e[0]++;
      if (!ok) {
        e[1]++;
        continue;
      }
      // OpenAI and Gemini prompts include the cache; Anthropic's input_tokens exclude it.
      e[2] += family == Family.ANTHROPIC ? in + read + write : in;
      // OpenAI's completion includes reasoning; Gemini's candidates exclude thoughts.
      e[3] += family == Family.GEMINI ? out + reasoning : out;
      e[4] += read;
      e[5] += write;
      e[6] += reasoning;
    }

    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (Planned p : calls) {
        done.add(
            pool.submit(
                () -> {
                  call(p, models);
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(server.served()).isGreaterThanOrEqualTo(calls.size());
    assertThat(listener.failures()).isZero();
    assertThat(listener.unattributedCalls()).isZero();
    assertThat(listener.callsWithoutUsage()).isZero();
    for (Map.Entry<Key, long[]> e : expected.entrySet()) {
      Key k = e.getKey();
      long[] v = e.getValue();
      assertThat(totals(k.tenant(), k.apiKey(), k.model()))
          .as("%s", k)
          .isEqualTo(new UsageTotals(v[0], v[1], v[2], v[3], v[4], v[5], v[6]));
    }
    for (String tenant : tenants) {
      UsageReport report =
          stats.query(stats.newQuery().tenant(tenant).groupBy(GroupBy.API_KEY_AND_MODEL).build());
      Map<Key, long[]> actual = new HashMap<>();
      for (TrendSeries s : report.series()) {
        long[] sums = new long[3];
        for (TrendPoint p : s.points()) {
          sums[0] += p.calls();
          sums[1] += p.inputTokens();
          sums[2] += p.outputTokens();
        }
        actual.put(new Key(tenant, s.apiKey(), s.model()), sums);
      }
      Map<Key, long[]> expectedForTenant = new HashMap<>();
      expected.forEach(
          (k, v) -> {
            if (k.tenant().equals(tenant)) {
              expectedForTenant.put(k, new long[] {v[0], v[2], v[3]});
            }
          });
      assertThat(actual.keySet()).isEqualTo(expectedForTenant.keySet());
      actual.forEach((k, v) -> assertThat(v).as("%s", k).containsExactly(expectedForTenant.get(k)));
    }
  }

  private static void call(Planned p, Models m) throws Exception {
    ChatRequestOptions options =
        switch (p.how()) {
          case 0 -> p.who().options();
          case 2 ->
              ChatRequestOptions.builder()
                  .addListenerAttribute("tenant", p.who().tenant())
                  .addListenerAttribute("apiKey", p.who().apiKey())
                  .build();
          default -> ChatRequestOptions.EMPTY;
        };
    try (UsageScope scope = p.how() == 1 ? UsageScope.open(p.who()) : null) {
      switch (p.kind()) {
        case OPENAI -> m.openAi().chat(request(p.id()), options);
        case OPENAI_STREAM -> stream(m.openAiStreaming(), p.id(), options);
        case ANTHROPIC -> m.anthropic().chat(request(p.id()), options);
        case ANTHROPIC_STREAM -> stream(m.anthropicStreaming(), p.id(), options);
        case GEMINI -> m.gemini().chat(request(p.id()), options);
        case GEMINI_STREAM -> stream(m.geminiStreaming(), p.id(), options);
        case OPENAI_SHORT_TIMEOUT -> m.openAiShort().chat(request(p.id()), options);
      }
    } catch (Exception e) {
      if (p.reply().behaviour() == OK) {
        throw e;
      }
    }
  }
}
