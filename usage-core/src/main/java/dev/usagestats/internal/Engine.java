package dev.usagestats.internal;

import dev.usagestats.EngineStats;
import dev.usagestats.Outcome;
import dev.usagestats.PriceBook;
import dev.usagestats.SeriesView;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageSeries;
import dev.usagestats.spi.UsageStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;

/**
 * The engine behind {@code UsageStats}: a thin composition of parts with one job each. Not public
 * API: build one with {@code UsageStats.builder()}.
 *
 * <pre>
 * Design notes
 *
 * Parts. SeriesTable (names to series, the cap and the overflow series); Recording (argument
 * checks, lookup, listeners) over IntervalRecorder (phase gate, cells, spills, drain); MinuteClock
 * (the current minute); a Backend, memory rollups or a store with its pending rows and Flusher;
 * QueryPlanner (range, granularity, buckets); ReportAccumulator (sums into a report).
 *
 * Draining. Under drainLock one thread drains the recorder into the backend. A query drains first
 * and begins its read under the same lock, so it sees every event recorded before it began, and
 * since a whole event lands in one phase, it never sees half of one. A store read then finishes
 * outside the lock.
 *
 * Close. The recorder is closed, then drained: a writer reads the closed flag inside the gate, so
 * any writer that could still record has exited before the final drain. One deadline
 * (closeTimeout) bounds all of close(), a hung store write included.
 * </pre>
 *
 * <p>Thread-safe: any thread may record, query, flush or close at any time.
 */
public final class Engine {
  private static final long IDLE_DRAIN_MS = 10_000L;

  private final EngineConfig config;
  private final Health health = new Health();
  private final SeriesTable table;
  private final IntervalRecorder recorder;
  private final MinuteClock clock;
  private final Backend backend;
  private final Recording recording;
  private final QueryPlanner planner;
  private final PeakSums peakSums;
  private final ReentrantLock drainLock = new ReentrantLock();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final ScheduledExecutorService background;
  private volatile @Nullable PriceBook priceBook;

  /** Builds and starts the engine: its minute clock and background flusher. */
  public Engine(EngineConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    int stripes = IntervalRecorder.stripes();
    this.table =
        new SeriesTable(
            config.maxSeries(), config.apiKeyPolicy(), stripes, config.listeners(), health);
    this.recorder = new IntervalRecorder(stripes, table);
    this.backend = backend(config, table);
    this.peakSums = new PeakSums(backend, table.allAggregate());
    this.clock = new MinuteClock(config.clock());
    this.recording =
        new Recording(
            table,
            recorder,
            clock,
            health,
            config.maxFutureSkew(),
            config.earliestTimestamp(),
            backend);
    this.planner = new QueryPlanner(config.minuteRetention());
    this.priceBook = config.priceBook();
    this.background = DaemonThreads.scheduler("usagestats-flusher");
    long interval = config.flushInterval().toMillis();
    long period = interval > 0 ? interval : IDLE_DRAIN_MS;
    background.scheduleWithFixedDelay(
        () -> background(interval > 0), period, period, TimeUnit.MILLISECONDS);
  }

  private static Backend backend(EngineConfig config, SeriesTable table) {
    UsageStore store = config.store();
    if (store == null) {
      return new MemoryBackend(
          table, config.retention(), config.minuteRetention(), config.maxFutureSkew());
    }
    PendingBuffer pending = new PendingBuffer(config.nodeId(), config.maxPendingRows());
    ReadWriteLock splitLock = new ReentrantReadWriteLock();
    Flusher flusher =
        new Flusher(
            store,
            pending,
            splitLock,
            config.clock(),
            config.flushInterval(),
            config.closeTimeout());
    return new StoreBackend(store, pending, splitLock, flusher);
  }

  // ---------------------------------------------------------------- recording

  public void record(UsageEvent event) {
    recording.record(event);
  }

  public void record(
      String tenant,
      String apiKey,
      String model,
      long input,
      long output,
      long cached,
      long cacheCreation,
      long reasoning,
      Outcome outcome,
      long durationNanos,
      long firstTokenNanos) {
    recording.recordNow(
        tenant,
        apiKey,
        model,
        input,
        output,
        cached,
        cacheCreation,
        reasoning,
        outcome,
        durationNanos,
        firstTokenNanos);
  }

  public UsageSeries series(String tenant, String apiKey, String model) {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(model, "model");
    return new SeriesHandle(recording, table.findOrCreate(tenant, apiKey, model));
  }

  // ---------------------------------------------------------------- draining and flushing

  private void drain() {
    drainLock.lock();
    try {
      drainLocked();
    } finally {
      drainLock.unlock();
    }
  }

  /** Drains the recorder into the backend, the peak aggregates after the series. */
  private void drainLocked() {
    recorder.drain(peakSums);
    peakSums.finish();
  }

  private void background(boolean send) {
    try {
      drain();
      if (send) backend.send(false, Flusher.NO_DEADLINE);
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError e) throw e;
      Health.LOG.warn("usage flush failed", t);
    }
  }

  public void flush() {
    drain();
    backend.send(true, Flusher.NO_DEADLINE);
  }

  public void close() {
    if (!closing.compareAndSet(false, true)) return;
    recorder.close();
    // One deadline for all of close(): a store write that hangs (a socket without a timeout)
    // must not hold the caller longer than closeTimeout.
    long deadline = System.nanoTime() + config.closeTimeout().toNanos();
    clock.close();
    background.shutdown();
    try {
      if (!background.awaitTermination(
          Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        background.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drain();
    backend.close(deadline);
  }

  public EngineStats stats() {
    FlushStats f = backend.flushStats();
    return new EngineStats(
        table.seriesCount(),
        health.overflowEvents.get(),
        health.rejected.get(),
        health.listenerFailures.get(),
        f.pendingRows(),
        f.coarsenedRows(),
        f.droppedCalls(),
        f.droppedTokens(),
        f.refusedRows(),
        f.refusedCalls(),
        f.failedFlushes(),
        f.lastGoodFlush());
  }

  // ---------------------------------------------------------------- querying

  /** Now, by the engine's clock. */
  public Instant now() {
    return config.clock().instant();
  }

  /**
   * Puts {@code book} in force for later queries, after checking that none of the engine's model
   * names is ambiguous in it; a query running meanwhile keeps the book it started with.
   *
   * @throws IllegalArgumentException if a model name of the engine is ambiguous in the book; the
   *     book in force stays in force
   */
  public void priceBook(PriceBook book) {
    Objects.requireNonNull(book, "priceBook");
    book.checkModels(modelNames());
    this.priceBook = book;
  }

  public @Nullable PriceBook priceBook() {
    return priceBook;
  }

  private List<String> modelNames() {
    int n = table.count();
    Series[] all = table.array();
    List<String> names = new ArrayList<>(n);
    for (int i = 0; i < n; i++) names.add(all[i].key.model());
    return names;
  }

  public UsageQuery.Builder newQuery() {
    return UsageQuery.builder().zone(config.defaultZone());
  }

  public UsageReport query(UsageQuery query) {
    Objects.requireNonNull(query, "query");
    if (recorder.isClosed()) throw new IllegalStateException("usage stats are closed");
    PriceBook book = query.priceBook() != null ? query.priceBook() : priceBook;
    if (book == null && query.view() == SeriesView.COST) {
      throw new IllegalArgumentException(
          "view COST needs a price book, on the engine or the query: none is set");
    }
    long now = config.clock().millis();
    ReportAccumulator acc = new ReportAccumulator(planner.plan(query, now), query, book);
    try {
      Backend.Read rest;
      drainLock.lock();
      try {
        drainLocked();
        rest = backend.begin(acc);
      } finally {
        drainLock.unlock();
      }
      rest.finish();
      return acc.build(query, Instant.ofEpochMilli(now));
    } catch (ArithmeticException e) {
      // Every sum across series is checked: a report never shows a wrapped number.
      throw new IllegalArgumentException(
          "query must select sums within "
              + Long.MAX_VALUE
              + " (a report total would pass it): narrow the range or the filters, or group"
              + " finer",
          e);
    }
  }
}
