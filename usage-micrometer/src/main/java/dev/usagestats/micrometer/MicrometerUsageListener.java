package dev.usagestats.micrometer;

import dev.usagestats.Outcome;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleConsumer;
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
 *       gen_ai.request.model}, {@code gen_ai.operation.name}, {@code tenant}, and, only if enabled,
 *       {@code api_key} (the key id; the library never sees a secret);
 *   <li>{@code usagestats.input.cache_read} and {@code usagestats.input.cache_creation} (counters),
 *       base unit {@code tokens}: the parts of the input read from and written to a prompt cache
 *       (already counted in the {@code input} tokens), with the token meter's tags but no {@code
 *       gen_ai.token.type}. The GenAI conventions define only {@code input} and {@code output} for
 *       that tag, so these parts are meters of their own: summing {@code gen_ai.client.token.usage}
 *       over its token types still gives input plus output, each token once;
 *   <li>{@code usagestats.calls} (counter), tags {@code outcome} = {@code success} | {@code error},
 *       {@code gen_ai.request.model}, {@code gen_ai.operation.name}, {@code tenant} and the
 *       optional {@code api_key}.
 * </ul>
 *
 * <p>Meters are resolved once per series, when the engine creates it, and held by the series: the
 * recording path never looks a meter up in the registry. The number of meter sets is bounded by the
 * engine's series cap and by {@link Builder#maxMeterSeries}: past either, events count in one set
 * tagged {@code __overflow__}, so totals stay exact.
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
        Tags.of("gen_ai.request.model", key.model(), "gen_ai.operation.name", operationName);
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
    return new Meters(this, input, output, cacheRead, cacheCreation, ok, error);
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

  /** One series' held meters. */
  private static final class Meters implements SeriesListener {
    private final MicrometerUsageListener owner;
    private final DoubleConsumer input;
    private final DoubleConsumer output;
    private final Counter cacheRead;
    private final Counter cacheCreation;
    private final Counter ok;
    private final Counter error;

    Meters(
        MicrometerUsageListener owner,
        DoubleConsumer input,
        DoubleConsumer output,
        Counter cacheRead,
        Counter cacheCreation,
        Counter ok,
        Counter error) {
      this.owner = owner;
      this.input = input;
      this.output = output;
      this.cacheRead = cacheRead;
      this.cacheCreation = cacheCreation;
      this.ok = ok;
      this.error = error;
    }

    @Override
    public void onRecord(
        long inputTokens,
        long outputTokens,
        long cachedInputTokens,
        long cacheCreationInputTokens,
        long reasoningTokens,
        Outcome outcome) {
      try {
        (outcome == Outcome.ERROR ? error : ok).increment();
        input.accept(inputTokens);
        output.accept(outputTokens);
        // Most calls touch no cache: adding zero to a counter changes nothing, so skip the add.
        if (cachedInputTokens != 0) cacheRead.increment(cachedInputTokens);
        if (cacheCreationInputTokens != 0) cacheCreation.increment(cacheCreationInputTokens);
      } catch (RuntimeException e) {
        owner.failed("recording usage meters", e);
      }
    }
  }

  /** Builds a {@link MicrometerUsageListener}. Each setter checks its argument. Not thread-safe. */
  public static final class Builder {
    private final MeterRegistry registry;
    private boolean apiKeyTag;
    private boolean tenantTag = true;
    private TokenMeter tokenMeter = TokenMeter.COUNTER;
    private int maxMeterSeries = 10_000;
    private String operationName = "chat";

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

    /** Builds the listener. */
    public MicrometerUsageListener build() {
      return new MicrometerUsageListener(this);
    }
  }
}
