package dev.usagestats.internal;

import dev.usagestats.EngineStats;
import dev.usagestats.Granularity;
import dev.usagestats.Outcome;
import dev.usagestats.SeriesKey;
import dev.usagestats.StoreRead;
import dev.usagestats.StoreResult;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageListener;
import dev.usagestats.UsageListener.SeriesListener;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageSeries;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link UsageStats}. Not public API: build one with {@link
 * UsageStats#builder()}.
 *
 * <pre>
 * Design notes
 *
 * Recording. A series (tenant, key, model) is found without locks or allocation (SeriesIndex).
 * The writer enters the PhaseGate on its stripe, adds into the series' cells of the active phase
 * for the event's UTC minute, and exits: a handful of atomic adds, wait-free. A late event whose
 * minute finds no free slot in the phase adds into a per-phase spill cell for its (series,
 * minute), created on first use: bounded by series x minutes, never by events. Listeners run
 * after, each in its own try/catch.
 *
 * Draining. Under drainLock one thread flips the gate, which waits out writers of the previous
 * phase, then moves that phase's counts into the memory rollups (no store) or into the pending
 * buffer (with a store). A query drains first, so it sees every event recorded before it began,
 * and since a whole event lands in one phase, it never sees half of one.
 *
 * Memory rollups. One-minute slots kept for minuteRetention (MINUTE queries) and 15-minute slots
 * kept for retention (everything else: every real zone offset is a multiple of 15 minutes, so
 * any local hour, day, week or month is a union of 15-minute slots).
 *
 * Store. Pending batches are sent by the flusher one at a time (sendLock) with backoff. A query
 * reads the store and the pending batches the store reports as not applied, from one store
 * snapshot, so nothing counts twice.
 *
 * Close. closed is set, then a flip: a writer reads closed inside the gate, so any writer that
 * could still record has exited before the final drain.
 * </pre>
 */
public final class Engine implements UsageStats {
  private static final Logger LOG = LoggerFactory.getLogger(UsageStats.class);
  private static final long MINUTE_MS = 60_000L;
  private static final long QUARTER_MS = 15 * MINUTE_MS;
  private static final long IDLE_DRAIN_MS = 10_000L;
  private static final long MAX_BACKOFF_MS = 60_000L;
  private static final long NO_DEADLINE = Long.MIN_VALUE;

  private final Clock clock;
  private final ZoneId defaultZone;
  private final Duration retention;
  private final Duration minuteRetention;
  private final int maxSeries;
  private final long maxFutureSkewMillis;
  private final long flushIntervalMillis;
  private final Duration closeTimeout;
  private final @Nullable UsageStore store;
  private final List<UsageListener> listeners;

  private final int stripes;
  private final int stripeMask;
  private final PhaseGate gate;
  private final SeriesIndex index = new SeriesIndex();
  private final Object createLock = new Object();
  private volatile Series[] all = new Series[16];
  private volatile int seriesCount;
  private volatile boolean full;
  private volatile @Nullable Series overflowSeries;
  private final ConcurrentHashMap<Long, Spill>[] spills;

  private final ReentrantLock drainLock = new ReentrantLock();
  private final ReentrantLock sendLock = new ReentrantLock();
  private final long[] scratch = new long[Series.FIELDS];
  private final @Nullable MemoryRollups minutes;
  private final @Nullable MemoryRollups quarters;
  private final PendingBuffer pending;
  private final Series.DeltaSink sink;

  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong overflowEvents = new AtomicLong();
  private final AtomicLong listenerFailures = new AtomicLong();
  private final AtomicLong failedFlushes = new AtomicLong();
  private volatile long lastGoodFlush = Long.MIN_VALUE;
  private int consecutiveFailures; // guarded by sendLock
  private long nextSendAt = Long.MIN_VALUE; // guarded by sendLock
  private final RateLimitedLog listenerLog = new RateLimitedLog(LOG, TimeUnit.MINUTES.toNanos(1));
  private final RateLimitedLog storeLog = new RateLimitedLog(LOG, TimeUnit.MINUTES.toNanos(1));

  /** True when the clock is the system clock: the minute then comes from {@link #ticker}. */
  private final boolean tickerClock;

  private volatile long currentMinute;
  private final @Nullable Thread ticker;

  private volatile boolean closed;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final ScheduledExecutorService flusher;

  /**
   * Counts of one series in one minute that found no free slot in the phase (late events): one per
   * (series, minute) and phase, so they grow with series x minutes, not with events.
   */
  private record Spill(Series series, long minuteMillis, AtomicLongArray fields) {
    void add(long errors, long input, long output, long cached, long reasoning) {
      fields.getAndIncrement(Series.CALLS);
      fields.getAndAdd(Series.ERRORS, errors);
      fields.getAndAdd(Series.INPUT, input);
      fields.getAndAdd(Series.OUTPUT, output);
      fields.getAndAdd(Series.CACHED, cached);
      fields.getAndAdd(Series.REASONING, reasoning);
    }
  }

  /** Called by {@link UsageStats.Builder#build()}, which has checked every argument. */
  @SuppressWarnings("unchecked")
  public Engine(
      Clock clock,
      ZoneId defaultZone,
      Duration retention,
      Duration minuteRetention,
      int maxSeries,
      Duration maxFutureSkew,
      Duration flushInterval,
      Duration closeTimeout,
      @Nullable UsageStore store,
      List<UsageListener> listeners,
      String nodeId,
      long maxPendingRows) {
    this.clock = clock;
    this.defaultZone = defaultZone;
    this.retention = retention;
    this.minuteRetention = minuteRetention;
    this.maxSeries = maxSeries;
    this.maxFutureSkewMillis = maxFutureSkew.toMillis();
    this.flushIntervalMillis = flushInterval.toMillis();
    this.closeTimeout = closeTimeout;
    this.store = store;
    this.listeners = List.copyOf(listeners);

    int cpus = Runtime.getRuntime().availableProcessors();
    int s = Integer.highestOneBit(Math.max(4, cpus) * 2 - 1);
    this.stripes = Math.min(s, 8);
    this.stripeMask = stripes - 1;
    this.gate = new PhaseGate(stripes);
    this.spills = new ConcurrentHashMap[] {new ConcurrentHashMap<>(), new ConcurrentHashMap<>()};

    this.pending = new PendingBuffer(nodeId, maxPendingRows);
    if (store == null) {
      // The rings span retention plus maxFutureSkew, so an event dated ahead never evicts the
      // present.
      long skew = maxFutureSkew.toMillis();
      int minuteRing = (int) ceilDiv(minuteRetention.toMillis() + skew, 60 * MINUTE_MS) + 2;
      int quarterRing = (int) ceilDiv(retention.toMillis() + skew, 96 * QUARTER_MS) + 2;
      MemoryRollups m = new MemoryRollups(MINUTE_MS, 60, 15, minuteRing);
      MemoryRollups q = new MemoryRollups(QUARTER_MS, 96, 4, quarterRing);
      this.minutes = m;
      this.quarters = q;
      this.sink =
          (series, minuteMillis, fields) -> {
            m.add(series.id, minuteMillis, fields);
            q.add(series.id, minuteMillis, fields);
          };
    } else {
      this.minutes = null;
      this.quarters = null;
      PendingBuffer p = pending;
      this.sink = (series, minuteMillis, fields) -> p.add(series.key, minuteMillis, fields);
    }

    this.flusher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "usagestats-flusher");
              t.setDaemon(true);
              return t;
            });
    this.tickerClock = clock.getClass() == Clock.systemUTC().getClass();
    this.currentMinute = Math.floorDiv(clock.millis(), MINUTE_MS);
    if (tickerClock) {
      Thread t = new Thread(this::tick, "usagestats-clock");
      t.setDaemon(true);
      t.start();
      this.ticker = t;
    } else {
      this.ticker = null;
    }
    long period = flushIntervalMillis > 0 ? flushIntervalMillis : IDLE_DRAIN_MS;
    flusher.scheduleWithFixedDelay(this::background, period, period, TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- recording

  /**
   * The current UTC minute. Reading the system clock costs about as much as the rest of a record on
   * some machines, and a record needs only the minute, so with the system clock a ticker thread
   * keeps it: it wakes at each minute boundary (and at least every second, to follow clock steps).
   * An event within the ticker's wake-up delay after a boundary (typically well under a
   * millisecond) counts in the minute before. Any other clock is read on every record.
   */
  private long nowMinute() {
    return tickerClock ? currentMinute : Math.floorDiv(clock.millis(), MINUTE_MS);
  }

  private void tick() {
    while (!closed) {
      long now = clock.millis();
      currentMinute = Math.floorDiv(now, MINUTE_MS);
      long toNext = MINUTE_MS - Math.floorMod(now, MINUTE_MS);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(toNext, 1000)));
    }
  }

  @Override
  public void record(
      String tenant, String apiKey, String model, long inputTokens, long outputTokens) {
    record(tenant, apiKey, model, inputTokens, outputTokens, 0, 0, Outcome.SUCCESS);
  }

  @Override
  public void record(
      String tenant,
      String apiKey,
      String model,
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long reasoningTokens,
      Outcome outcome) {
    checkCounts(inputTokens, outputTokens, cachedInputTokens, reasoningTokens, outcome);
    Series s = lookupForRecord(tenant, apiKey, model);
    add(s, nowMinute(), inputTokens, outputTokens, cachedInputTokens, reasoningTokens, outcome);
  }

  @Override
  public void record(UsageEvent event) {
    Objects.requireNonNull(event, "event");
    long ts = event.timestamp().toEpochMilli();
    long now = clock.millis();
    if (ts > now + maxFutureSkewMillis) {
      rejected.incrementAndGet();
      throw new IllegalArgumentException(
          "timestamp must be at most "
              + Duration.ofMillis(maxFutureSkewMillis)
              + " after now ("
              + Instant.ofEpochMilli(now)
              + "): "
              + event.timestamp());
    }
    if (store == null && ts < now - retention.toMillis()) {
      rejected.incrementAndGet();
      throw new IllegalArgumentException(
          "timestamp must be within retention "
              + retention
              + " of now ("
              + Instant.ofEpochMilli(now)
              + "): "
              + event.timestamp());
    }
    Series s = lookupForRecord(event.tenant(), event.apiKey(), event.model());
    add(
        s,
        Math.floorDiv(ts, MINUTE_MS),
        event.inputTokens(),
        event.outputTokens(),
        event.cachedInputTokens(),
        event.reasoningTokens(),
        event.outcome());
  }

  @Override
  public UsageSeries series(String tenant, String apiKey, String model) {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(model, "model");
    Series s = index.get(tenant, apiKey, model);
    return s != null ? s : create(tenant, apiKey, model);
  }

  /** The bound handle's path: checks the counts, then records now. */
  void recordNow(
      Series series, long input, long output, long cached, long reasoning, Outcome outcome) {
    checkCounts(input, output, cached, reasoning, outcome);
    add(series, nowMinute(), input, output, cached, reasoning, outcome);
  }

  private void checkCounts(long input, long output, long cached, long reasoning, Outcome outcome) {
    if ((input | output | cached | reasoning) < 0
        || input > Checks.MAX_TOKENS
        || output > Checks.MAX_TOKENS
        || cached > input
        || reasoning > output
        || outcome == null) {
      rejected.incrementAndGet();
      Checks.tokens(input, output, cached, reasoning);
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  private Series lookupForRecord(String tenant, String apiKey, String model) {
    if (tenant == null || apiKey == null || model == null) {
      rejected.incrementAndGet();
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(apiKey, "apiKey");
      Objects.requireNonNull(model, "model");
    }
    Series s = index.get(tenant, apiKey, model);
    if (s != null) return s;
    try {
      return create(tenant, apiKey, model);
    } catch (IllegalArgumentException e) {
      rejected.incrementAndGet();
      throw e;
    }
  }

  private void add(
      Series series,
      long minute,
      long input,
      long output,
      long cached,
      long reasoning,
      Outcome outcome) {
    long errors = outcome == Outcome.ERROR ? 1 : 0;
    // Thread ids are handed out in sequence, so threads started together (a pool) get different
    // stripes, up to the number of stripes; a hash of the id would collide by chance.
    int stripe = (int) Thread.currentThread().getId() & stripeMask;
    long v = gate.enter(stripe);
    try {
      if (closed) {
        rejected.incrementAndGet();
        return;
      }
      int phase = PhaseGate.phaseOf(v);
      if (!series.add(phase, stripe, minute, errors, input, output, cached, reasoning)) {
        spill(phase, series, minute).add(errors, input, output, cached, reasoning);
      }
    } finally {
      gate.exit(stripe, v);
    }
    if (series.overflow) overflowEvents.incrementAndGet();
    SeriesListener[] ls = series.listeners;
    for (SeriesListener l : ls) {
      try {
        l.onRecord(input, output, cached, reasoning, outcome);
      } catch (Throwable t) {
        if (t instanceof VirtualMachineError) throw (VirtualMachineError) t;
        listenerFailures.incrementAndGet();
        listenerLog.warn("usage listener failed for " + series.key, t);
      }
    }
  }

  private Spill spill(int phase, Series series, long minute) {
    Long key = ((long) series.id << 32) | (minute & 0xFFFF_FFFFL);
    Spill cell = spills[phase].get(key);
    if (cell != null) return cell;
    return spills[phase].computeIfAbsent(
        key, k -> new Spill(series, minute * MINUTE_MS, new AtomicLongArray(Series.FIELDS)));
  }

  private Series create(String tenant, String apiKey, String model) {
    Checks.name("tenant", tenant);
    Checks.name("apiKey", apiKey);
    Checks.name("model", model);
    if (full) return overflow();
    synchronized (createLock) {
      Series s = index.get(tenant, apiKey, model);
      if (s != null) return s;
      if (regularCount() >= maxSeries) {
        full = true;
        return overflow();
      }
      s = newSeries(new SeriesKey(tenant, apiKey, model));
      index.put(s);
      return s;
    }
  }

  private int regularCount() {
    return seriesCount - (overflowSeries == null ? 0 : 1);
  }

  private Series overflow() {
    Series o = overflowSeries;
    if (o != null) return o;
    synchronized (createLock) {
      o = overflowSeries;
      if (o == null) {
        o = newSeries(SeriesKey.OVERFLOW_KEY);
        overflowSeries = o;
        LOG.warn(
            "usage series cap maxSeries={} reached: further series are counted in the overflow"
                + " series",
            maxSeries);
      }
      return o;
    }
  }

  /** Caller holds createLock. */
  private Series newSeries(SeriesKey key) {
    SeriesListener[] ls = new SeriesListener[listeners.size()];
    int n = 0;
    for (UsageListener l : listeners) {
      try {
        SeriesListener sl = l.forSeries(key);
        if (sl != null) ls[n++] = sl;
      } catch (Throwable t) {
        if (t instanceof VirtualMachineError) throw (VirtualMachineError) t;
        listenerFailures.incrementAndGet();
        listenerLog.warn("usage listener failed to bind " + key, t);
      }
    }
    int id = seriesCount;
    Series s = new Series(this, key, id, stripes, Arrays.copyOf(ls, n));
    Series[] a = all;
    if (id == a.length) a = Arrays.copyOf(a, a.length * 2);
    a[id] = s;
    all = a;
    seriesCount = id + 1;
    return s;
  }

  // ---------------------------------------------------------------- draining and flushing

  /** Moves the active phase into rollups or pending batches. Caller holds drainLock. */
  private void drainLocked() {
    int phase = gate.flip();
    int n = seriesCount;
    Series[] a = all;
    for (int i = 0; i < n; i++) a[i].drain(phase, scratch, sink);
    for (Spill sp : spills[phase].values()) {
      for (int f = 0; f < Series.FIELDS; f++) scratch[f] = sp.fields().get(f);
      sink.accept(sp.series(), sp.minuteMillis(), scratch);
    }
    spills[phase].clear();
  }

  private void drain() {
    drainLock.lock();
    try {
      drainLocked();
    } finally {
      drainLock.unlock();
    }
  }

  private void background() {
    try {
      drain();
      if (store != null && flushIntervalMillis > 0) send(false);
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError) throw (VirtualMachineError) t;
      storeLog.warn("usage flush failed", t);
    }
  }

  /**
   * Sends pending batches, oldest first, until none is left or one fails.
   *
   * @param force ignore the backoff
   * @return true if nothing is pending afterwards
   */
  private boolean send(boolean force) {
    return send(force, NO_DEADLINE);
  }

  /**
   * Like {@link #send(boolean)}, giving up at {@code deadline} (a {@link System#nanoTime()} value):
   * no new batch is started after it, and it waits for a send in progress only until then.
   */
  private boolean send(boolean force, long deadline) {
    UsageStore st = store;
    if (st == null) return true;
    if (deadline == NO_DEADLINE) {
      sendLock.lock();
    } else {
      try {
        if (!sendLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    try {
      if (!force && nextSendAt != Long.MIN_VALUE && System.nanoTime() - nextSendAt < 0) {
        return false;
      }
      PendingBuffer.Batch b;
      while ((b = pending.next()) != null) {
        if (deadline != NO_DEADLINE && System.nanoTime() - deadline >= 0) return false;
        try {
          st.append(pending.toBatch(b));
        } catch (RuntimeException e) {
          failedFlushes.incrementAndGet();
          consecutiveFailures++;
          long backoff =
              Math.min(
                  MAX_BACKOFF_MS,
                  Math.max(100, flushIntervalMillis) << Math.min(consecutiveFailures - 1, 16));
          nextSendAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
          storeLog.warn(
              "usage store write failed; "
                  + pending.rows()
                  + " pending rows kept, retrying in "
                  + backoff
                  + " ms",
              e);
          return false;
        }
        pending.acknowledge(b);
        consecutiveFailures = 0;
        nextSendAt = Long.MIN_VALUE;
        lastGoodFlush = clock.millis();
      }
      return true;
    } finally {
      sendLock.unlock();
    }
  }

  @Override
  public void flush() {
    drain();
    send(true);
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) return;
    closed = true;
    // One deadline for all of close(): a store write that hangs (a socket without a timeout)
    // must not hold the caller longer than closeTimeout.
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    if (ticker != null) LockSupport.unpark(ticker);
    flusher.shutdown();
    try {
      if (!flusher.awaitTermination(
          Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        flusher.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drain();
    UsageStore st = store;
    if (st == null) return;
    long pause = 50;
    while (!send(true, deadline)) {
      if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) break;
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      pause = Math.min(pause * 2, 1000);
    }
    long left = pending.rows();
    if (left > 0) {
      LOG.error(
          "usage store unavailable at close: {} rollup rows were not written after {}",
          left,
          closeTimeout);
    }
    try {
      st.close();
    } catch (RuntimeException e) {
      LOG.warn("usage store failed to close", e);
    }
  }

  @Override
  public EngineStats stats() {
    long good = lastGoodFlush;
    return new EngineStats(
        seriesCount,
        overflowEvents.get(),
        rejected.get(),
        listenerFailures.get(),
        pending.rows(),
        pending.coarsenedRows(),
        pending.droppedCalls(),
        failedFlushes.get(),
        good == Long.MIN_VALUE ? null : Instant.ofEpochMilli(good));
  }

  // ---------------------------------------------------------------- querying

  @Override
  public UsageQuery.Builder newQuery() {
    return UsageQuery.builder().zone(defaultZone);
  }

  @Override
  public UsageReport query(UsageQuery query) {
    Objects.requireNonNull(query, "query");
    if (closed) throw new IllegalStateException("usage stats are closed");
    long now = clock.millis();
    ZoneId zone = query.zone();
    Instant from =
        query.from() != null
            ? query.from()
            : LocalDate.ofInstant(Instant.ofEpochMilli(now), zone)
                .minusDays(13)
                .atStartOfDay(zone)
                .toInstant();
    Instant to = query.to() != null ? query.to() : Instant.ofEpochMilli(now + 1);
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to: from=" + from + ", to=" + to);
    }
    Granularity g = resolve(query.granularity(), from, to, now);
    BucketPlan plan = BucketPlan.of(from, to, zone, g);
    ReportAccumulator acc = new ReportAccumulator(plan, query);
    if (store == null) {
      drainLock.lock();
      try {
        drainLocked();
        readMemory(acc, g == Granularity.MINUTE ? minutes : quarters);
      } finally {
        drainLock.unlock();
      }
    } else {
      List<PendingBuffer.Snapshot> unsent;
      drainLock.lock();
      try {
        drainLocked();
        unsent = pending.snapshot();
      } finally {
        drainLock.unlock();
      }
      readStore(acc, store, query, unsent);
    }
    return acc.build(query, Instant.ofEpochMilli(now));
  }

  private Granularity resolve(Granularity g, Instant from, Instant to, long now) {
    if (g != Granularity.AUTO) return g;
    long span = to.toEpochMilli() - from.toEpochMilli();
    if (span <= Duration.ofHours(3).toMillis()) {
      // Minute detail is kept for minuteRetention in memory; a store may compact older minutes.
      boolean recent = from.toEpochMilli() >= now - minuteRetention.toMillis();
      return recent ? Granularity.MINUTE : Granularity.HOUR;
    }
    if (span <= Duration.ofDays(4).toMillis()) return Granularity.HOUR;
    if (span <= Duration.ofDays(92).toMillis()) return Granularity.DAY;
    if (span <= Duration.ofDays(731).toMillis()) return Granularity.WEEK;
    return Granularity.MONTH;
  }

  /** Sums memory rollups into the report. Caller holds drainLock. */
  private void readMemory(ReportAccumulator acc, @Nullable MemoryRollups rollups) {
    Objects.requireNonNull(rollups, "rollups");
    BucketPlan plan = acc.plan();
    long[] bounds = plan.bounds;
    long from = plan.from();
    long to = plan.to();
    if (from < rollups.completeFrom()) {
      String what =
          rollups == minutes ? "minuteRetention " + minuteRetention : "retention " + retention;
      throw new IllegalArgumentException(
          "from must be within "
              + what
              + " of memory (memory is complete from "
              + Instant.ofEpochMilli(rollups.completeFrom())
              + "; add a store for older ranges): "
              + Instant.ofEpochMilli(from));
    }
    for (long b : bounds) {
      if (Math.floorMod(b, rollups.slotMillis) != 0) {
        throw new IllegalArgumentException(
            "zone must have bucket bounds on whole "
                + rollups.slotMillis / MINUTE_MS
                + "-minute steps: "
                + plan.zone
                + " has one at "
                + Instant.ofEpochMilli(b));
      }
    }
    int n = seriesCount; // the count first: the array read after it holds at least n series
    rollups.read(acc, all, n);
  }

  private void readStore(
      ReportAccumulator acc, UsageStore st, UsageQuery query, List<PendingBuffer.Snapshot> unsent) {
    BucketPlan plan = acc.plan();
    List<Instant> bounds = new ArrayList<>(plan.bounds.length);
    for (long b : plan.bounds) bounds.add(Instant.ofEpochMilli(b));
    Set<String> ids = new HashSet<>();
    for (PendingBuffer.Snapshot s : unsent) ids.add(s.id());
    StoreResult result =
        st.read(
            new StoreRead(
                bounds,
                plan.zone,
                plan.granularity,
                query.tenant(),
                query.apiKeys(),
                query.models(),
                ids,
                query.groupBy()));
    for (StoreResult.Row row : result.rows()) {
      if (row.bucket() >= plan.size() || !acc.matchesSummed(row.key())) continue;
      acc.addRow(row.key(), row.bucket(), ReportAccumulator.fieldsOf(row.totals()));
    }
    for (PendingBuffer.Snapshot s : unsent) {
      if (result.appliedBatchIds().contains(s.id())) continue;
      for (Map.Entry<PendingBuffer.RowKey, long[]> e : s.rows().entrySet()) {
        SeriesKey key = e.getKey().key();
        if (!acc.matches(key)) continue;
        int b = plan.bucketOf(e.getKey().minuteMillis());
        if (b >= 0) acc.addRow(key, b, e.getValue());
      }
    }
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
