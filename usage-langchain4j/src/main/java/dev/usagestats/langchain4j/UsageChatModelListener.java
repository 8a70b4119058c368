package dev.usagestats.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.usagestats.Outcome;
import dev.usagestats.UsageSeries;
import dev.usagestats.UsageStats;
import dev.usagestats.providers.TokenUsage;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every chat call of the LangChain4j models it listens to, blocking and streaming, into a
 * {@link UsageStats}: one call with its tokens when the model answers, one call with outcome {@link
 * Outcome#ERROR} (and no tokens) when it fails or times out.
 *
 * <pre>{@code
 * UsageChatModelListener listener = UsageChatModelListener.builder(stats).build();
 * ChatModel model = OpenAiChatModel.builder()
 *     .apiKey(secret).modelName("gpt-4o-mini")
 *     .listeners(List.of(listener))
 *     .build();
 *
 * try (UsageScope scope = UsageScope.open("acme", "key-7f3a")) {
 *   model.chat("Hello");
 * }
 * model.chat(request, UsageAttribution.of("globex", "key-01b2").options());
 * }</pre>
 *
 * <h2>Attribution</h2>
 *
 * <p>In {@code onRequest}, on the thread that starts the call, the first of these that gives an
 * answer decides the call's tenant and API key id:
 *
 * <ol>
 *   <li>a {@link UsageAttribution} among the call's listener attributes ({@link
 *       UsageAttribution#options()});
 *   <li>the {@link UsageScope} open on the calling thread;
 *   <li>the {@link AttributionResolver} given to the builder;
 *   <li>the builder's {@link Builder#defaultAttribution default}, counted in {@link
 *       #unattributedCalls()}.
 * </ol>
 *
 * <p>The decision travels in the call's attribute map (its own per-call map, which LangChain4j
 * hands to {@code onResponse} and {@code onError}), never in a field or a thread-local: one shared
 * model serving many tenants from many threads attributes each call to its own tenant, also when a
 * streaming response completes on an HTTP client thread.
 *
 * <h2>Tokens and model</h2>
 *
 * <p>Tokens follow the rules of usage-providers: with langchain4j-open-ai, {@code
 * OpenAiTokenUsage}'s cached and reasoning details are the parts; with langchain4j-anthropic,
 * {@code AnthropicTokenUsage}'s cache reads and writes are added to its {@code inputTokenCount}
 * (which excludes them); with langchain4j-google-ai-gemini, {@code GoogleAiGeminiTokenUsage}'s
 * thoughts are added to its {@code outputTokenCount} (which excludes them) and its cached content
 * is the cached part. Any other {@code TokenUsage} gives input and output only. The model is the
 * one the response names, else the request's, else {@code "unknown"}.
 *
 * <h2>Latency</h2>
 *
 * <p>Each call's duration, from {@code onRequest} to {@code onResponse} or {@code onError} (for a
 * streamed call, to its complete response), is recorded with it. LangChain4j's {@code
 * ChatModelListener} has no callback for a streamed call's first chunk, so the time to first token
 * is not recorded ({@link UsageSeries#NO_LATENCY}). A call whose {@code onRequest} this listener
 * never saw, or that took over an hour (the engine's limit), is recorded without a duration.
 *
 * <h2>Failures</h2>
 *
 * <p>Thread-safe. Never throws: a resolver that throws, counts the engine refuses, or usage that
 * contradicts itself are caught, counted ({@link #failures()}) and logged at most once a minute.
 * Usage that contradicts itself (cached above input) is recorded as its input and output only. A
 * call is recorded once, even if LangChain4j reports both a response and an error for it.
 */
public final class UsageChatModelListener implements ChatModelListener {
  private static final Logger LOG = LoggerFactory.getLogger(UsageChatModelListener.class);
  private static final long LOG_INTERVAL_NANOS = 60_000_000_000L;
  private static final String UNKNOWN_MODEL = "unknown";

  /** The longest latency the engine accepts (see {@link UsageStats#record}): one hour. */
  static final long MAX_LATENCY_NANOS = TimeUnit.HOURS.toNanos(1);

  /** The start of a call for which onRequest never ran: its duration is not known. */
  private static final long NOT_STARTED = Long.MIN_VALUE;

  private final UsageStats stats;
  private final @Nullable AttributionResolver resolver;
  private final UsageAttribution defaultAttribution;
  private final LongSupplier ticker;

  /** This listener's key in a call's attributes: two listeners on one model never collide. */
  private final Object callKey = new Object();

  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong unattributed = new AtomicLong();
  private final AtomicLong withoutUsage = new AtomicLong();
  private final AtomicLong nextLogAt = new AtomicLong(System.nanoTime());

  private UsageChatModelListener(Builder b) {
    this.stats = b.stats;
    this.resolver = b.resolver;
    this.defaultAttribution = b.defaultAttribution;
    this.ticker = b.ticker;
  }

  /** A builder for a listener that records into {@code stats}. */
  public static Builder builder(UsageStats stats) {
    return new Builder(stats);
  }

  /** Decides the call's attribution and keeps it in the call's attributes. */
  @Override
  public void onRequest(ChatModelRequestContext context) {
    try {
      context
          .attributes()
          .put(callKey, new Call(attribute(context.attributes(), context), ticker.getAsLong()));
    } catch (RuntimeException e) {
      failed("attributing a chat call", e);
    }
  }

  /** Records the call with the response's tokens and model. */
  @Override
  public void onResponse(ChatModelResponseContext context) {
    try {
      Call call = call(context.attributes());
      if (!call.recorded.compareAndSet(false, true)) {
        return;
      }
      ChatResponse response = context.chatResponse();
      String model = modelName(response, context.chatRequest());
      if (response.tokenUsage() == null) {
        withoutUsage.incrementAndGet();
      }
      record(call, model, tokens(response.tokenUsage()), Outcome.SUCCESS);
    } catch (RuntimeException e) {
      failed("recording a chat response", e);
    }
  }

  /** Records the call as an error, with no tokens. */
  @Override
  public void onError(ChatModelErrorContext context) {
    try {
      Call call = call(context.attributes());
      if (!call.recorded.compareAndSet(false, true)) {
        return;
      }
      String model = modelName(null, context.chatRequest());
      record(call, model, TokenUsage.ZERO, Outcome.ERROR);
    } catch (RuntimeException e) {
      failed("recording a chat error", e);
    }
  }

  /** How many resolver calls, recordings or usage readings failed and were swallowed. */
  public long failures() {
    return failures.get();
  }

  /**
   * How many answered calls carried no token usage and were recorded with zero tokens: a server
   * that leaves usage out (some OpenAI-compatible ones) undercounts, and this says so.
   */
  public long callsWithoutUsage() {
    return withoutUsage.get();
  }

  /** How many calls were recorded under the default attribution because nothing else answered. */
  public long unattributedCalls() {
    return unattributed.get();
  }

  private UsageAttribution attribute(
      Map<Object, Object> attributes, @Nullable ChatModelRequestContext context) {
    Object given = attributes.get(UsageAttribution.ATTRIBUTE_KEY);
    if (given instanceof UsageAttribution) {
      return (UsageAttribution) given;
    }
    if (context != null) {
      UsageAttribution scoped = UsageScope.current();
      if (scoped != null) {
        return scoped;
      }
      if (resolver != null) {
        try {
          UsageAttribution resolved = resolver.resolve(context);
          if (resolved != null) {
            return resolved;
          }
        } catch (RuntimeException e) {
          failed("resolving a chat call's attribution", e);
        }
      }
    }
    unattributed.incrementAndGet();
    return defaultAttribution;
  }

  /** The call's state from onRequest; made now if onRequest never ran for it. */
  private Call call(Map<Object, Object> attributes) {
    Object call = attributes.get(callKey);
    if (call instanceof Call) {
      return (Call) call;
    }
    Call made = new Call(attribute(attributes, null), NOT_STARTED);
    Object raced = attributes.putIfAbsent(callKey, made);
    return raced instanceof Call ? (Call) raced : made;
  }

  private TokenUsage tokens(dev.langchain4j.model.output.@Nullable TokenUsage usage) {
    try {
      return Tokens.of(usage);
    } catch (IllegalArgumentException e) {
      failed("reading a chat response's token usage " + usage, e);
      if (usage == null) {
        return TokenUsage.ZERO;
      }
      return TokenUsage.of(
          Math.max(0, Tokens.count(usage.inputTokenCount())),
          Math.max(0, Tokens.count(usage.outputTokenCount())));
    }
  }

  private void record(Call call, String model, TokenUsage tokens, Outcome outcome) {
    UsageAttribution who = call.attribution;
    stats.record(
        who.tenant(),
        who.apiKey(),
        model,
        tokens.inputTokens(),
        tokens.outputTokens(),
        tokens.cachedInputTokens(),
        tokens.cacheCreationInputTokens(),
        tokens.reasoningTokens(),
        outcome,
        duration(call),
        UsageSeries.NO_LATENCY);
  }

  /**
   * From onRequest to now; {@link UsageSeries#NO_LATENCY} when onRequest never ran for the call, or
   * when the time is beyond what the engine accepts (a clock that went back, or over an hour): the
   * call's tokens still count.
   */
  private long duration(Call call) {
    if (call.startNanos == NOT_STARTED) return UsageSeries.NO_LATENCY;
    long nanos = ticker.getAsLong() - call.startNanos;
    return nanos < 0 || nanos > MAX_LATENCY_NANOS ? UsageSeries.NO_LATENCY : nanos;
  }

  private static String modelName(@Nullable ChatResponse response, @Nullable ChatRequest request) {
    if (response != null && notBlank(response.modelName())) {
      return response.modelName();
    }
    if (request != null && notBlank(request.modelName())) {
      return request.modelName();
    }
    return UNKNOWN_MODEL;
  }

  private static boolean notBlank(@Nullable String s) {
    return s != null && !s.isBlank();
  }

  private void failed(String what, RuntimeException e) {
    long count = failures.incrementAndGet();
    long now = System.nanoTime();
    long at = nextLogAt.get();
    if (now - at >= 0 && nextLogAt.compareAndSet(at, now + LOG_INTERVAL_NANOS)) {
      LOG.warn("usage listener failed while {} ({} failures so far)", what, count, e);
    }
  }

  /** One call's attribution, its start ({@link System#nanoTime}), and whether it was recorded. */
  private static final class Call {
    final UsageAttribution attribution;
    final long startNanos;
    final AtomicBoolean recorded = new AtomicBoolean();

    Call(UsageAttribution attribution, long startNanos) {
      this.attribution = attribution;
      this.startNanos = startNanos;
    }
  }

  /** Builds a {@link UsageChatModelListener}. Each setter checks its argument at once. */
  public static final class Builder {
    private final UsageStats stats;
    private @Nullable AttributionResolver resolver;
    private UsageAttribution defaultAttribution = UsageAttribution.of("default", "unattributed");
    private LongSupplier ticker = System::nanoTime;

    private Builder(UsageStats stats) {
      this.stats = Objects.requireNonNull(stats, "stats");
    }

    /**
     * Asked for calls that carry no {@link UsageAttribution} and start outside any {@link
     * UsageScope} (default: none).
     */
    public Builder resolver(AttributionResolver resolver) {
      this.resolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /**
     * Where calls go that nothing attributes (default tenant {@code default}, API key id {@code
     * unattributed}); they are counted in {@link UsageChatModelListener#unattributedCalls()}.
     */
    public Builder defaultAttribution(UsageAttribution defaultAttribution) {
      this.defaultAttribution = Objects.requireNonNull(defaultAttribution, "defaultAttribution");
      return this;
    }

    /** The nanosecond ticker calls are timed with (default {@link System#nanoTime}); for tests. */
    Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Builds the listener. */
    public UsageChatModelListener build() {
      return new UsageChatModelListener(this);
    }
  }
}
