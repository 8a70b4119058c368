package dev.usagestats.spring;

import dev.usagestats.Outcome;
import dev.usagestats.UsageStats;
import dev.usagestats.providers.ProviderUsage;
import dev.usagestats.providers.TokenUsage;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
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

  private final UsageStats stats;
  private final SpringAiAttributionResolver resolver;
  private final ChatAttribution defaultAttribution;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

  private SpringAiUsageObservationHandler(
      UsageStats stats, SpringAiAttributionResolver resolver, ChatAttribution defaultAttribution) {
    this.stats = stats;
    this.resolver = resolver;
    this.defaultAttribution = defaultAttribution;
  }

  /**
   * A handler recording into {@code stats}, attributing calls by {@code resolver} and, where it has
   * no answer, to {@code defaultAttribution}.
   */
  public static SpringAiUsageObservationHandler of(
      UsageStats stats, SpringAiAttributionResolver resolver, ChatAttribution defaultAttribution) {
    return new SpringAiUsageObservationHandler(
        Objects.requireNonNull(stats, "stats"),
        Objects.requireNonNull(resolver, "resolver"),
        Objects.requireNonNull(defaultAttribution, "defaultAttribution"));
  }

  @Override
  public boolean supportsContext(Observation.Context context) {
    return context instanceof ChatModelObservationContext;
  }

  @Override
  public void onStart(ChatModelObservationContext context) {
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
      ProviderUsage.record(
          stats,
          who.tenant(),
          who.apiKey(),
          model(context, response),
          tokens,
          failed ? Outcome.ERROR : Outcome.SUCCESS);
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

  private static String model(ChatModelObservationContext context, @Nullable ChatResponse r) {
    String model = r == null ? null : r.getMetadata().getModel();
    if (model == null || model.isBlank()) {
      ChatOptions options = context.getRequest().getOptions();
      model = options == null ? null : options.getModel();
    }
    return model == null || model.isBlank() ? "unknown" : model;
  }

  private void fail(String what, RuntimeException e) {
    failures.incrementAndGet();
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
      LOG.warn("{} ({} failures so far)", what, failures.get(), e);
    }
  }
}
