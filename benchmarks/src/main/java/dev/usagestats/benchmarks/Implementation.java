package dev.usagestats.benchmarks;

import java.util.Locale;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The implementations {@link RecordBenchmark} measures, usagestats' and its peers': the values of
 * its {@code impl} parameter ({@code -p impl=USAGESTATS_HANDLE,OTEL_SDK}), the rows of {@link
 * Summary}'s tables and the factory of each {@link Contender}. To measure another variant, add a
 * constant here; every benchmark run and table then includes it.
 *
 * <p>Until the parameter became this enum it was a string, the constant's name in lower case
 * ({@code usagestats_handle}); {@link #label()} is that string, so tables read as before, and
 * {@link Summary} and {@link Compare} match results written in either spelling.
 */
public enum Implementation {
  /** {@code UsageSeries.record(in, out)} on a handle the caller holds. */
  USAGESTATS_HANDLE(null, n -> new Contender.UsageStatsHandle(n, UnaryOperator.identity())),

  /** {@code UsageStats.record(tenant, apiKey, model, in, out)}. */
  USAGESTATS_BY_NAME(null, n -> new Contender.UsageStatsByName(n, UnaryOperator.identity())),

  /**
   * {@link #USAGESTATS_BY_NAME} passing the very strings the series were created with, as a host
   * that passes constants or keeps its names does: the lookup compares references, not characters.
   */
  USAGESTATS_BY_NAME_IDENTICAL(
      null, n -> new Contender.UsageStatsByIdenticalName(n, UnaryOperator.identity())),

  /**
   * {@link #USAGESTATS_HANDLE} with usage-micrometer's {@code MicrometerUsageListener} attached
   * (its defaults, a {@code SimpleMeterRegistry}): three more adds per event to meters the series
   * holds.
   */
  USAGESTATS_HANDLE_MICROMETER(
      USAGESTATS_HANDLE, n -> new Contender.WithMicrometer(n, Contender.UsageStatsHandle::new)),

  /** {@link #USAGESTATS_BY_NAME} with usage-micrometer's listener attached. */
  USAGESTATS_BY_NAME_MICROMETER(
      USAGESTATS_BY_NAME, n -> new Contender.WithMicrometer(n, Contender.UsageStatsByName::new)),

  /**
   * Three OpenTelemetry SDK {@code LongCounter.add(value, attributes)} with prebuilt attributes, a
   * periodic reader registered.
   */
  OTEL_SDK(null, Contender.OtelSdk::new),

  /** Three Micrometer counters per series, resolved once and held. */
  MICROMETER_HELD(null, Contender.MicrometerHeld::new),

  /** Three {@code registry.counter(name, tags...)} per event, as LangChain4j's listener does. */
  MICROMETER_LOOKUP(null, Contender.MicrometerLookup::new),

  /**
   * {@code ConcurrentHashMap<Key, LongAdder[]>.computeIfAbsent(new Key(tenant, apiKey, model),
   * ...)} and three adds: the key is built per call, as a naive user would.
   */
  NAIVE_MAP(null, Contender.NaiveMap::new),

  /** Three {@code LongAdder}s per series held by the caller: the floor of any bound handle. */
  NAIVE_HELD(null, Contender.NaiveHeld::new);

  private final @Nullable Implementation withoutListener;
  private final Function<SeriesNames, Contender> factory;

  Implementation(
      @Nullable Implementation withoutListener, Function<SeriesNames, Contender> factory) {
    this.withoutListener = withoutListener;
    this.factory = factory;
  }

  /**
   * For a variant with usage-micrometer's listener, the same variant without it, whose time
   * subtracted from this one's is the listener's cost; null for every other implementation.
   */
  public @Nullable Implementation withoutListener() {
    return withoutListener;
  }

  /** The name in lower case, as tables show it and as the parameter was spelled before. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Builds this implementation with every series of {@code names} created. */
  Contender create(SeriesNames names) {
    return factory.apply(names);
  }
}
