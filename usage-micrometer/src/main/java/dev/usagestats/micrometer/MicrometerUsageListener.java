package dev.usagestats.micrometer;

import dev.usagestats.SeriesKey;
import dev.usagestats.UsageListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleConsumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports every recorded event to Micrometer under the OpenTelemetry GenAI names. Attach it to the
 * engine with {@link dev.usagestats.UsageStats.Builder#listener}.
 *
 * <pre>{@code
 * MeterRegistry registry = new SimpleMeterRegistry();
 * UsageStats stats = UsageStats.builder()
 *     .listener(MicrometerUsageListener.builder(registry).build())
 *     .build();
 * new UsageStatsMetrics(stats).bindTo(registry);
 * }</pre>
 *
 * <p>Meters:
 *
 * <ul>
 *   <li>{@code gen_ai.client.token.usage} (counter by default, see {@link TokenMeter}), base unit
 *       {@code tokens}, tags {@code gen_ai.token.type} = {@code input} | {@code output}, {@code
 *       gen_ai.request.model}, {@code gen_ai.provider.name} (see {@link Builder#providers}), {@code
 *       gen_ai.operation.name}, {@code tenant}, and, only if enabled, {@code api_key} (the key id;
 *       the library never sees a secret);
 *   <li>{@code usagestats.input.cache_read} and {@code usagestats.input.cache_creation} (counters),
 *       base unit {@code tokens}: the parts of the input read from and written to a prompt cache
 *       (already counted in the {@code input} tokens), with the token meter's tags but no {@code
 *       gen_ai.token.type}. The GenAI conventions define only {@code input} and {@code output} for
 *       that tag, so these parts are meters of their own: summing {@code gen_ai.client.token.usage}
 *       over its token types still gives input plus output, each token once;
 *   <li>{@code usagestats.calls} (counter), tags {@code outcome} = {@code success} | {@code error},
 *       and the token meter's other tags;
 *   <li>{@code gen_ai.client.operation.duration} (timer, seconds, the conventions' buckets 0.01 s
 *       doubling to 81.92 s), for each call whose duration is known, tags {@code error.type} =
 *       {@code none} | {@code _OTHER} (failed calls) and the token meter's other tags;
 *   <li>{@code gen_ai.client.operation.time_to_first_chunk} (timer, same buckets), for each call
 *       whose time to first token is known, with the token meter's other tags.
 * </ul>
 *
 * <p>Meters are resolved once per series and held by the series: counters when the engine creates
 * it, each latency timer on the series' first latency it records; the recording path never looks a
 * meter up in the registry after that. The number of meter sets is bounded by the engine's series
 * cap and by {@link Builder#maxMeterSeries}: past either, events count in one set tagged {@code
 * __overflow__}, so totals stay exact.
 *
 * <p>Thread-safe. A meter or registry that throws is caught here, counted ({@link #failures()}) and
 * logged at most once a minute; it never reaches the caller of {@code record}.
 */
public final class MicrometerUsageListener implements UsageListener {
  /** Name of the token meter (OpenTelemetry GenAI semantic conventions). */
  public static final String TOKEN_USAGE = "gen_ai.client.token.usage";

  /** Name of the call counter. */
  public static final String CALLS = "usagestats.calls";

  /**
   * Name of the counter of input tokens read from a prompt cache (OpenTelemetry's span attribute
   * {@code gen_ai.usage.cache_read.input_tokens}); a part of the {@code input} tokens.
   */
  public static final String CACHE_READ_INPUT = "usagestats.input.cache_read";

  /**
   * Name of the counter of input tokens written to a prompt cache (OpenTelemetry's span attribute
   * {@code gen_ai.usage.cache_creation.input_tokens}, Anthropic's {@code
   * cache_creation_input_tokens}); a part of the {@code input} tokens.
   */
  public static final String CACHE_CREATION_INPUT = "usagestats.input.cache_creation";

  /**
   * Name of the histogram of call durations in seconds (OpenTelemetry GenAI conventions), recorded
   * for every call whose duration is known.
   */
  public static final String OPERATION_DURATION = "gen_ai.client.operation.duration";

  /**
   * Name of the histogram of times to the first chunk of a streamed response in seconds
   * (OpenTelemetry GenAI conventions), recorded for every call whose time to first token is known.
   */
  public static final String TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk";

  /** Tag key of the provider ({@link Builder#providers}, {@link Builder#provider}). */
  public static final String PROVIDER_TAG = "gen_ai.provider.name";

  /** Tag key of the error class on {@link #OPERATION_DURATION}. */
  public static final String ERROR_TYPE_TAG = "error.type";

  /**
   * The {@code error.type} of a failed call: the conventions' fallback value, since the engine
   * knows that a call failed but not how.
   */
  public static final String ERROR_TYPE_OTHER = "_OTHER";

  /**
   * The {@code error.type} of a successful call. The conventions leave the tag off then; Prometheus
   * requires one set of tag keys per meter name, so it is present with this value (as Micrometer's
   * own observations tag {@code error=none}). See the module README to drop it for OTLP.
   */
  public static final String ERROR_TYPE_NONE = "none";

  /** Bucket bounds the OpenTelemetry GenAI conventions give for the token histogram. */
  static final double[] TOKEN_BUCKETS = {
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864
  };

  private static final Logger LOG = LoggerFactory.getLogger(MicrometerUsageListener.class);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final SeriesListener NO_OP =
      (in, out, cached, cacheCreation, reasoning, outcome) -> {};

  private final MeterRegistry registry;
  private final boolean apiKeyTag;
  private final boolean tenantTag;
  private final TokenMeter tokenMeter;
  private final int maxMeterSeries;
  private final String operationName;
  private final Map<String, String> providers;
  private final Function<? super String, String> provider;
  private final AtomicInteger meterSeries = new AtomicInteger();
  private final AtomicLong failures = new AtomicLong();
  private final RateLimitedLog log = new RateLimitedLog(LOG, LOG_INTERVAL_NANOS);
  private volatile @Nullable SeriesListener overflow;

  private MicrometerUsageListener(Builder b) {
    this.registry = b.registry;
    this.apiKeyTag = b.apiKeyTag;
    this.tenantTag = b.tenantTag;
    this.tokenMeter = b.tokenMeter;
    this.maxMeterSeries = b.maxMeterSeries;
    this.operationName = b.operationName;
    this.providers = b.providers;
    this.provider = b.provider;
  }

  /** A builder for a listener that registers its meters in {@code registry}. */
  public static Builder builder(MeterRegistry registry) {
    return new Builder(registry);
  }

  @Override
  public SeriesListener forSeries(SeriesKey key) {
    try {
      if (key.isOverflow()) return overflowListener();
      if (meterSeries.incrementAndGet() > maxMeterSeries) {
        meterSeries.decrementAndGet();
        return overflowListener();
      }
      return bind(key);
    } catch (RuntimeException e) {
      failed("binding meters for a usage series", e);
      return NO_OP;
    }
  }

  /** How many meter calls or bindings failed and were swallowed. */
  public long failures() {
    return failures.get();
  }

  private SeriesListener overflowListener() {
    SeriesListener o = overflow;
    if (o == null) {
      synchronized (this) {
        o = overflow;
        if (o == null) {
          o = bind(SeriesKey.OVERFLOW_KEY);
          overflow = o;
        }
      }
    }
    return o;
  }

  private SeriesListener bind(SeriesKey key) {
    Tags tags =
        Tags.of(
            "gen_ai.request.model",
            key.model(),
            "gen_ai.operation.name",
            operationName,
            PROVIDER_TAG,
            providerOf(key));
    if (tenantTag) tags = tags.and("tenant", key.tenant());
    if (apiKeyTag) tags = tags.and("api_key", key.apiKey());
    DoubleConsumer input = tokens(tags.and("gen_ai.token.type", "input"));
    DoubleConsumer output = tokens(tags.and("gen_ai.token.type", "output"));
    Counter cacheRead =
        inputPart(CACHE_READ_INPUT, "Input tokens read from a prompt cache (part of input)", tags);
    Counter cacheCreation =
        inputPart(
            CACHE_CREATION_INPUT, "Input tokens written to a prompt cache (part of input)", tags);
    Counter ok = calls(tags.and("outcome", "success"));
    Counter error = calls(tags.and("outcome", "error"));
    String durationHelp = "Duration of model invocations";
    LatencyTimer okDuration =
        new LatencyTimer(
            this,
            registry,
            OPERATION_DURATION,
            durationHelp,
            tags.and(ERROR_TYPE_TAG, ERROR_TYPE_NONE));
    LatencyTimer errorDuration =
        new LatencyTimer(
            this,
            registry,
            OPERATION_DURATION,
            durationHelp,
            tags.and(ERROR_TYPE_TAG, ERROR_TYPE_OTHER));
    LatencyTimer firstChunk =
        new LatencyTimer(
            this,
            registry,
            TIME_TO_FIRST_CHUNK,
            "Time from the request to the first chunk of a streamed response",
            tags);
    return new SeriesMeters(
        this,
        input,
        output,
        cacheRead,
        cacheCreation,
        ok,
        error,
        okDuration,
        errorDuration,
        firstChunk);
  }

  /**
   * The series' provider: the table's entry for its model, else the function's answer. A function
   * that throws or answers an unusable tag value is counted as a failure and the series is tagged
   * {@link ModelProviders#UNKNOWN}, so its usage still counts.
   */
  private String providerOf(SeriesKey key) {
    if (key.isOverflow()) return SeriesKey.OVERFLOW;
    String fromTable = providers.get(key.model());
    if (fromTable != null) return fromTable;
    try {
      return Args.tagValue(
          "provider name of model '" + key.model() + "'", provider.apply(key.model()));
    } catch (RuntimeException e) {
      failed("mapping model '" + key.model() + "' to a provider", e);
      return ModelProviders.UNKNOWN;
    }
  }

  private DoubleConsumer tokens(Tags tags) {
    if (tokenMeter == TokenMeter.DISTRIBUTION) {
      DistributionSummary s =
          DistributionSummary.builder(TOKEN_USAGE)
              .description("Input and output tokens used")
              .baseUnit("tokens")
              .serviceLevelObjectives(TOKEN_BUCKETS)
              .tags(tags)
              .register(registry);
      return s::record;
    }
    Counter c =
        Counter.builder(TOKEN_USAGE)
            .description("Input and output tokens used")
            .baseUnit("tokens")
            .tags(tags)
            .register(registry);
    return c::increment;
  }

  private Counter inputPart(String name, String description, Tags tags) {
    return Counter.builder(name)
        .description(description)
        .baseUnit("tokens")
        .tags(tags)
        .register(registry);
  }

  private Counter calls(Tags tags) {
    return Counter.builder(CALLS)
        .description("Model invocations recorded, by outcome")
        .tags(tags)
        .register(registry);
  }

  void failed(String what, RuntimeException e) {
    long total = failures.incrementAndGet();
    log.warn("usage metrics failed while " + what + " (" + total + " failures so far)", e);
  }

  /** Builds a {@link MicrometerUsageListener}. Each setter checks its argument. Not thread-safe. */
  public static final class Builder {
    private final MeterRegistry registry;
    private boolean apiKeyTag;
    private boolean tenantTag = true;
    private TokenMeter tokenMeter = TokenMeter.COUNTER;
    private int maxMeterSeries = 10_000;
    private String operationName = "chat";
    private Map<String, String> providers = Map.of();
    private Function<? super String, String> provider = ModelProviders::guess;

    private Builder(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Whether meters carry an {@code api_key} tag with the key id (default false: one tag value per
     * key multiplies the series a metrics backend stores).
     */
    public Builder apiKeyTag(boolean apiKeyTag) {
      this.apiKeyTag = apiKeyTag;
      return this;
    }

    /** Whether meters carry a {@code tenant} tag (default true). */
    public Builder tenantTag(boolean tenantTag) {
      this.tenantTag = tenantTag;
      return this;
    }

    /** The token meter's type (default {@link TokenMeter#COUNTER}). */
    public Builder tokenMeter(TokenMeter tokenMeter) {
      this.tokenMeter = Objects.requireNonNull(tokenMeter, "tokenMeter");
      return this;
    }

    /**
     * The most series with meters of their own (default 10,000); further series share the {@code
     * __overflow__} meters. The engine's own {@code maxSeries} applies first.
     */
    public Builder maxMeterSeries(int maxMeterSeries) {
      this.maxMeterSeries = Args.atLeast("maxMeterSeries", maxMeterSeries, 1);
      return this;
    }

    /**
     * The {@code gen_ai.operation.name} tag value (default {@code chat}): not blank, at most 256
     * characters, no control characters.
     */
    public Builder operationName(String operationName) {
      this.operationName = Args.tagValue("operationName", operationName);
      return this;
    }

    /**
     * Provider names of models by exact model name, the {@code gen_ai.provider.name} tag of their
     * meters (default empty). Models not in the table are mapped by {@link #provider}. Each value:
     * not blank, at most 256 characters, no control characters; use the conventions' well-known
     * values ({@code openai}, {@code anthropic}, {@code aws.bedrock}, ...) where one applies.
     */
    public Builder providers(Map<String, String> providers) {
      Objects.requireNonNull(providers, "providers");
      Map<String, String> copy = new HashMap<>();
      providers.forEach(
          (model, name) -> {
            Objects.requireNonNull(model, "providers key");
            copy.put(model, Args.tagValue("providers value for model '" + model + "'", name));
          });
      this.providers = Map.copyOf(copy);
      return this;
    }

    /**
     * The provider name of a model not in {@link #providers} (default {@link
     * ModelProviders#guess}). Called once per series, when its meters are bound, never per call.
     * For a service that calls one provider only: {@code provider(model -> "openai")}.
     */
    public Builder provider(Function<? super String, String> provider) {
      this.provider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /** Builds the listener. */
    public MicrometerUsageListener build() {
      return new MicrometerUsageListener(this);
    }
  }
}
