package dev.usagestats.internal;

import dev.usagestats.LatencyHistogram;
import dev.usagestats.LatencyTotals;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageListener.SeriesListener;
import dev.usagestats.spi.Measure;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * One series' live cells: for each of the two phases, a few minute slots, each striped by thread,
 * each holding one counter per {@link Measure}.
 *
 * <pre>
 * Assumptions and guarantees
 *
 * 1. Owned by the SeriesTable, which creates it once and never removes it.
 * 2. Writers call add between PhaseGate.enter and exit, into the phase enter gave them. add is a
 *    few atomic adds: wait-free, allocation-free.
 * 3. The drainer (one at a time, after flipping the gate) calls drain on the quiescent phase,
 *    which it then owns: it reads, zeroes and frees that phase's slots.
 * </pre>
 */
final class Series {
  /** Minute slots per phase: the current minute, the one before, and one for a late event. */
  static final int SLOTS = 3;

  static final int CALLS = Measure.CALLS.ordinal();
  static final int ERRORS = Measure.ERRORS.ordinal();
  static final int INPUT = Measure.INPUT_TOKENS.ordinal();
  static final int OUTPUT = Measure.OUTPUT_TOKENS.ordinal();
  static final int CACHED = Measure.CACHED_INPUT_TOKENS.ordinal();
  static final int CACHE_CREATION = Measure.CACHE_CREATION_INPUT_TOKENS.ordinal();
  static final int REASONING = Measure.REASONING_TOKENS.ordinal();

  /**
   * Two more counters per cell, after the measures: output tokens and milliseconds after the first
   * token of the calls with an output rate (recorded with both a duration and a time to first
   * token, at least a millisecond apart): their latency sums, drained into {@link
   * dev.usagestats.LatencyTotals}. Such a call adds its output tokens to STREAMED_OUTPUT instead of
   * OUTPUT, and the drain adds STREAMED_OUTPUT into the output measure, so the sum costs no second
   * add on the hot path.
   */
  static final int STREAMED_OUTPUT = Measure.COUNT;

  static final int GENERATION_MILLIS = Measure.COUNT + 1;

  /** Counters per cell: the measures and the two latency sums. */
  static final int CELL_COUNTERS = Measure.COUNT + 2;

  // Longs per (slot, stripe): two cache lines, so the hot counters of neighbouring stripes never
  // share a line wherever the array happens to start.
  private static final int STRIDE = 16;
  private static final long EMPTY = Long.MIN_VALUE;

  /**
   * The bound that keeps every per-series sum from wrapping: 2^55 input (or output) tokens. Each
   * live cell's input, each of its two output counters (OUTPUT and STREAMED_OUTPUT), and the spill
   * cells of a phase together, are kept within it less what was already drained (an event that
   * would cross it is refused). A series has at most 2 phases x (3 slots x 8 stripes + its spills)
   * = 50 such budgets of input and 2 x (3 x 8 x 2 + 1) = 98 of output besides what was drained, so
   * what it holds and has drained stays below 2^61 input and 2^62 output, and input plus output
   * below 2^63: no per-series sum (cells, rollups, pending rows, store rows of one run) can wrap.
   * Sums across series are checked where reports form them.
   */
  static final long MAX_TOKENS_PER_SERIES = 1L << 55;

  /**
   * Results of {@link #addAt} and {@link #addSpill}; {@link #add} returns the minute slot instead
   * of ADDED.
   */
  static final int ADDED = 0;

  static final int NO_SLOT = -1;
  static final int TOO_MANY_INPUT = -2;
  static final int TOO_MANY_OUTPUT = -3;

  static {
    if (CELL_COUNTERS > STRIDE) throw new AssertionError("STRIDE must hold every counter");
  }

  final SeriesKey key;

  /** The names and their combined hash, held here so a lookup reads no other object first. */
  final int hash;

  private final String tenant;
  private final String apiKey;
  private final String model;
  final int id;
  final boolean overflow;
  final SeriesListener[] listeners;

  /**
   * The peak aggregate of this series' model (see {@link PeakSums}); null for an aggregate (which
   * never records) and for series built outside a table.
   */
  final @Nullable Series aggregate;

  private final int stripes;
  private final AtomicLongArray slotMinutes = new AtomicLongArray(2 * SLOTS);
  private final AtomicLongArray cells;

  /** What drains moved out of this series so far, per measure (input and output are checked). */
  private final AtomicLongArray drained = new AtomicLongArray(Measure.COUNT);

  /** Input and output added into this series' spill cells, per phase: {in0, out0, in1, out1}. */
  private final AtomicLongArray spilled = new AtomicLongArray(4);

  Series(SeriesKey key, int id, int stripes, SeriesListener[] listeners) {
    this(key, id, stripes, listeners, null);
  }

  Series(
      SeriesKey key, int id, int stripes, SeriesListener[] listeners, @Nullable Series aggregate) {
    this.aggregate = aggregate;
    this.key = key;
    this.tenant = key.tenant();
    this.apiKey = key.apiKey();
    this.model = key.model();
    this.hash = hash(tenant, apiKey, model);
    this.id = id;
    this.overflow = key.isOverflow();
    this.stripes = stripes;
    this.listeners = listeners;
    this.cells = new AtomicLongArray(2 * SLOTS * stripes * STRIDE);
    for (int i = 0; i < 2 * SLOTS; i++) slotMinutes.set(i, EMPTY);
  }

  /**
   * Whether these are the very instances this series was created with: the check of the lookup's
   * hot path, which reads no characters. Equal names in other instances need {@link #matches}.
   */
  boolean isNamedBy(String tenant, String apiKey, String model) {
    return this.tenant == tenant && this.apiKey == apiKey && this.model == model;
  }

  /** Whether this series has the hash {@code hash} and names equal to these. */
  boolean matches(int hash, String tenant, String apiKey, String model) {
    return this.hash == hash
        && this.model.equals(model)
        && this.apiKey.equals(apiKey)
        && this.tenant.equals(tenant);
  }

  /**
   * Adds one event's counts into a minute slot of the given phase. Must run inside the gate.
   *
   * @return the minute slot the event went to (0 to {@link #SLOTS} - 1); {@link #NO_SLOT} if every
   *     slot of the phase holds another minute (the caller spills); {@link #TOO_MANY_INPUT} or
   *     {@link #TOO_MANY_OUTPUT} if the event would take the series past {@link
   *     #MAX_TOKENS_PER_SERIES} (nothing was added)
   */
  int add(
      int phase,
      int stripe,
      long minute,
      long errors,
      long input,
      long output,
      long cached,
      long cacheCreation,
      long reasoning,
      boolean timed,
      long generationMillis) {
    int slot = slotFor(phase, minute);
    if (slot < 0) return NO_SLOT;
    int base = ((phase * SLOTS + slot) * stripes + stripe) * STRIDE;
    int result =
        addAt(
            cells,
            base,
            errors,
            input,
            output,
            cached,
            cacheCreation,
            reasoning,
            timed,
            generationMillis);
    return result == ADDED ? slot : result;
  }

  /**
   * Adds one event into the counters at {@code base} of {@code c} (a cell of this series, or a
   * spill cell), input and output first, each checked against the series' limit and taken back if
   * it would cross it, so a refused event leaves nothing behind. A {@code timed} event (one with a
   * latency) is not counted in CALLS: the caller counts it in the {@link LatencyBins} of the same
   * phase, whose drain gives the count. A positive {@code generationMillis} (the milliseconds after
   * the first token) makes the event's output and that time latency sums: the output goes to
   * STREAMED_OUTPUT instead of OUTPUT.
   */
  int addAt(
      AtomicLongArray c,
      int base,
      long errors,
      long input,
      long output,
      long cached,
      long cacheCreation,
      long reasoning,
      boolean timed,
      long generationMillis) {
    if (input != 0
        && c.getAndAdd(base + INPUT, input)
            > MAX_TOKENS_PER_SERIES - drained.getOpaque(INPUT) - input) {
      c.getAndAdd(base + INPUT, -input);
      return TOO_MANY_INPUT;
    }
    int out = base + (generationMillis > 0 ? STREAMED_OUTPUT : OUTPUT);
    if (output != 0
        && c.getAndAdd(out, output) > MAX_TOKENS_PER_SERIES - drained.getOpaque(OUTPUT) - output) {
      c.getAndAdd(out, -output);
      if (input != 0) c.getAndAdd(base + INPUT, -input);
      return TOO_MANY_OUTPUT;
    }
    if (!timed) c.getAndIncrement(base + CALLS);
    if (errors != 0) c.getAndAdd(base + ERRORS, errors);
    if (cached != 0) c.getAndAdd(base + CACHED, cached);
    if (cacheCreation != 0) c.getAndAdd(base + CACHE_CREATION, cacheCreation);
    if (reasoning != 0) c.getAndAdd(base + REASONING, reasoning);
    if (generationMillis > 0) c.getAndAdd(base + GENERATION_MILLIS, generationMillis);
    return ADDED;
  }

  /** Whether this is a peak aggregate (a sum of series kept for exact group peaks). */
  boolean isAggregate() {
    return isAggregate(key);
  }

  /** Whether {@code key} names a peak aggregate: its tenant is {@link Checks#AGGREGATE}. */
  static boolean isAggregate(SeriesKey key) {
    return Checks.AGGREGATE.equals(key.tenant());
  }

  /**
   * Adds one late event into a spill cell of the given phase: like {@link #addAt}, but also within
   * one budget for all of the phase's spill cells of this series, so any number of late minutes
   * cannot hold more than one cell's worth. Must run inside the gate.
   */
  int addSpill(
      int phase,
      AtomicLongArray c,
      long errors,
      long input,
      long output,
      long cached,
      long cacheCreation,
      long reasoning,
      boolean timed,
      long generationMillis) {
    int in = 2 * phase;
    int out = in + 1;
    if (input != 0
        && spilled.getAndAdd(in, input)
            > MAX_TOKENS_PER_SERIES - drained.getOpaque(INPUT) - input) {
      spilled.getAndAdd(in, -input);
      return TOO_MANY_INPUT;
    }
    if (output != 0
        && spilled.getAndAdd(out, output)
            > MAX_TOKENS_PER_SERIES - drained.getOpaque(OUTPUT) - output) {
      spilled.getAndAdd(out, -output);
      if (input != 0) spilled.getAndAdd(in, -input);
      return TOO_MANY_OUTPUT;
    }
    int result =
        addAt(
            c, 0, errors, input, output, cached, cacheCreation, reasoning, timed, generationMillis);
    if (result != ADDED) {
      if (input != 0) spilled.getAndAdd(in, -input);
      if (output != 0) spilled.getAndAdd(out, -output);
    }
    return result;
  }

  /** Frees the spill budget of a phase whose spills were drained. Drainer only. */
  void spillsDrained(int phase) {
    spilled.set(2 * phase, 0);
    spilled.set(2 * phase + 1, 0);
  }

  /**
   * Records that a drain moved {@code counts} out of this series. Drainer only.
   *
   * @throws ArithmeticException never while the bound above holds; a broken bound fails loudly
   *     rather than wrapping
   */
  void drained(long[] counts) {
    for (int f = 0; f < Measure.COUNT; f++) {
      if (counts[f] != 0) drained.setOpaque(f, Math.addExact(drained.getPlain(f), counts[f]));
    }
  }

  private int slotFor(int phase, long minute) {
    int first = phase * SLOTS;
    for (int i = first; i < first + SLOTS; i++) {
      long m = slotMinutes.get(i);
      if (m == minute) return i - first;
      if (m == EMPTY) {
        if (slotMinutes.compareAndSet(i, EMPTY, minute) || slotMinutes.get(i) == minute) {
          return i - first;
        }
      }
    }
    return -1;
  }

  /**
   * Moves the quiescent phase's counts to the sink and zeroes them, with the latency of the same
   * slots, taken out of {@code latency} (drained from the phase's {@link LatencyBins}). Drainer
   * only.
   *
   * @param scratch {@link Measure#COUNT} longs to reuse
   */
  void drain(int phase, long[] scratch, Map<Long, LatencyBins.Minute> latency, DeltaSink sink) {
    for (int slot = 0; slot < SLOTS; slot++) {
      int si = phase * SLOTS + slot;
      long minute = slotMinutes.get(si);
      if (minute == EMPTY) continue;
      Arrays.fill(scratch, 0);
      long streamed = 0;
      long generation = 0;
      for (int stripe = 0; stripe < stripes; stripe++) {
        int base = (si * stripes + stripe) * STRIDE;
        for (int f = 0; f < Measure.COUNT; f++) {
          long v = cells.get(base + f);
          if (v != 0) {
            scratch[f] += v;
            cells.set(base + f, 0);
          }
        }
        long st = cells.get(base + STREAMED_OUTPUT);
        long ge = cells.get(base + GENERATION_MILLIS);
        if ((st | ge) != 0) {
          streamed += st;
          generation += ge;
          cells.set(base + STREAMED_OUTPUT, 0);
          cells.set(base + GENERATION_MILLIS, 0);
        }
      }
      slotMinutes.set(si, EMPTY);
      LatencyBins.Minute m = latency.isEmpty() ? null : latency.remove(LatencyBins.cell(id, slot));
      drainTo(sink, minute, scratch, streamed, generation, m);
    }
  }

  /**
   * Hands one drained minute to the sink: its counts ({@link Measure#COUNT} longs, as its cells
   * held them: without the calls with a latency, and without the streamed output, which this adds)
   * and its latency: the sums given and the histograms of its latency bins ({@code latency}, null
   * if none). Drainer only.
   */
  void drainTo(
      DeltaSink sink,
      long minute,
      long[] counts,
      long streamedOutput,
      long generationMillis,
      LatencyBins.@Nullable Minute latency) {
    // The cells left out what the latency counts: the calls with a latency, and the output of the
    // calls with a rate.
    counts[OUTPUT] = Math.addExact(counts[OUTPUT], streamedOutput);
    if (latency != null) counts[CALLS] = Math.addExact(counts[CALLS], latency.calls);
    LatencyTotals l = LatencyTotals.empty();
    if (latency != null || streamedOutput != 0 || generationMillis != 0) {
      l =
          new LatencyTotals(
              latency == null ? LatencyHistogram.empty() : latency.duration,
              latency == null ? LatencyHistogram.empty() : latency.timeToFirstToken,
              streamedOutput,
              generationMillis);
    }
    drained(counts);
    sink.accept(this, minute * 60_000L, counts, l);
  }

  @Override
  public String toString() {
    return "Series" + key;
  }

  /** The combined hash of a series' names, as {@link SeriesIndex} probes by it. */
  static int hash(String tenant, String apiKey, String model) {
    int h = (tenant.hashCode() * 31 + apiKey.hashCode()) * 31 + model.hashCode();
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  /**
   * Receives drained counts: one series in one UTC minute. Implemented by the backends (memory
   * rollups, or a store's pending rows). Called by the drainer only, one delta at a time.
   */
  interface DeltaSink {
    /**
     * Takes one delta.
     *
     * @param series the series
     * @param minuteMillis the minute's first instant, epoch millis
     * @param counts the counts, indexed by {@link Measure#ordinal()}; the array may be reused after
     *     the call returns, so copy what you keep
     * @param latency the latency of the minute's calls recorded with one (often empty)
     */
    void accept(Series series, long minuteMillis, long[] counts, LatencyTotals latency);
  }
}
