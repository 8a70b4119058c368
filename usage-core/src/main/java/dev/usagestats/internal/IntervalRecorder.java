package dev.usagestats.internal;

import dev.usagestats.spi.Measure;
import java.util.concurrent.ConcurrentHashMap;
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
 * 2. One drainer at a time (the caller serializes) calls drain: it flips the gate, which waits out
 *    writers of the previous phase, then moves that phase's cells and spills into a sink. Every
 *    event lands whole in one phase, so a drain never sees half of one.
 * 3. After close(), add records nothing and returns false: a writer reads the flag inside the
 *    gate, so once the next drain's flip returns, no writer can still add.
 * </pre>
 */
final class IntervalRecorder {
  private final int stripeMask;
  private final PhaseGate gate;
  private final SeriesTable table;
  private final long[] scratch = new long[Measure.COUNT];

  @SuppressWarnings("unchecked")
  private final ConcurrentHashMap<Long, Spill>[] spills =
      new ConcurrentHashMap[] {new ConcurrentHashMap<>(), new ConcurrentHashMap<>()};

  private volatile boolean closed;

  /**
   * Counts of one series in one minute that found no free slot in the phase (late events): one per
   * (series, minute) and phase.
   */
  private record Spill(Series series, long minuteMillis, AtomicLongArray counts) {}

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
  static final int CLOSED = -1;

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
    // Thread ids are handed out in sequence, so threads started together (a pool) get different
    // stripes, up to the number of stripes; a hash of the id would collide by chance.
    int stripe = (int) Thread.currentThread().getId() & stripeMask;
    long v = gate.enter(stripe);
    try {
      if (closed) return CLOSED;
      int phase = PhaseGate.phaseOf(v);
      int result =
          series.add(
              phase, stripe, minute, errors, input, output, cached, cacheCreation, reasoning);
      if (result != Series.NO_SLOT) return result;
      AtomicLongArray c = spill(phase, series, minute).counts();
      return series.addSpill(phase, c, errors, input, output, cached, cacheCreation, reasoning);
    } finally {
      gate.exit(stripe, v);
    }
  }

  private Spill spill(int phase, Series series, long minute) {
    Long key = ((long) series.id << 32) | (minute & 0xFFFF_FFFFL);
    Spill cell = spills[phase].get(key);
    if (cell != null) return cell;
    return spills[phase].computeIfAbsent(
        key, k -> new Spill(series, minute * 60_000L, new AtomicLongArray(Measure.COUNT)));
  }

  /** Flips the interval and moves the previous one into {@code sink}. One caller at a time. */
  void drain(Series.DeltaSink sink) {
    int phase = gate.flip();
    int n = table.count();
    Series[] a = table.array();
    for (int i = 0; i < n; i++) a[i].drain(phase, scratch, sink);
    for (Spill sp : spills[phase].values()) {
      sp.series().spillsDrained(phase);
      for (int f = 0; f < Measure.COUNT; f++) scratch[f] = sp.counts().get(f);
      if (scratch[Series.CALLS] == 0) continue; // every event in it was refused
      sp.series().drained(scratch);
      sink.accept(sp.series(), sp.minuteMillis(), scratch);
    }
    spills[phase].clear();
  }

  /** Stops recording; the next {@link #drain} takes everything recorded before. */
  void close() {
    closed = true;
  }

  boolean isClosed() {
    return closed;
  }
}
