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
 *    the count goes to an overflow map (which allocates) and the drainer grows the table for the
 *    next interval (to four times the keys it saw, at most 2^21 slots, 32 MB), so a burst costs
 *    allocation once, never a lost count; past 2^21 distinct bins in one interval the overflow
 *    map keeps taking them.
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

  /**
   * The largest table: 2^21 slots, 32 MB per phase; more distinct bins in one interval overflow.
   */
  private static final int MAX_CAPACITY = 1 << 21;

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

  /** The slot holding {@code key} (a key plus one), or -1. */
  private int find(long key) {
    int i = (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    for (int probe = 0; probe < MAX_PROBES; probe++, i = (i + 1) & mask) {
      if (keys.get(i) == key) return i;
    }
    return -1;
  }

  /** The histograms of one series' minute: duration and time to first token. */
  static final class Minute {
    LatencyHistogram duration = LatencyHistogram.empty();
    LatencyHistogram timeToFirstToken = LatencyHistogram.empty();
  }

  /**
   * Moves every count into {@code into}, keyed by {@link #minuteKey}, and clears the table. Drainer
   * only, on a quiescent phase. The keys sort by series, minute, kind and bin, so the sorted
   * entries are each histogram's bins in order.
   *
   * @return this table, cleared, or a larger empty one when this one overflowed or was half full
   */
  LatencyBins drainTo(Map<Long, Minute> into) {
    int used = 0;
    for (int i = 0; i <= mask; i++) if (keys.get(i) != 0) used++;
    boolean overflowed = !overflow.isEmpty();
    int n = used + overflow.size();
    long[] entries = new long[n];
    int k = 0;
    for (int i = 0; i <= mask; i++) {
      long key = keys.get(i);
      if (key != 0) entries[k++] = key;
    }
    for (Long key : overflow.keySet()) entries[k++] = key;
    java.util.Arrays.sort(entries, 0, k);
    // A key may be both in the table and in the overflow map: keep it once, its counts added.
    int unique = 0;
    for (int x = 0; x < k; x++)
      if (x == 0 || entries[x] != entries[x - 1]) entries[unique++] = entries[x];
    k = unique;
    long[] values = new long[k];
    for (int x = 0; x < k; x++) {
      long key = entries[x];
      int slot = find(key);
      long v = slot < 0 ? 0 : counts.get(slot);
      AtomicLong o = overflowed ? overflow.get(key) : null;
      values[x] = o == null ? v : Math.addExact(v, o.get());
      entries[x] = key - 1;
    }
    for (int i = 0; i <= mask; i++) {
      if (keys.get(i) != 0) {
        keys.set(i, 0);
        counts.set(i, 0);
      }
    }
    overflow.clear();
    int i = 0;
    while (i < k) {
      long histogram = entries[i] >>> 11; // series, minute, kind
      int j = i;
      int nonZero = 0;
      while (j < k && entries[j] >>> 11 == histogram) {
        if (values[j] != 0) nonZero++;
        j++;
      }
      if (nonZero > 0) {
        int[] bins = new int[nonZero];
        long[] cs = new long[nonZero];
        int d = 0;
        for (int x = i; x < j; x++) {
          if (values[x] == 0) continue;
          bins[d] = (int) (entries[x] & 0x7FF);
          cs[d++] = values[x];
        }
        long key = entries[i];
        int kind = (int) ((key >>> 11) & 1);
        long minute = ((key >>> 12) & ((1L << 28) - 1)) - MINUTE_BIAS;
        int seriesId = (int) (key >>> 40);
        Minute m = into.computeIfAbsent(minuteKey(seriesId, minute), x -> new Minute());
        LatencyHistogram h = LatencyHistogram.ofBins(bins, cs);
        if (kind == DURATION) m.duration = h;
        else m.timeToFirstToken = h;
      }
      i = j;
    }
    if (overflowed || used > (mask + 1) / 2) {
      int capacity = mask + 1;
      while (capacity < 4 * Math.max(n, 1) && capacity < MAX_CAPACITY) capacity <<= 1;
      if (capacity > mask + 1) return new LatencyBins(capacity);
    }
    return this;
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
