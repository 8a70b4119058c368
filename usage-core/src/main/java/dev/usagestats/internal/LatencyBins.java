package dev.usagestats.internal;

import dev.usagestats.LatencyHistogram;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The latency bin counts of one phase of the {@link IntervalRecorder}: an open-addressed table from
 * (series, minute, kind, bin) to a count, shared by every series, so its memory follows the bins
 * recorded in one interval, not the series count times the bins of a histogram.
 *
 * <pre>
 * Assumptions and guarantees
 *
 * 1. Writers call add between PhaseGate.enter and exit, into the table of the phase enter gave
 *    them: a claim of an empty slot by compare-and-set (or finding the key already there) and one
 *    atomic increment. Lock-free and allocation-free while the table has room; after 16 probes
 *    the count goes to an overflow map (which allocates) and the drainer doubles the table for the
 *    next interval, so a burst costs allocation once, never a lost count.
 * 2. The drainer, after flipping the gate, owns the quiescent phase's table: drainTo reads,
 *    clears and (if it overflowed or is half full) replaces it.
 * </pre>
 *
 * Keys pack the series id (23 bits), the minute (28 bits, biased so 1715 to 2225 fit), the kind (1
 * bit) and the bin (11 bits) into 63 bits; a slot holds the key plus one, so 0 is empty.
 */
final class LatencyBins {
  static final int DURATION = 0;
  static final int TIME_TO_FIRST_TOKEN = 1;

  /** The most series ids a key holds. */
  static final int MAX_SERIES = 1 << 23;

  private static final long MINUTE_BIAS = 1L << 27;
  private static final int MAX_PROBES = 16;
  private static final int FIRST_CAPACITY = 4096;

  private final AtomicLongArray keys;
  private final AtomicLongArray counts;
  private final int mask;
  private final int shift;
  private final ConcurrentHashMap<Long, AtomicLong> overflow = new ConcurrentHashMap<>();

  LatencyBins() {
    this(FIRST_CAPACITY);
  }

  private LatencyBins(int capacity) {
    keys = new AtomicLongArray(capacity);
    counts = new AtomicLongArray(capacity);
    mask = capacity - 1;
    shift = 64 - Integer.numberOfTrailingZeros(capacity);
  }

  /** Whether an event of this minute can carry latency: within 2^27 minutes of 1970. */
  static boolean minuteFits(long minute) {
    return minute >= -MINUTE_BIAS && minute < MINUTE_BIAS;
  }

  /** Counts one latency in {@code bin} of {@code kind} for the series and minute. */
  void add(int seriesId, long minute, int kind, int bin) {
    long key =
        (((long) seriesId << 40) | ((minute + MINUTE_BIAS) << 12) | ((long) kind << 11) | bin) + 1;
    int i = (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    for (int probe = 0; probe < MAX_PROBES; probe++, i = (i + 1) & mask) {
      long k = keys.get(i);
      if (k == key || (k == 0 && (keys.compareAndSet(i, 0, key) || keys.get(i) == key))) {
        counts.getAndIncrement(i);
        return;
      }
    }
    AtomicLong c = overflow.get(key);
    if (c == null) c = overflow.computeIfAbsent(key, x -> new AtomicLong());
    c.incrementAndGet();
  }

  /** Builders of one series' minute: duration and time to first token. */
  static final class Minute {
    final LatencyHistogram.Builder duration = new LatencyHistogram.Builder();
    final LatencyHistogram.Builder timeToFirstToken = new LatencyHistogram.Builder();
  }

  /**
   * Moves every count into {@code into}, keyed by {@link #minuteKey}, and clears the table. Drainer
   * only, on a quiescent phase.
   *
   * @return this table, cleared, or a larger empty one when this one overflowed or was half full
   */
  LatencyBins drainTo(Map<Long, Minute> into) {
    int used = 0;
    for (int i = 0; i <= mask; i++) {
      long k = keys.get(i);
      if (k == 0) continue;
      used++;
      take(into, k, counts.get(i));
      keys.set(i, 0);
      counts.set(i, 0);
    }
    boolean overflowed = !overflow.isEmpty();
    for (Map.Entry<Long, AtomicLong> e : overflow.entrySet())
      take(into, e.getKey(), e.getValue().get());
    overflow.clear();
    if (overflowed || used > (mask + 1) / 2) {
      int capacity = mask + 1;
      while (capacity < 4 * Math.max(used, 1) && capacity < (1 << 26)) capacity <<= 1;
      return new LatencyBins(capacity);
    }
    return this;
  }

  private static void take(Map<Long, Minute> into, long slotKey, long count) {
    if (count == 0) return;
    long key = slotKey - 1;
    int bin = (int) (key & 0x7FF);
    int kind = (int) ((key >>> 11) & 1);
    long minute = ((key >>> 12) & ((1L << 28) - 1)) - MINUTE_BIAS;
    int seriesId = (int) (key >>> 40);
    Minute m = into.computeIfAbsent(minuteKey(seriesId, minute), x -> new Minute());
    (kind == DURATION ? m.duration : m.timeToFirstToken).addBin(bin, count);
  }

  /** The key of a series' minute in a drained map. */
  static long minuteKey(int seriesId, long minute) {
    return ((long) seriesId << 32) ^ (minute & 0xFFFF_FFFFL);
  }

  /** A fresh map for {@link #drainTo}. */
  static Map<Long, Minute> newMinutes() {
    return new HashMap<>();
  }
}
