package dev.usagestats.spring;

import dev.usagestats.Outcome;
import dev.usagestats.UsageSeries;
import dev.usagestats.UsageStats;
import dev.usagestats.providers.TokenUsage;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.ai.chat.prompt.ChatOptions;

/**
 * Records every Spring AI chat model call, blocking and streaming, into a {@link UsageStats}: one
 * call with its tokens normalised by usage-providers' rules (see {@link SpringAiTokens}), {@link
 * Outcome#ERROR} and no tokens for a call that failed. Spring AI's chat models report each call as
 * a Micrometer observation; Spring Boot registers this handler, as every {@code ObservationHandler}
 * bean, with the application's {@code ObservationRegistry}.
 *
 * <ul>
 *   <li><b>Attribution</b> is resolved when the observation starts, on the calling thread, by the
 *       {@link SpringAiAttributionResolver}; without an answer the default attribution applies.
 *   <li><b>Model</b>: the one the response names, else the one the request asked for, else {@code
 *       unknown}.
 *   <li><b>Duration</b>: from the observation's start to its stop (for a streamed call, to the end
 *       of the stream), for answered and failed calls. Spring AI's observation has no event for a
 *       stream's first chunk, so the time to first token is not recorded. A call whose start this
 *       handler did not see, or that took over an hour (the engine's limit), has no duration.
 *   <li><b>Never in the way.</b> Nothing this handler does throws into the chat call: a failure to
 *       resolve or record is counted ({@link #failures()}) and logged at most once a minute.
 * </ul>
 *
 * Thread-safe.
 */
public final class SpringAiUsageObservationHandler
    implements ObservationHandler<ChatModelObservationContext> {
  private static final Logger LOG = LoggerFactory.getLogger(SpringAiUsageObservationHandler.class);
  private static final long LOG_EVERY_NANOS = 60_000_000_000L;

  /** The longest latency the engine accepts (see {@link UsageStats#record}): one hour. */
  static final long MAX_LATENCY_NANOS = TimeUnit.HOURS.toNanos(1);

  private final UsageStats stats;
  private final SpringAiAttributionResolver resolver;
  private final ChatAttribution defaultAttribution;
  private final LongSupplier ticker;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

  private SpringAiUsageObservationHandler(
      UsageStats stats,
      SpringAiAttributionResolver resolver,
      ChatAttribution defaultAttribution,
      LongSupplier ticker) {
    this.stats = stats;
    this.resolver = resolver;
    this.defaultAttribution = defaultAttribution;
    this.ticker = ticker;
  }

  /**
   * A handler recording into {@code stats}, attributing calls by {@code resolver} and, where it has
   * no answer, to {@code defaultAttribution}.
   */
  public static SpringAiUsageObservationHandler of(
      UsageStats stats, SpringAiAttributionResolver resolver, ChatAttribution defaultAttribution) {
    return of(stats, resolver, defaultAttribution, System::nanoTime);
  }

  /**
   * As {@link #of(UsageStats, SpringAiAttributionResolver, ChatAttribution)}, timed by {@code
   * ticker}; for tests.
   */
  static SpringAiUsageObservationHandler of(
      UsageStats stats,
      SpringAiAttributionResolver resolver,
      ChatAttribution defaultAttribution,
      LongSupplier ticker) {
    return new SpringAiUsageObservationHandler(
        Objects.requireNonNull(stats, "stats"),
        Objects.requireNonNull(resolver, "resolver"),
        Objects.requireNonNull(defaultAttribution, "defaultAttribution"),
        Objects.requireNonNull(ticker, "ticker"));
  }

  @Override
  public boolean supportsContext(Observation.Context context) {
    return context instanceof ChatModelObservationContext;
  }

  @Override
  public void onStart(ChatModelObservationContext context) {
    context.put(Start.class, new Start(ticker.getAsLong()));
    context.put(ChatAttribution.class, attribution(context));
  }

  @Override
  public void onStop(ChatModelObservationContext context) {
    try {
      ChatAttribution who = context.get(ChatAttribution.class);
      if (who == null) who = attribution(context);
      ChatResponse response = context.getResponse();
      boolean failed = context.getError() != null;
      TokenUsage tokens =
          failed || response == null
              ? TokenUsage.ZERO
              : SpringAiTokens.of(
                  context.getOperationMetadata().provider(), response.getMetadata().getUsage());
      stats.record(
          who.tenant(),
          who.apiKey(),
          model(context, response),
          tokens.inputTokens(),
          tokens.outputTokens(),
          tokens.cachedInputTokens(),
          tokens.cacheCreationInputTokens(),
          tokens.reasoningTokens(),
          failed ? Outcome.ERROR : Outcome.SUCCESS,
          duration(context.get(Start.class)),
          UsageSeries.NO_LATENCY);
    } catch (RuntimeException e) {
      fail("could not record a Spring AI chat call", e);
    }
  }

  /** Calls that could not be attributed or recorded because something threw. */
  public long failures() {
    return failures.get();
  }

  private ChatAttribution attribution(ChatModelObservationContext context) {
    try {
      ChatAttribution a = resolver.resolve(context);
      return a != null ? a : defaultAttribution;
    } catch (RuntimeException e) {
      fail("attribution resolver failed; using the default", e);
      return defaultAttribution;
    }
  }

  /**
   * From onStart to now; {@link UsageSeries#NO_LATENCY} when this handler did not see the start, or
   * when the time is beyond what the engine accepts (a clock that went back, or over an hour).
   */
  private long duration(@Nullable Start start) {
    if (start == null) return UsageSeries.NO_LATENCY;
    long nanos = ticker.getAsLong() - start.nanos;
    return nanos < 0 || nanos > MAX_LATENCY_NANOS ? UsageSeries.NO_LATENCY : nanos;
  }

  private static String model(ChatModelObservationContext context, @Nullable ChatResponse r) {
    String model = r == null ? null : r.getMetadata().getModel();
    if (model == null || model.isBlank()) {
      ChatOptions options = context.getRequest().getOptions();
      model = options == null ? null : options.getModel();
    }
    return model == null || model.isBlank() ? "unknown" : model;
  }

  /** When a call's observation started ({@link System#nanoTime}), kept in its context. */
  private record Start(long nanos) {}

  private void fail(String what, RuntimeException e) {
    failures.incrementAndGet();
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
      LOG.warn("{} ({} failures so far)", what, failures.get(), e);
    }
  }
}
