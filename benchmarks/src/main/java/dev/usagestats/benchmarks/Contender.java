package dev.usagestats.benchmarks;

import dev.usagestats.UsageQuery;
import dev.usagestats.UsageSeries;
import dev.usagestats.UsageStats;
import dev.usagestats.micrometer.MicrometerUsageListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/**
 * One implementation under test in {@link RecordBenchmark}, made by {@link Implementation#create}:
 * records one event's worth of work (one call, its input tokens and its output tokens) for series
 * {@code i} of a {@link SeriesNames}.
 *
 * <p>Every implementation creates all its series (or meters, or map entries) in its constructor, so
 * the measured calls find them existing, and {@link #recorded()} reads back what was counted, so a
 * run that silently measured a no-op fails instead of reporting a fine figure.
 */
abstract class Contender implements AutoCloseable {
  /** The flush interval of usagestats and the export interval of the OpenTelemetry reader. */
  static final Duration INTERVAL = Duration.ofSeconds(5);

  final SeriesNames names;

  Contender(SeriesNames names) {
    this.names = names;
  }

  /** Records one event: a call with these input and output tokens, for series {@code i}. */
  abstract void record(int i, long inputTokens, long outputTokens);

  /** The number of calls counted so far, read back through the implementation's own API. */
  abstract long recorded();

  @Override
  public void close() {}

  // ---------------------------------------------------------------- usagestats

  /** The engine, recording by name: the primitive-argument hot path. */
  static class UsageStatsByName extends Contender {
    final UsageStats stats;

    UsageStatsByName(SeriesNames names, UnaryOperator<UsageStats.Builder> options) {
      super(names);
      this.stats =
          options.apply(UsageStats.builder().flushInterval(INTERVAL).maxSeries(names.size)).build();
      for (int i = 0; i < names.size; i++) {
        stats.series(names.setupTenant[i], names.setupApiKey[i], names.setupModel[i]);
      }
    }

    @Override
    void record(int i, long inputTokens, long outputTokens) {
      stats.record(names.tenant[i], names.apiKey[i], names.model[i], inputTokens, outputTokens);
    }

    @Override
    long recorded() {
      return stats.query(UsageQuery.lastTwoWeeks()).totals().calls();
    }

    @Override
    public void close() {
      stats.close();
    }
  }

  /**
   * The engine, recording by name with the strings the series were created with ({@link
   * SeriesNames#setupTenant} and friends), not equal copies: a host that passes constants, or names
   * it keeps, from one call to the next.
   */
  static final class UsageStatsByIdenticalName extends UsageStatsByName {
    UsageStatsByIdenticalName(SeriesNames names, UnaryOperator<UsageStats.Builder> options) {
      super(names, options);
    }

    @Override
    void record(int i, long inputTokens, long outputTokens) {
      stats.record(
          names.setupTenant[i],
          names.setupApiKey[i],
          names.setupModel[i],
          inputTokens,
          outputTokens);
    }
  }

  /** The engine, recording through bound handles held by the caller. */
  static final class UsageStatsHandle extends UsageStatsByName {
    private final UsageSeries[] handles;

    UsageStatsHandle(SeriesNames names, UnaryOperator<UsageStats.Builder> options) {
      super(names, options);
      handles = new UsageSeries[names.size];
      for (int i = 0; i < names.size; i++) {
        handles[i] = stats.series(names.setupTenant[i], names.setupApiKey[i], names.setupModel[i]);
      }
    }

    @Override
    void record(int i, long inputTokens, long outputTokens) {
      handles[i].record(inputTokens, outputTokens);
    }
  }

  /**
   * The engine with usage-micrometer's listener attached ({@code MicrometerUsageListener} with its
   * defaults on a {@link SimpleMeterRegistry}): every record also adds to the series' held call
   * counter and its two token counters. {@link #recorded()} reads the engine's calls and fails the
   * run unless the registry counted the same number, so a listener that was not called cannot pass
   * for cheap.
   */
  static final class WithMicrometer extends Contender {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final UsageStatsByName engine;

    interface Engine {
      UsageStatsByName create(SeriesNames names, UnaryOperator<UsageStats.Builder> options);
    }

    WithMicrometer(SeriesNames names, Engine engine) {
      super(names);
      MicrometerUsageListener listener = MicrometerUsageListener.builder(registry).build();
      this.engine = engine.create(names, b -> b.listener(listener));
    }

    @Override
    void record(int i, long inputTokens, long outputTokens) {
      engine.record(i, inputTokens, outputTokens);
    }

    @Override
    long recorded() {
      long calls = engine.recorded();
      double sum = 0;
      for (Counter c : registry.find(MicrometerUsageListener.CALLS).counters()) sum += c.count();
      if ((long) sum != calls) {
        throw new IllegalStateException(
            "the engine counted " + calls + " calls but the Micrometer listener " + (long) sum);
      }
      return calls;
    }

    @Override
    public void close() {
      engine.close();
    }
  }

  // ---------------------------------------------------------------- OpenTelemetry

  /**
   * The OpenTelemetry SDK: three {@link LongCounter}s (calls, input tokens, output tokens), each
   * added to with prebuilt {@link Attributes}. A periodic reader with a discarding exporter is
   * registered, since an SDK meter provider without a reader hands out no-op instruments.
   */
  static final class OtelSdk extends Contender {
    private static final AttributeKey<String> TENANT = AttributeKey.stringKey("tenant");
    private static final AttributeKey<String> API_KEY = AttributeKey.stringKey("api_key_id");
    private static final AttributeKey<String> MODEL =
        AttributeKey.stringKey("gen_ai.request.model");

    private final SdkMeterProvider provider;
    private final CountingExporter exporter = new CountingExporter();
    private final LongCounter calls;
    private final LongCounter input;
    private final LongCounter output;
    private final Attributes[] attributes;

    OtelSdk(SeriesNames names) {
      super(names);
      provider =
          SdkMeterProvider.builder()
              .registerMetricReader(
                  PeriodicMetricReader.builder(exporter).setInterval(INTERVAL).build())
              .build();
      Meter meter = provider.get("dev.usagestats.benchmarks");
      calls = meter.counterBuilder("usage.calls").build();
      input = meter.counterBuilder("usage.input_tokens").build();
      output = meter.counterBuilder("usage.output_tokens").build();
      attributes = new Attributes[names.size];
      for (int i = 0; i < names.size; i++) {
        attributes[i] =
            Attributes.of(TENANT, names.tenant[i], API_KEY, names.apiKey[i], MODEL, names.model[i]);
        calls.add(0, attributes[i]);
        input.add(0, attributes[i]);
        output.add(0, attributes[i]);
      }
    }

    @Override
    void record(int i, long inputTokens, long outputTokens) {
      Attributes a = attributes[i];
      calls.add(1, a);
      input.add(inputTokens, a);
      output.add(outputTokens, a);
    }

    @Override
    long recorded() {
      provider.forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS);
      return exporter.lastCalls;
    }

    @Override
    public void close() {
      provider.shutdown().join(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Keeps only the calls total of the last export. */
    private static final class CountingExporter implements MetricExporter {
      volatile long lastCalls;

      @Override
      public CompletableResultCode export(Collection<MetricData> metrics) {
        for (MetricData m : metrics) {
          if (!m.getName().equals("usage.calls")) continue;
          long sum = 0;
          for (LongPointData p : m.getLongSumData().getPoints()) sum += p.getValue();
          lastCalls = sum;
        }
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
      }
    }
  }

  // ---------------------------------------------------------------- Micrometer

  /** Micrometer with three counters per series resolved once and held. */
  static final class MicrometerHeld extends Contender {
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final Counter[] calls;
    private final Counter[] input;
    private final Counter[] output;

    MicrometerHeld(SeriesNames names) {
      super(names);
      calls = new Counter[names.size];
      input = new Counter[names.size];
      output = new Counter[names.size];
      for (int i = 0; i < names.size; i++) {
        calls[i] = MicrometerLookup.calls(registry, names, i);
        input[i] = MicrometerLookup.tokens(registry, names, i, "input");
        output[i] = MicrometerLookup.tokens(registry, names, i, "output");
      }
    }

    @Override
    void record(int i, long inputTokens, long outputTokens) {
      calls[i].increment();
      input[i].increment(inputTokens);
      output[i].increment(outputTokens);
    }

    @Override
    long recorded() {
      return MicrometerLookup.calls(registry);
    }
  }

  /**
   * Micrometer with the meters looked up on every call, {@code registry.counter(name, tags...)}, as
   * LangChain4j's Micrometer listener does: tags are built and the registry's map searched three
   * times per event.
   */
  static final class MicrometerLookup extends Contender {
    private static final String CALLS = "gen_ai.client.operation.count";
    private static final String TOKENS = "gen_ai.client.token.usage";

    private final MeterRegistry registry = new SimpleMeterRegistry();

    MicrometerLookup(SeriesNames names) {
      super(names);
      for (int i = 0; i < names.size; i++) {
        calls(registry, names, i);
        tokens(registry, names, i, "input");
        tokens(registry, names, i, "output");
      }
    }

    @Override
    void record(int i, long inputTokens, long outputTokens) {
      calls(registry, names, i).increment();
      tokens(registry, names, i, "input").increment(inputTokens);
      tokens(registry, names, i, "output").increment(outputTokens);
    }

    @Override
    long recorded() {
      return calls(registry);
    }

    static Counter calls(MeterRegistry registry, SeriesNames names, int i) {
      return registry.counter(
          CALLS,
          "tenant",
          names.tenant[i],
          "api_key_id",
          names.apiKey[i],
          "gen_ai.request.model",
          names.model[i]);
    }

    static Counter tokens(MeterRegistry registry, SeriesNames names, int i, String type) {
      return registry.counter(
          TOKENS,
          "tenant",
          names.tenant[i],
          "api_key_id",
          names.apiKey[i],
          "gen_ai.request.model",
          names.model[i],
          "gen_ai.token.type",
          type);
    }

    static long calls(MeterRegistry registry) {
      double sum = 0;
      for (Counter c : registry.find(CALLS).counters()) sum += c.count();
      return (long) sum;
    }
  }

  // ---------------------------------------------------------------- hand-rolled

  /**
   * What a user writes by hand: a {@link ConcurrentHashMap} from a composite key to three {@link
   * LongAdder}s, with the key built on every call ({@code computeIfAbsent(new Key(...), ...)}).
   */
  static final class NaiveMap extends Contender {
    private record Key(String tenant, String apiKey, String model) {}

    private final ConcurrentHashMap<Key, LongAdder[]> map = new ConcurrentHashMap<>();

    NaiveMap(SeriesNames names) {
      super(names);
      for (int i = 0; i < names.size; i++) {
        map.computeIfAbsent(
            new Key(names.setupTenant[i], names.setupApiKey[i], names.setupModel[i]),
            k -> adders());
      }
    }

    @Override
    void record(int i, long inputTokens, long outputTokens) {
      LongAdder[] a =
          map.computeIfAbsent(
              new Key(names.tenant[i], names.apiKey[i], names.model[i]), k -> adders());
      a[0].increment();
      a[1].add(inputTokens);
      a[2].add(outputTokens);
    }

    @Override
    long recorded() {
      long sum = 0;
      for (LongAdder[] a : map.values()) sum += a[0].sum();
      return sum;
    }
  }

  /**
   * The floor for a bound handle: three {@link LongAdder}s per series, held by the caller. No time
   * buckets, no snapshots; the fairest peer of {@code usagestats_handle}.
   */
  static final class NaiveHeld extends Contender {
    private final LongAdder[][] adders;

    NaiveHeld(SeriesNames names) {
      super(names);
      adders = new LongAdder[names.size][];
      for (int i = 0; i < names.size; i++) adders[i] = adders();
    }

    @Override
    void record(int i, long inputTokens, long outputTokens) {
      LongAdder[] a = adders[i];
      a[0].increment();
      a[1].add(inputTokens);
      a[2].add(outputTokens);
    }

    @Override
    long recorded() {
      long sum = 0;
      for (LongAdder[] a : adders) sum += a[0].sum();
      return sum;
    }
  }

  private static LongAdder[] adders() {
    return new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()};
  }
}
