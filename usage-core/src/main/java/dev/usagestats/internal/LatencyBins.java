package dev.usagestats.internal;

import dev.usagestats.LatencyHistogram;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The latency bin counts of one phase of the {@link IntervalRecorder}: an open-addressed table from
 * (owner, duration bin, time-to-first-token bin) to a count of calls, shared by every series, so
 * its memory follows the bin pairs recorded in one interval, not the series count times the bins of
 * a histogram. An owner is where the call's counts went: a minute slot of a series ({@link #cell})
 * or a spill cell ({@link #spill}); a call with one latency only has {@link #NONE} as its other
 * bin. One call is one increment of one slot, whatever latencies it carries.
 *
 * <pre>
 * Assumptions and guarantees
 *
 * 1. Writers call add between PhaseGate.enter and exit, into the table of the phase enter gave
 *    them, after the call's counts landed in the owner's cell of that phase: a claim of an empty
 *    slot by compare-and-set (or finding the key already there) and one atomic increment.
 *    Wait-free and allocation-free while the table has room; after 16 probes the count goes to an
 *    overflow map (which allocates) and the drainer grows the table for the next interval (to four
 *    times the keys it saw, at most 2^21 slots, 32 MB), so a burst costs allocation once, never a
 *    lost count; past 2^21 distinct keys in one interval the overflow map keeps taking them. An
 *    interval using under 1/16 of a grown table shrinks it back.
 * 2. The drainer, after flipping the gate, owns the quiescent phase's table: drainTo reads,
 *    clears and (if it overflowed or is half full) replaces it. It hands out, per owner, the two
 *    histograms (each kind's counts summed over the other kind's bins) and the owner's calls with
 *    latency (the sum of its counts), which its cell did not count: the latency count is the call
 *    count of those calls.
 * </pre>
 *
 * Keys pack the owner (42 bits), the duration bin (11 bits) and the time-to-first-token bin (11
 * bits) into 64 bits; a slot holds the key plus one, so 0 is empty (no key is all ones: a call has
 * at least one bin below {@link #NONE}).
 */
final class LatencyBins {
  /** The bin of a kind a call has no latency of: above every real bin, so it sorts last. */
  static final int NONE = 0x7FF;

  private static final int BIN_BITS = 11;
  private static final int OWNER_SHIFT = 2 * BIN_BITS;
  private static final long SPILL_OWNER = 1L << 41;
  private static final int MAX_PROBES = 16;
  private static final int FIRST_CAPACITY = 4096;

  static {
    if (LatencyHistogram.MAX_BIN >= NONE) throw new AssertionError("NONE must be above every bin");
  }

  /**
   * The largest table: 2^21 slots, 32 MB per phase; more distinct keys in one interval overflow.
   */
  private static final int MAX_CAPACITY = 1 << 21;

  /** Slot i: its key (plus one, 0 empty) at 2i and its count at 2i + 1, on one cache line. */
  private final AtomicLongArray slots;

  private final int mask;
  private final int shift;
  private final ConcurrentHashMap<Long, AtomicLong> overflow = new ConcurrentHashMap<>();

  LatencyBins() {
    this(FIRST_CAPACITY);
  }

  private LatencyBins(int capacity) {
    slots = new AtomicLongArray(2 * capacity);
    mask = capacity - 1;
    shift = 64 - Integer.numberOfTrailingZeros(capacity);
  }

  /** The owner of a series' minute slot ({@code 0 <= slot < 4}). */
  static long cell(int seriesId, int slot) {
    return ((long) seriesId << 2) | slot;
  }

  /** The owner of a spill cell, by its number ({@code 0 <= number < 2^41}). */
  static long spill(long number) {
    return SPILL_OWNER | number;
  }

  /**
   * Counts one call of {@code owner} with these bins; {@link #NONE} (or any value whose low 11 bits
   * are all ones, such as -1) for a latency the call does not have, but not for both.
   */
  void add(long owner, int durationBin, int firstTokenBin) {
    long key =
        ((owner << OWNER_SHIFT)
                | ((long) (durationBin & NONE) << BIN_BITS)
                | (firstTokenBin & NONE))
            + 1;
    int i = (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    for (int probe = 0; probe < MAX_PROBES; probe++, i = (i + 1) & mask) {
      int at = 2 * i;
      long k = slots.get(at);
      if (k == key || (k == 0 && (slots.compareAndSet(at, 0, key) || slots.get(at) == key))) {
        slots.getAndIncrement(at + 1);
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
      if (slots.get(2 * i) == key) return i;
    }
    return -1;
  }

  /**
   * The latency of one owner's calls in an interval: its histograms, and how many calls carried a
   * latency (which the owner's cell did not count).
   */
  static final class Minute {
    LatencyHistogram duration = LatencyHistogram.empty();
    LatencyHistogram timeToFirstToken = LatencyHistogram.empty();
    long calls;
  }

  /**
   * Moves every count into {@code into}, keyed by owner, and clears the table. Drainer only, on a
   * quiescent phase. The keys sort by owner, duration bin and time-to-first-token bin, so the
   * sorted entries of an owner give its duration bins in order; its time-to-first-token bins are
   * summed in a scratch array.
   *
   * @return this table, cleared, or a larger empty one when this one overflowed or was half full
   */
  LatencyBins drainTo(Map<Long, Minute> into) {
    int used = 0;
    for (int i = 0; i <= mask; i++) if (slots.get(2 * i) != 0) used++;
    boolean overflowed = !overflow.isEmpty();
    int n = used + overflow.size();
    long[] entries = new long[n];
    int k = 0;
    for (int i = 0; i <= mask; i++) {
      long key = slots.get(2 * i);
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
      long v = slot < 0 ? 0 : slots.get(2 * slot + 1);
      AtomicLong o = overflowed ? overflow.get(key) : null;
      values[x] = o == null ? v : Math.addExact(v, o.get());
      entries[x] = key - 1;
    }
    for (int i = 0; i <= mask; i++) {
      if (slots.get(2 * i) != 0) {
        slots.set(2 * i, 0);
        slots.set(2 * i + 1, 0);
      }
    }
    overflow.clear();
    long[] firstTokenCounts = new long[NONE];
    int i = 0;
    while (i < k) {
      long owner = entries[i] >>> OWNER_SHIFT;
      int j = i;
      long calls = 0;
      int durationBins = 0;
      int lowT = NONE;
      int highT = -1;
      int previousD = -1;
      for (; j < k && entries[j] >>> OWNER_SHIFT == owner; j++) {
        long c = values[j];
        if (c == 0) continue;
        calls = Math.addExact(calls, c);
        int d = (int) (entries[j] >>> BIN_BITS) & NONE;
        int t = (int) entries[j] & NONE;
        if (d != NONE && d != previousD) {
          durationBins++;
          previousD = d;
        }
        if (t != NONE) {
          firstTokenCounts[t] = Math.addExact(firstTokenCounts[t], c);
          lowT = Math.min(lowT, t);
          highT = Math.max(highT, t);
        }
      }
      if (calls > 0) {
        Minute m = new Minute();
        m.calls = calls;
        if (durationBins > 0) m.duration = durationOf(entries, values, i, j, durationBins);
        if (highT >= 0) m.timeToFirstToken = takeHistogram(firstTokenCounts, lowT, highT);
        into.put(owner, m);
      }
      i = j;
    }
    if (overflowed || used > (mask + 1) / 2) {
      int capacity = mask + 1;
      while (capacity < 4 * Math.max(n, 1) && capacity < MAX_CAPACITY) capacity <<= 1;
      if (capacity > mask + 1) return new LatencyBins(capacity);
    } else if (mask + 1 > FIRST_CAPACITY && used < (mask + 1) / 16) {
      // After a burst: back to four times what this interval used, so memory follows the traffic.
      int capacity = FIRST_CAPACITY;
      while (capacity < 4 * used) capacity <<= 1;
      if (capacity < mask + 1) return new LatencyBins(capacity);
    }
    return this;
  }

  /** The duration histogram of entries {@code [from, to)} of one owner, sorted by duration bin. */
  private static LatencyHistogram durationOf(
      long[] entries, long[] values, int from, int to, int distinct) {
    int[] bins = new int[distinct];
    long[] counts = new long[distinct];
    int d = -1;
    for (int x = from; x < to; x++) {
      int bin = (int) (entries[x] >>> BIN_BITS) & NONE;
      if (bin == NONE || values[x] == 0) continue;
      if (d < 0 || bins[d] != bin) bins[++d] = bin;
      counts[d] = Math.addExact(counts[d], values[x]);
    }
    return LatencyHistogram.ofBins(bins, counts);
  }

  /** The histogram of {@code counts[low..high]}, which it zeroes. */
  private static LatencyHistogram takeHistogram(long[] counts, int low, int high) {
    int distinct = 0;
    for (int b = low; b <= high; b++) if (counts[b] != 0) distinct++;
    int[] bins = new int[distinct];
    long[] cs = new long[distinct];
    int d = 0;
    for (int b = low; b <= high; b++) {
      if (counts[b] == 0) continue;
      bins[d] = b;
      cs[d++] = counts[b];
      counts[b] = 0;
    }
    return LatencyHistogram.ofBins(bins, cs);
  }

  /** A fresh map for {@link #drainTo}. */
  static Map<Long, Minute> newMinutes() {
    return new HashMap<>();
  }
}
