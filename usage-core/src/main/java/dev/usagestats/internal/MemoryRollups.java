package dev.usagestats.internal;

import dev.usagestats.spi.Measure;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * In-memory rollups of one grain: per series a ring of chunks, each chunk a run of slots with one
 * counter per measure, and the same counters summed over groups of {@code group} slots (for
 * 15-minute slots, hours). Memory is series x ring size, whatever the number of events. Not
 * thread-safe: the engine's lock guards it.
 *
 * <p>A query whose bucket bounds all fall on group bounds (hours, days, weeks, months in a zone
 * with a whole-hour offset) reads the group sums: a quarter of the memory of the slots, which is
 * what a report over many series and days is bound by.
 *
 * <p>A ring slot holds one chunk; a newer chunk replaces an older one. {@link #completeFrom()} is
 * the instant from which memory holds every drained delta: it moves forward when a chunk is
 * replaced or a delta is too old for the ring.
 */
final class MemoryRollups {
  /**
   * One chunk: per field an array of slots and one of groups, allocated when the field first has a
   * non-zero count (errors, cached and reasoning tokens are often all zero), plus the chunk's
   * totals per field. Every drained delta has at least one call, so the calls arrays always exist.
   */
  static final class Chunk {
    final long index;
    final long[][] fields = new long[Measure.COUNT][];
    final long[][] groups = new long[Measure.COUNT][];
    final long[] totals = new long[Measure.COUNT];

    Chunk(long index) {
      this.index = index;
    }
  }

  final long slotMillis;
  final int slotsPerChunk;
  final long chunkMillis;
  private final int group;
  private final int ringSize;
  private Chunk[][] rings = new Chunk[64][];
  private long completeFrom = Long.MIN_VALUE;
  private long newestIndex = Long.MIN_VALUE;
  private long oldestIndex = Long.MAX_VALUE;

  MemoryRollups(long slotMillis, int slotsPerChunk, int group, int ringSize) {
    if (slotsPerChunk % group != 0) {
      throw new IllegalArgumentException("group must divide slotsPerChunk: " + group);
    }
    this.slotMillis = slotMillis;
    this.slotsPerChunk = slotsPerChunk;
    this.chunkMillis = slotMillis * slotsPerChunk;
    this.group = group;
    this.ringSize = ringSize;
  }

  void add(int seriesId, long millis, long[] fields) {
    long index = Math.floorDiv(millis, chunkMillis);
    Chunk[] ring = ring(seriesId);
    int pos = (int) Math.floorMod(index, (long) ringSize);
    Chunk c = ring[pos];
    if (newestIndex != Long.MIN_VALUE && index <= newestIndex - ringSize) {
      // Older than any ring can hold now: reads never reach it, so memory is complete only after.
      completeFrom = Math.max(completeFrom, (index + 1) * chunkMillis);
      return;
    }
    if (c == null || c.index < index) {
      if (c != null) completeFrom = Math.max(completeFrom, (c.index + 1) * chunkMillis);
      oldestIndex = Math.min(oldestIndex, index);
      if (index > newestIndex) {
        newestIndex = index;
        // Reads cover only the ring window, whatever each series' own ring still holds: once
        // the window has passed the oldest chunk ever kept, memory is complete only from there.
        long windowStart = newestIndex - ringSize + 1;
        if (oldestIndex < windowStart) {
          completeFrom = Math.max(completeFrom, windowStart * chunkMillis);
        }
      }
      c = new Chunk(index);
      ring[pos] = c;
    } else if (c.index > index) {
      completeFrom = Math.max(completeFrom, (index + 1) * chunkMillis);
      return;
    }
    int slot = (int) ((millis - index * chunkMillis) / slotMillis);
    for (int f = 0; f < Measure.COUNT; f++) {
      long v = fields[f];
      if (v != 0) {
        long[] slots = c.fields[f];
        long[] groups = c.groups[f];
        if (slots == null) {
          slots = new long[slotsPerChunk];
          groups = new long[slotsPerChunk / group];
          c.fields[f] = slots;
          c.groups[f] = groups;
        }
        // Per series, bounded (Series.MAX_TOKENS_PER_SERIES): checked so a broken bound fails
        // loudly instead of wrapping.
        slots[slot] = Math.addExact(slots[slot], v);
        groups[slot / group] += v;
        c.totals[f] = Math.addExact(c.totals[f], v);
      }
    }
  }

  /**
   * Adds the matching series' slots in the plan's range to the report. The plan's bounds must lie
   * on slot bounds. Which bucket each slot of a chunk falls in is worked out once per chunk
   * position and shared by all series; chunks wholly inside one bucket add their totals at once,
   * and when every bound lies on a group bound, groups are read instead of slots.
   */
  void read(ReportAccumulator acc, Series[] series, int count) {
    if (acc.priced()) {
      readPriced(acc, series, count);
      return;
    }
    BucketPlan plan = acc.plan();
    long from = plan.from();
    long to = plan.to();
    boolean byGroup = true;
    for (long b : plan.bounds) byGroup &= Math.floorMod(b, slotMillis * group) == 0;
    long step = byGroup ? slotMillis * group : slotMillis;
    int steps = byGroup ? slotsPerChunk / group : slotsPerChunk;
    if (newestIndex == Long.MIN_VALUE) return;
    // Only chunks the rings can hold: a range reaching far back costs no more than retention.
    long firstIndex = Math.max(Math.floorDiv(from, chunkMillis), newestIndex - ringSize + 1);
    long lastIndex = Math.min(Math.floorDiv(to - 1, chunkMillis), newestIndex);
    if (firstIndex > lastIndex) return;
    int chunks = (int) (lastIndex - firstIndex + 1);
    int[][] stepBuckets = new int[chunks][];
    long[] fields = new long[Measure.COUNT];
    for (int i = 0; i < count; i++) {
      Series s = series[i];
      if (!acc.matches(s.key)) continue;
      long[][] trend = null;
      Arrays.fill(fields, 0);
      for (int ci = 0; ci < chunks; ci++) {
        Chunk c = chunk(s.id, firstIndex + ci);
        if (c == null) continue;
        if (trend == null) trend = acc.trendOf(s.key);
        int[] buckets = stepBuckets[ci];
        if (buckets == null) {
          buckets = new int[steps];
          long start = (firstIndex + ci) * chunkMillis;
          for (int k = 0; k < steps; k++) buckets[k] = plan.bucketOf(start + k * step);
          stepBuckets[ci] = buckets;
        }
        addChunk(c, byGroup ? c.groups : c.fields, buckets, fields, trend);
      }
      if (trend != null) acc.addTotals(s.key, fields);
    }
  }

  /**
   * Like {@link #read}, for a priced report: sums each series' slots per read bucket for every
   * measure (the read plan has a bound at each price change), then hands the accumulator one row
   * per series and non-empty bucket, which it prices.
   */
  private void readPriced(ReportAccumulator acc, Series[] series, int count) {
    BucketPlan plan = acc.plan();
    if (newestIndex == Long.MIN_VALUE) return;
    long firstIndex = Math.max(Math.floorDiv(plan.from(), chunkMillis), newestIndex - ringSize + 1);
    long lastIndex = Math.min(Math.floorDiv(plan.to() - 1, chunkMillis), newestIndex);
    if (firstIndex > lastIndex) return;
    int chunks = (int) (lastIndex - firstIndex + 1);
    // Per chunk: read its group sums when every bound inside it lies on a group bound (a price
    // change at 10:45 costs slot reads in its own chunk only), else its slots.
    boolean[] byGroup = new boolean[chunks];
    int[][] stepBuckets = new int[chunks][];
    for (int ci = 0; ci < chunks; ci++) {
      long start = (firstIndex + ci) * chunkMillis;
      long end = start + chunkMillis;
      boolean groups = true;
      for (long b : plan.bounds) {
        if (b > start && b < end && Math.floorMod(b, slotMillis * group) != 0) groups = false;
      }
      byGroup[ci] = groups;
      long step = groups ? slotMillis * group : slotMillis;
      int steps = groups ? slotsPerChunk / group : slotsPerChunk;
      int[] buckets = new int[steps];
      for (int k = 0; k < steps; k++) buckets[k] = plan.bucketOf(start + k * step);
      stepBuckets[ci] = buckets;
    }
    long[][] sums = new long[Measure.COUNT][plan.size()];
    long[] row = new long[Measure.COUNT];
    for (int i = 0; i < count; i++) {
      Series s = series[i];
      if (!acc.matches(s.key)) continue;
      int lo = Integer.MAX_VALUE;
      int hi = -1;
      for (int ci = 0; ci < chunks; ci++) {
        Chunk c = chunk(s.id, firstIndex + ci);
        if (c == null) continue;
        int[] buckets = stepBuckets[ci];
        int steps = buckets.length;
        long[][] values = byGroup[ci] ? c.groups : c.fields;
        int first = buckets[0];
        if (first >= 0 && first == buckets[steps - 1]) {
          for (int f = 0; f < Measure.COUNT; f++) sums[f][first] += c.totals[f];
          lo = Math.min(lo, first);
          hi = Math.max(hi, first);
          continue;
        }
        long[] calls = values[Series.CALLS];
        for (int k = 0; k < steps; k++) {
          int b = buckets[k];
          if (b < 0 || calls[k] == 0) continue;
          for (int f = 0; f < Measure.COUNT; f++) {
            long[] v = values[f];
            if (v != null) sums[f][b] += v[k];
          }
          lo = Math.min(lo, b);
          hi = Math.max(hi, b);
        }
      }
      for (int b = lo; b <= hi; b++) {
        if (sums[Series.CALLS][b] == 0) continue; // every drained delta has a call
        for (int f = 0; f < Measure.COUNT; f++) {
          row[f] = sums[f][b];
          sums[f][b] = 0;
        }
        acc.addRow(s.key, b, row);
      }
    }
  }

  /**
   * Adds one chunk of a series: its counts in the range to {@code fields}, and calls, input and
   * output per bucket to {@code trend}. The trend's cells are plain sums: each is a part of its
   * group's range total, which {@link ReportAccumulator#addTotals} sums with overflow checks, so no
   * cell can wrap unless that total refuses first.
   */
  private static void addChunk(
      Chunk c, long[][] values, int[] buckets, long[] fields, long[][] trend) {
    int steps = buckets.length;
    int first = buckets[0];
    int last = buckets[steps - 1];
    long[] calls = values[Series.CALLS];
    long[] input = values[Series.INPUT];
    long[] output = values[Series.OUTPUT];
    long[] trendCalls = trend[0];
    long[] trendInput = trend[1];
    long[] trendOutput = trend[2];
    if (first >= 0 && last >= 0) {
      for (int f = 0; f < Measure.COUNT; f++) fields[f] += c.totals[f];
      if (first == last) {
        trendCalls[first] += c.totals[Series.CALLS];
        trendInput[first] += c.totals[Series.INPUT];
        trendOutput[first] += c.totals[Series.OUTPUT];
        return;
      }
      for (int k = 0; k < steps; k++) {
        long n = calls[k];
        if (n == 0) continue;
        int b = buckets[k];
        trendCalls[b] += n;
        if (input != null) trendInput[b] += input[k];
        if (output != null) trendOutput[b] += output[k];
      }
      return;
    }
    for (int k = 0; k < steps; k++) {
      int b = buckets[k];
      if (b < 0 || calls[k] == 0) continue;
      for (int f = 0; f < Measure.COUNT; f++) {
        long[] v = values[f];
        if (v != null) fields[f] += v[k];
      }
      trendCalls[b] += calls[k];
      if (input != null) trendInput[b] += input[k];
      if (output != null) trendOutput[b] += output[k];
    }
  }

  @Nullable Chunk chunk(int seriesId, long index) {
    if (seriesId >= rings.length) return null;
    Chunk[] ring = rings[seriesId];
    if (ring == null) return null;
    Chunk c = ring[(int) Math.floorMod(index, (long) ringSize)];
    return c != null && c.index == index ? c : null;
  }

  /** Memory holds every drained delta at or after this instant (epoch millis). */
  long completeFrom() {
    return completeFrom;
  }

  private Chunk[] ring(int seriesId) {
    if (seriesId >= rings.length) {
      rings = Arrays.copyOf(rings, Math.max(rings.length * 2, seriesId + 1));
    }
    Chunk[] ring = rings[seriesId];
    if (ring == null) {
      ring = new Chunk[ringSize];
      rings[seriesId] = ring;
    }
    return ring;
  }
}
