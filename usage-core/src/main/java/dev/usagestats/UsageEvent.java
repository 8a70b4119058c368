package dev.usagestats;

import dev.usagestats.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One model invocation: when, for whom, which model, and how many tokens.
 *
 * <p>{@code apiKey} is the key's <em>id</em> (for example {@link ApiKeys#fingerprint(String)}),
 * never the secret itself. {@code cachedInputTokens} is the part of {@code inputTokens} served from
 * a prompt cache, {@code cacheCreationInputTokens} the part written to one (Anthropic's {@code
 * cache_creation_input_tokens}); {@code reasoningTokens} is the part of {@code outputTokens} spent
 * on reasoning. They are parts, not extras: the totals add input and output only.
 *
 * <p>The compact constructor checks every field; a rejected event throws {@link
 * IllegalArgumentException} or {@link NullPointerException} naming the field and the value.
 *
 * <pre>{@code
 * UsageEvent e = UsageEvent.builder()
 *     .timestamp(Instant.now())
 *     .tenant("acme").apiKey("key-7f3a").model("public/deepseek-r1")
 *     .inputTokens(1200).outputTokens(350)
 *     .build();
 * }</pre>
 *
 * @param timestamp when the invocation finished
 * @param tenant the account or organisation the key belongs to
 * @param apiKey the API key id
 * @param model the model name, for example {@code public/deepseek-r1}
 * @param inputTokens prompt tokens, 0 to 2^40
 * @param outputTokens completion tokens, 0 to 2^40
 * @param cachedInputTokens part of {@code inputTokens} read from a prompt cache
 * @param cacheCreationInputTokens part of {@code inputTokens} written to a prompt cache; with
 *     {@code cachedInputTokens} at most {@code inputTokens}
 * @param reasoningTokens part of {@code outputTokens} used for reasoning
 * @param outcome success or error
 * @param duration the call's total duration, null when not known (kept to the millisecond, up to
 *     one hour)
 * @param timeToFirstToken for a streamed response, the time to its first token, at most the
 *     duration; null when not known
 */
public record UsageEvent(
    Instant timestamp,
    String tenant,
    String apiKey,
    String model,
    long inputTokens,
    long outputTokens,
    long cachedInputTokens,
    long cacheCreationInputTokens,
    long reasoningTokens,
    Outcome outcome,
    @Nullable Duration duration,
    @Nullable Duration timeToFirstToken) {

  /** Checks every field. */
  public UsageEvent {
    Objects.requireNonNull(timestamp, "timestamp");
    Checks.name("tenant", tenant);
    Checks.name("apiKey", apiKey);
    Checks.name("model", model);
    Checks.tokens(
        inputTokens, outputTokens, cachedInputTokens, cacheCreationInputTokens, reasoningTokens);
    Objects.requireNonNull(outcome, "outcome");
    Checks.latency(nanos(duration, "duration"), nanos(timeToFirstToken, "timeToFirstToken"));
  }

  private static long nanos(@Nullable Duration d, String field) {
    if (d == null) return -1;
    if (d.isNegative() || d.compareTo(MAX_LATENCY) > 0) {
      throw new IllegalArgumentException(
          field + " must be between 0 and " + MAX_LATENCY + ", or null when unknown: " + d);
    }
    return d.toNanos();
  }

  private static final Duration MAX_LATENCY = Duration.ofNanos(Checks.MAX_LATENCY_NANOS);

  /** An event without latency. */
  public UsageEvent(
      Instant timestamp,
      String tenant,
      String apiKey,
      String model,
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long cacheCreationInputTokens,
      long reasoningTokens,
      Outcome outcome) {
    this(
        timestamp,
        tenant,
        apiKey,
        model,
        inputTokens,
        outputTokens,
        cachedInputTokens,
        cacheCreationInputTokens,
        reasoningTokens,
        outcome,
        null,
        null);
  }

  /** A successful event with input and output tokens only. */
  public static UsageEvent of(
      Instant timestamp,
      String tenant,
      String apiKey,
      String model,
      long inputTokens,
      long outputTokens) {
    return new UsageEvent(
        timestamp, tenant, apiKey, model, inputTokens, outputTokens, 0, 0, 0, Outcome.SUCCESS);
  }

  /** Input plus output tokens. */
  public long totalTokens() {
    return inputTokens + outputTokens;
  }

  /** A new builder; timestamp, tenant, apiKey and model must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link UsageEvent}; each setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private Instant timestamp;
    private String tenant;
    private String apiKey;
    private String model;
    private long inputTokens;
    private long outputTokens;
    private long cachedInputTokens;
    private long cacheCreationInputTokens;
    private long reasoningTokens;
    private Outcome outcome = Outcome.SUCCESS;
    private @Nullable Duration duration;
    private @Nullable Duration timeToFirstToken;

    private Builder() {}

    /** When the invocation finished. */
    public Builder timestamp(Instant timestamp) {
      this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
      return this;
    }

    /** The tenant. */
    public Builder tenant(String tenant) {
      this.tenant = Checks.name("tenant", tenant);
      return this;
    }

    /** The API key id (never the secret). */
    public Builder apiKey(String apiKey) {
      this.apiKey = Checks.name("apiKey", apiKey);
      return this;
    }

    /** The model name. */
    public Builder model(String model) {
      this.model = Checks.name("model", model);
      return this;
    }

    /** Prompt tokens. */
    public Builder inputTokens(long inputTokens) {
      this.inputTokens = Checks.tokens("inputTokens", inputTokens);
      return this;
    }

    /** Completion tokens. */
    public Builder outputTokens(long outputTokens) {
      this.outputTokens = Checks.tokens("outputTokens", outputTokens);
      return this;
    }

    /** Part of the input tokens read from a prompt cache. */
    public Builder cachedInputTokens(long cachedInputTokens) {
      this.cachedInputTokens = Checks.tokens("cachedInputTokens", cachedInputTokens);
      return this;
    }

    /** Part of the input tokens written to a prompt cache. */
    public Builder cacheCreationInputTokens(long cacheCreationInputTokens) {
      this.cacheCreationInputTokens =
          Checks.tokens("cacheCreationInputTokens", cacheCreationInputTokens);
      return this;
    }

    /** Part of the output tokens spent on reasoning. */
    public Builder reasoningTokens(long reasoningTokens) {
      this.reasoningTokens = Checks.tokens("reasoningTokens", reasoningTokens);
      return this;
    }

    /** Success (the default) or error. */
    public Builder outcome(Outcome outcome) {
      this.outcome = Objects.requireNonNull(outcome, "outcome");
      return this;
    }

    /**
     * Builds the event.
     *
     * @throws IllegalStateException if timestamp, tenant, apiKey or model is not set
     */
    /** The call's total duration (null: not known, the default). */
    public Builder duration(@Nullable Duration duration) {
      this.duration = duration;
      return this;
    }

    /** The time to the first token of a streamed response (null: not known, the default). */
    public Builder timeToFirstToken(@Nullable Duration timeToFirstToken) {
      this.timeToFirstToken = timeToFirstToken;
      return this;
    }

    public UsageEvent build() {
      if (timestamp == null) throw new IllegalStateException("timestamp is not set");
      if (tenant == null) throw new IllegalStateException("tenant is not set");
      if (apiKey == null) throw new IllegalStateException("apiKey is not set");
      if (model == null) throw new IllegalStateException("model is not set");
      return new UsageEvent(
          timestamp,
          tenant,
          apiKey,
          model,
          inputTokens,
          outputTokens,
          cachedInputTokens,
          cacheCreationInputTokens,
          reasoningTokens,
          outcome,
          duration,
          timeToFirstToken);
    }
  }
}
