package dev.usagestats;

import dev.usagestats.internal.Checks;
import dev.usagestats.internal.Engine;
import dev.usagestats.internal.EngineConfig;
import dev.usagestats.spi.UsageStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The usage engine: records model invocations and answers usage questions exactly.
 *
 * <pre>{@code
 * try (UsageStats stats = UsageStats.builder().build()) {
 *   stats.record("acme", "key-7f3a", "public/deepseek-r1", 1200, 350);
 *   UsageReport r = stats.query(UsageQuery.lastTwoWeeks());
 *   System.out.println(r.totals().totalKTokens() + " K tokens");
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li><b>Thread-safe.</b> Any thread may record, query, flush or close at any time.
 *   <li><b>Wait-free, allocation-free recording</b> once a series exists: {@code record} never
 *       takes a lock, never blocks on I/O, never waits for a query or a flush. The exception is an
 *       event whose minute finds no free slot in the current flush interval (a timestamp well in
 *       the past, or a flush interval over two minutes): it adds into a spill cell per (series,
 *       minute), which may briefly lock and allocate once per cell, never per event.
 *   <li><b>Exact.</b> Tokens are summed as {@code long}s; nothing is sampled.
 *   <li><b>Never torn.</b> An event's calls, input and output land in one snapshot together.
 *   <li><b>Live.</b> A query counts every event recorded before it started.
 *   <li><b>Time of an event.</b> {@link #record(UsageEvent)} uses the event's timestamp. The other
 *       record calls use the current UTC minute: with the system clock (the default) a ticker
 *       thread keeps it, waking at each minute boundary, so an event recorded within the ticker's
 *       wake-up delay after a boundary (typically well under a millisecond; longer under a
 *       stop-the-world pause or a clock step) counts in the minute before. Any other clock is read
 *       on every record.
 *   <li><b>Bad arguments</b> throw {@link IllegalArgumentException} or {@link NullPointerException}
 *       naming the field and the value, and record nothing. Failures of a store or a listener never
 *       reach the caller of {@code record}.
 * </ul>
 */
public final class UsageStats implements AutoCloseable {
  private final Engine engine;

  private UsageStats(Engine engine) {
    this.engine = engine;
  }

  /**
   * Records one event at its own timestamp. The timestamp may be up to {@code maxFutureSkew} ahead
   * of the clock, and, without a store, no older than {@code retention}.
   *
   * @throws IllegalArgumentException if the timestamp is out of range; nothing is recorded
   */
  public void record(UsageEvent event) {
    engine.record(event);
  }

  /**
   * Records one successful invocation now: the hot-path form with no event object.
   *
   * @throws IllegalArgumentException if a name or count is invalid; nothing is recorded
   * @throws NullPointerException if a name is null; nothing is recorded
   */
  public void record(
      String tenant, String apiKey, String model, long inputTokens, long outputTokens) {
    engine.record(
        tenant, apiKey, model, inputTokens, outputTokens, 0, 0, 0, Outcome.SUCCESS, -1, -1);
  }

  /**
   * Records one invocation now, with all counts.
   *
   * @throws IllegalArgumentException if a name or count is invalid; nothing is recorded
   * @throws NullPointerException if a name or the outcome is null; nothing is recorded
   */
  public void record(
      String tenant,
      String apiKey,
      String model,
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long reasoningTokens,
      Outcome outcome) {
    engine.record(
        tenant,
        apiKey,
        model,
        inputTokens,
        outputTokens,
        cachedInputTokens,
        0,
        reasoningTokens,
        outcome,
        -1,
        -1);
  }

  /**
   * Records one invocation now, with every count: cached-read and cache-creation tokens are parts
   * of the input tokens (together at most the input), reasoning tokens part of the output.
   *
   * <pre>{@code
   * // Anthropic: input_tokens=50, cache_read_input_tokens=1000, cache_creation_input_tokens=200
   * stats.record("acme", keyId, "claude-sonnet-4", 1250, 300, 1000, 200, 0, Outcome.SUCCESS);
   * }</pre>
   *
   * @throws IllegalArgumentException if a name or count is invalid; nothing is recorded
   * @throws NullPointerException if a name or the outcome is null; nothing is recorded
   */
  public void record(
      String tenant,
      String apiKey,
      String model,
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long cacheCreationInputTokens,
      long reasoningTokens,
      Outcome outcome) {
    engine.record(
        tenant,
        apiKey,
        model,
        inputTokens,
        outputTokens,
        cachedInputTokens,
        cacheCreationInputTokens,
        reasoningTokens,
        outcome,
        -1,
        -1);
  }

  /**
   * Records one invocation now, with every count and its latency: the total duration and, for a
   * streamed response, the time to its first token, in nanoseconds, each {@link
   * UsageSeries#NO_LATENCY} when not known (which is not the same as 0). Latency is kept to the
   * millisecond, up to one hour (see {@link LatencyHistogram}).
   *
   * <pre>{@code
   * long start = System.nanoTime();
   * // ... call the model, note System.nanoTime() at the first streamed chunk ...
   * stats.record("acme", keyId, "public/deepseek-r1", 1200, 350, 0, 0, 120, Outcome.SUCCESS,
   *     System.nanoTime() - start, firstChunk - start);
   * }</pre>
   *
   * @throws IllegalArgumentException if a name, count or latency is invalid (negative other than
   *     -1, over an hour, time to first token over the duration); nothing is recorded
   * @throws NullPointerException if a name or the outcome is null; nothing is recorded
   */
  public void record(
      String tenant,
      String apiKey,
      String model,
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long cacheCreationInputTokens,
      long reasoningTokens,
      Outcome outcome,
      long durationNanos,
      long timeToFirstTokenNanos) {
    engine.record(
        tenant,
        apiKey,
        model,
        inputTokens,
        outputTokens,
        cachedInputTokens,
        cacheCreationInputTokens,
        reasoningTokens,
        outcome,
        durationNanos,
        timeToFirstTokenNanos);
  }

  /**
   * A handle bound to one series. Creating it creates the series (or, past the cap, binds the
   * overflow series).
   *
   * @throws IllegalArgumentException if a name is invalid
   */
  public UsageSeries series(String tenant, String apiKey, String model) {
    return engine.series(tenant, apiKey, model);
  }

  /**
   * Answers a query: every event recorded before the call is counted exactly once. A range that
   * starts before the oldest usage still kept (past the store's retention, or past {@code
   * retention} in memory without a store) is answered with what is left, and the report says from
   * when it is complete ({@link UsageReport#incompleteBefore()}).
   *
   * @throws IllegalArgumentException if the range cannot be answered (for example MINUTE buckets
   *     older than {@code minuteRetention} without a store, or compacted in the store)
   * @throws UsageStoreException if the store cannot be read
   */
  public UsageReport query(UsageQuery query) {
    return engine.query(query);
  }

  /**
   * Where usage spiked and responses slowed together, for the query's range, filters and grouping:
   * {@link Diagnosis#of} over {@link #query}'s report, with the default thresholds.
   *
   * @throws IllegalArgumentException as {@link #query} does
   */
  public Diagnosis diagnose(UsageQuery query) {
    return Diagnosis.of(query(query));
  }

  /**
   * Answers a capacity-planning question: a week (or month) against the one before, per model or
   * API key, with peak rates, change, share and rank. Two queries over the same range, one grouped
   * and one not, turned into a plan by {@link PlanningReport#of}.
   *
   * <pre>{@code
   * PlanningReport week = stats.plan(PlanningQuery.builder().zone(zone).build());
   * week.gone(); // models used last week and not this week
   * }</pre>
   *
   * @throws IllegalArgumentException if the range cannot be answered (see {@link #query})
   * @throws UsageStoreException if the store cannot be read
   */
  public PlanningReport plan(PlanningQuery query) {
    java.util.Objects.requireNonNull(query, "query");
    UsageQuery grouped = query.toUsageQuery(engine.now());
    UsageQuery.Builder all =
        UsageQuery.builder()
            .zone(grouped.zone())
            .from(java.util.Objects.requireNonNull(grouped.from()))
            .to(java.util.Objects.requireNonNull(grouped.to()))
            .granularity(grouped.granularity())
            .groupBy(GroupBy.NONE);
    if (query.tenant() != null) all.tenant(query.tenant());
    return PlanningReport.of(engine.query(grouped), engine.query(all.build()));
  }

  /**
   * Puts {@code book} in force: later queries without a book of their own are priced with it. The
   * swap is atomic: a query sees the old book or the new one, whole; a book that is refused leaves
   * the book in force in force.
   *
   * <pre>{@code
   * stats.priceBook(PriceFiles.load(path).book()); // reload prices without a restart
   * }</pre>
   *
   * @throws IllegalArgumentException if one of the engine's model names is ambiguous in the book
   */
  public void priceBook(PriceBook book) {
    engine.priceBook(book);
  }

  /** The price book in force, or null if none. */
  public @Nullable PriceBook priceBook() {
    return engine.priceBook();
  }

  /**
   * A query builder preset with this engine's default zone.
   *
   * <pre>{@code
   * UsageReport r = stats.query(stats.newQuery().day(LocalDate.now()).build());
   * }</pre>
   */
  public UsageQuery.Builder newQuery() {
    return engine.newQuery();
  }

  /**
   * Moves what was recorded into the rollups and, with a store, writes pending batches now. Never
   * throws for store failures: a failed batch stays pending and is retried.
   */
  public void flush() {
    engine.flush();
  }

  /** The engine's health counters. */
  public EngineStats stats() {
    return engine.stats();
  }

  /**
   * Stops the background flusher, flushes everything (writing pending batches to the store,
   * retrying for up to {@code closeTimeout}) and closes the store. Idempotent. Recording after
   * close is ignored and counted as rejected.
   */
  @Override
  public void close() {
    engine.close();
  }

  /** A builder with the defaults described on each setter. */
  /** The largest series cap: 4,000,000. */
  public static final int MAX_SERIES = 4_000_000;

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link UsageStats}. Each setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    Clock clock = Clock.systemUTC();
    ZoneId defaultZone = ZoneOffset.UTC;
    Duration retention = Duration.ofDays(15);
    Duration minuteRetention = Duration.ofHours(3);
    int maxSeries = 10_000;
    Duration maxFutureSkew = Duration.ofMinutes(5);
    Duration flushInterval = Duration.ofSeconds(5);
    Duration closeTimeout = Duration.ofSeconds(10);
    @Nullable UsageStore store;
    final List<UsageListener> listeners = new ArrayList<>();
    String nodeId = UUID.randomUUID().toString();
    long maxPendingRows = 500_000;
    Instant earliestTimestamp = Instant.parse("2000-01-01T00:00:00Z");
    ApiKeyPolicy apiKeyPolicy = ApiKeyPolicy.REFUSE;
    @Nullable PriceBook priceBook;

    private Builder() {}

    /** The clock events and queries are timed by (default {@link Clock#systemUTC()}). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The zone {@link UsageStats#newQuery()} starts with (default UTC). */
    public Builder defaultZone(ZoneId defaultZone) {
      this.defaultZone = Objects.requireNonNull(defaultZone, "defaultZone");
      return this;
    }

    /**
     * How long memory keeps 15-minute rollups (default 15 days). Without a store, events older than
     * this are refused, and a report reaching further back than memory holds counts what is left
     * and says from when it is complete ({@link UsageReport#incompleteBefore()}). Memory per active
     * series is about 2.9 KB per retained day (5.8 KB when errors, cached and reasoning tokens
     * occur).
     */
    public Builder retention(Duration retention) {
      this.retention = Checks.positive("retention", retention);
      return this;
    }

    /** How long memory keeps 1-minute rollups for MINUTE queries (default 3 hours). */
    public Builder minuteRetention(Duration minuteRetention) {
      this.minuteRetention = Checks.positive("minuteRetention", minuteRetention);
      return this;
    }

    /**
     * The most series (tenant, key, model) kept apart (default 10,000). Events of further series go
     * to one overflow series, so totals stay exact.
     */
    public Builder maxSeries(int maxSeries) {
      this.maxSeries = Checks.atLeast("maxSeries", maxSeries, 1);
      if (maxSeries > MAX_SERIES) {
        throw new IllegalArgumentException("maxSeries must be <= " + MAX_SERIES + ": " + maxSeries);
      }
      return this;
    }

    /** How far ahead of the clock an event's timestamp may be (default 5 minutes). */
    public Builder maxFutureSkew(Duration maxFutureSkew) {
      this.maxFutureSkew = Checks.notNegative("maxFutureSkew", maxFutureSkew);
      return this;
    }

    /**
     * How often the background flusher runs (default 5 seconds); {@link Duration#ZERO} runs none,
     * leaving flushes to {@link UsageStats#flush()}, queries and {@code close()}.
     */
    public Builder flushInterval(Duration flushInterval) {
      this.flushInterval = Checks.notNegative("flushInterval", flushInterval);
      return this;
    }

    /** How long {@code close()} keeps retrying pending batches (default 10 seconds). */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = Checks.notNegative("closeTimeout", closeTimeout);
      return this;
    }

    /** A durable store; without one, history lives in memory for {@code retention}. */
    public Builder store(UsageStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Adds a listener that hears every recorded event (for example a Micrometer exporter). */
    public Builder listener(UsageListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** This node's id in batch ids (default a random UUID). Must be unique per running node. */
    public Builder nodeId(String nodeId) {
      this.nodeId = Checks.name("nodeId", nodeId);
      return this;
    }

    /**
     * The most rollup rows (series x minute) held for the store while it is slow or down (default
     * 500,000, roughly 100 MB). Past half of it, new rows are kept per 15 minutes instead of per
     * minute (hour, day, week and month totals stay exact in every zone; MINUTE buckets lose
     * detail); at the cap, further deltas are dropped, counted and logged.
     */
    public Builder maxPendingRows(long maxPendingRows) {
      if (maxPendingRows < 2) {
        throw new IllegalArgumentException("maxPendingRows must be >= 2: " + maxPendingRows);
      }
      this.maxPendingRows = maxPendingRows;
      return this;
    }

    /**
     * Events dated before this instant are refused as bad input (default 2000-01-01T00:00:00Z): a
     * timestamp from year 1 or 1970 is a caller's bug, not usage.
     */
    public Builder earliestTimestamp(Instant earliestTimestamp) {
      Objects.requireNonNull(earliestTimestamp, "earliestTimestamp");
      if (earliestTimestamp.isBefore(Checks.MIN_QUERY_INSTANT)
          || earliestTimestamp.isAfter(Checks.MAX_QUERY_INSTANT)) {
        throw new IllegalArgumentException(
            "earliestTimestamp must be between "
                + Checks.MIN_QUERY_INSTANT
                + " and "
                + Checks.MAX_QUERY_INSTANT
                + ": "
                + earliestTimestamp);
      }
      this.earliestTimestamp = earliestTimestamp;
      return this;
    }

    /**
     * What to do with an API key id that looks like a provider secret ({@link
     * ApiKeys#looksLikeSecret}): {@link ApiKeyPolicy#REFUSE} (the default), {@link
     * ApiKeyPolicy#FINGERPRINT} or {@link ApiKeyPolicy#ALLOW}.
     */
    public Builder apiKeyPolicy(ApiKeyPolicy apiKeyPolicy) {
      this.apiKeyPolicy = Objects.requireNonNull(apiKeyPolicy, "apiKeyPolicy");
      return this;
    }

    /**
     * The prices reports are costed with (default none: reports carry no cost); a query may bring
     * its own book, and {@link UsageStats#priceBook(PriceBook)} swaps this one later.
     */
    public Builder priceBook(PriceBook priceBook) {
      this.priceBook = Objects.requireNonNull(priceBook, "priceBook");
      return this;
    }

    /**
     * Builds and starts the engine.
     *
     * @throws IllegalStateException if minuteRetention exceeds retention
     */
    public UsageStats build() {
      if (minuteRetention.compareTo(retention) > 0) {
        throw new IllegalStateException(
            "minuteRetention must not exceed retention: minuteRetention="
                + minuteRetention
                + ", retention="
                + retention);
      }
      return new UsageStats(
          new Engine(
              new EngineConfig(
                  clock,
                  defaultZone,
                  retention,
                  minuteRetention,
                  maxSeries,
                  maxFutureSkew,
                  flushInterval,
                  closeTimeout,
                  store,
                  listeners,
                  nodeId,
                  maxPendingRows,
                  earliestTimestamp,
                  apiKeyPolicy,
                  priceBook)));
    }
  }
}
