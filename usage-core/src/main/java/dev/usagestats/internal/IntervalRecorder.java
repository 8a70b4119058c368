package dev.usagestats.internal;

import dev.usagestats.spi.Measure;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Records counts into the active interval and hands the previous one to a drainer, after
 * HdrHistogram's {@code Recorder}: it owns the phase gate, the per-series cells of both phases (in
 * {@link Series}) and the spill cells.
 *
 * <pre>
 * Assumptions and guarantees
 *
 * 1. Writers (any thread) call add: they enter the gate on their stripe, add into the series'
 *    cells of the active phase for the event's UTC minute, and exit. Wait-free and allocation-free,
 *    except for a late event whose minute finds no free slot: it adds into a spill cell for its
 *    (series, minute), created on first use, so spills grow with series x minutes, never events.
 *    An event with a latency then adds one count into the phase's LatencyBins, keyed by the slot
 *    or spill it went to and its bins (the table's overflow being the other allocation exception);
 *    that count is also its call count.
 * 2. One drainer at a time (the caller serializes) calls drain: it flips the gate, which waits out
 *    writers of the previous phase, then moves that phase's cells, spills and latency bins into a
 *    sink. Every event lands whole in one phase, so a drain never sees half of one.
 * 3. After close(), add records nothing and returns false: a writer reads the flag inside the
 *    gate, so once the next drain's flip returns, no writer can still add.
 * </pre>
 */
final class IntervalRecorder {
  private final int stripeMask;
  private final PhaseGate gate;
  private final SeriesTable table;
  private final long[] scratch = new long[Measure.COUNT];
  private final LatencyBins[] latency = {new LatencyBins(), new LatencyBins()};

  @SuppressWarnings("unchecked")
  private final ConcurrentHashMap<Long, Spill>[] spills =
      new ConcurrentHashMap[] {new ConcurrentHashMap<>(), new ConcurrentHashMap<>()};

  private volatile boolean closed;

  /**
   * Counts of one series in one minute that found no free slot in the phase (late events): one per
   * (series, minute) and phase.
   */
  private record Spill(Series series, long minuteMillis, long number, AtomicLongArray counts) {}

  /** Numbers the spill cells, so a latency bin key can name one (see {@link LatencyBins#spill}). */
  private final AtomicLong spillNumbers = new AtomicLong();

  IntervalRecorder(int stripes, SeriesTable table) {
    this.stripeMask = stripes - 1;
    this.gate = new PhaseGate(stripes);
    this.table = table;
  }

  /** Stripes for this machine: a power of two, at least 4, at most 8. */
  static int stripes() {
    int cpus = Runtime.getRuntime().availableProcessors();
    return Math.min(Integer.highestOneBit(Math.max(4, cpus) * 2 - 1), 8);
  }

  /** {@link #add} result: closed, nothing recorded. */
  static final int CLOSED = -4; // apart from Series' results

  /**
   * Adds one event's counts (one call) into the active interval.
   *
   * @return {@link Series#ADDED}; {@link #CLOSED}; or {@link Series#TOO_MANY_INPUT} / {@link
   *     Series#TOO_MANY_OUTPUT} if the event would take its series past its limit. Whatever the
   *     result, an event lands whole or not at all.
   */
  int add(
      Series series,
      long minute,
      long errors,
      long input,
      long output,
      long cached,
      long cacheCreation,
      long reasoning) {
    return add(series, minute, errors, input, output, cached, cacheCreation, reasoning, -1, -1, -1);
  }

  /**
   * Like {@link #add(Series, long, long, long, long, long, long, long)}, with latency: the bins of
   * the duration and of the time to first token ({@link dev.usagestats.LatencyHistogram}), -1 when
   * not known, and the milliseconds after the first token (-1 unless both are known, 0 or -1 when
   * the call has no output rate). The event's counts and its latency land in the same phase, so a
   * drain sees both or neither; a call with a latency is counted by its latency bin (see {@link
   * LatencyBins}), so its call count is in that phase too.
   */
  int add(
      Series series,
      long minute,
      long errors,
      long input,
      long output,
      long cached,
      long cacheCreation,
      long reasoning,
      int durationBin,
      int firstTokenBin,
      long generationMillis) {
    // Thread ids are handed out in sequence, so threads started together (a pool) get different
    // stripes, up to the number of stripes; a hash of the id would collide by chance.
    int stripe = (int) Thread.currentThread().getId() & stripeMask;
    long v = gate.enter(stripe);
    try {
      if (closed) return CLOSED;
      int phase = PhaseGate.phaseOf(v);
      // A call with a latency is counted once, by its latency bins' increment (-1 is NONE's bin in
      // the key), not by its cell's CALLS: one atomic add for the call and both its latencies.
      boolean timed = (durationBin & firstTokenBin) != -1;
      int result =
          series.add(
              phase,
              stripe,
              minute,
              errors,
              input,
              output,
              cached,
              cacheCreation,
              reasoning,
              timed,
              generationMillis);
      long owner;
      if (result >= 0) {
        owner = LatencyBins.cell(series.id, result);
        result = Series.ADDED;
      } else if (result == Series.NO_SLOT) {
        Spill sp = spill(phase, series, minute);
        owner = LatencyBins.spill(sp.number());
        result =
            series.addSpill(
                phase,
                sp.counts(),
                errors,
                input,
                output,
                cached,
                cacheCreation,
                reasoning,
                timed,
                generationMillis);
      } else {
        return result;
      }
      if (timed && result == Series.ADDED) latency[phase].add(owner, durationBin, firstTokenBin);
      return result;
    } finally {
      gate.exit(stripe, v);
    }
  }

  private Spill spill(int phase, Series series, long minute) {
    Long key = ((long) series.id << 32) | (minute & 0xFFFF_FFFFL);
    Spill cell = spills[phase].get(key);
    if (cell != null) return cell;
    return spills[phase].computeIfAbsent(
        key,
        k ->
            new Spill(
                series,
                minute * 60_000L,
                spillNumbers.getAndIncrement(),
                new AtomicLongArray(Series.CELL_COUNTERS)));
  }

  /** Flips the interval and moves the previous one into {@code sink}. One caller at a time. */
  void drain(Series.DeltaSink sink) {
    int phase = gate.flip();
    Map<Long, LatencyBins.Minute> minutes = LatencyBins.newMinutes();
    latency[phase] = latency[phase].drainTo(minutes);
    int n = table.count();
    Series[] a = table.array();
    for (int i = 0; i < n; i++) a[i].drain(phase, scratch, minutes, sink);
    for (Spill sp : spills[phase].values()) {
      sp.series().spillsDrained(phase);
      AtomicLongArray c = sp.counts();
      for (int f = 0; f < Measure.COUNT; f++) scratch[f] = c.get(f);
      LatencyBins.Minute m = minutes.remove(LatencyBins.spill(sp.number()));
      if (scratch[Series.CALLS] == 0 && m == null) continue; // every event in it was refused
      sp.series()
          .drainTo(
              sink,
              sp.minuteMillis() / 60_000L,
              scratch,
              c.get(Series.STREAMED_OUTPUT),
              c.get(Series.GENERATION_MILLIS),
              m);
    }
    spills[phase].clear();
    // Latency is counted only after its event's counts landed in a slot or spill of the same
    // phase, so every drained minute of latency went out with its counts above.
    assert minutes.isEmpty() : "latency without counts: " + minutes.keySet();
  }

  /** Stops recording; the next {@link #drain} takes everything recorded before. */
  void close() {
    closed = true;
  }

  boolean isClosed() {
    return closed;
  }
}
