package dev.usagestats.internal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * In-memory rollups of one grain: per series a ring of chunks, each chunk a run of slots with six
 * counters. Memory is series x ring size, whatever the number of events. Not thread-safe: the
 * engine's lock guards it.
 *
 * <p>A ring slot holds one chunk; a newer chunk replaces an older one. {@link #completeFrom()} is
 * the instant from which memory holds every drained delta: it moves forward when a chunk is
 * replaced or a delta is too old for the ring.
 */
final class MemoryRollups {
  /**
   * One chunk: per field an array of slots, allocated when the field first has a non-zero count
   * (errors, cached and reasoning tokens are often all zero), plus the chunk's totals per field.
   * Every drained delta has at least one call, so a chunk's calls array always exists.
   */
  static final class Chunk {
    final long index;
    final long[][] fields = new long[Series.FIELDS][];
    final long[] totals = new long[Series.FIELDS];

    Chunk(long index) {
      this.index = index;
    }
  }

  final long slotMillis;
  final int slotsPerChunk;
  final long chunkMillis;
  private final int ringSize;
  private Chunk[][] rings = new Chunk[64][];
  private long completeFrom = Long.MIN_VALUE;

  MemoryRollups(long slotMillis, int slotsPerChunk, int ringSize) {
    this.slotMillis = slotMillis;
    this.slotsPerChunk = slotsPerChunk;
    this.chunkMillis = slotMillis * slotsPerChunk;
    this.ringSize = ringSize;
  }

  void add(int seriesId, long millis, long[] fields) {
    long index = Math.floorDiv(millis, chunkMillis);
    Chunk[] ring = ring(seriesId);
    int pos = (int) Math.floorMod(index, (long) ringSize);
    Chunk c = ring[pos];
    if (c == null || c.index < index) {
      if (c != null) completeFrom = Math.max(completeFrom, (c.index + 1) * chunkMillis);
      c = new Chunk(index);
      ring[pos] = c;
    } else if (c.index > index) {
      completeFrom = Math.max(completeFrom, (index + 1) * chunkMillis);
      return;
    }
    int slot = (int) ((millis - index * chunkMillis) / slotMillis);
    for (int f = 0; f < Series.FIELDS; f++) {
      long v = fields[f];
      if (v != 0) {
        long[] slots = c.fields[f];
        if (slots == null) {
          slots = new long[slotsPerChunk];
          c.fields[f] = slots;
        }
        slots[slot] += v;
        c.totals[f] += v;
      }
    }
  }

  /**
   * Adds the matching series' slots in the plan's range to the report. The plan's bounds must lie
   * on slot bounds. Which bucket each slot of a chunk falls in is worked out once per chunk
   * position and shared by all series; chunks wholly inside the range add their totals at once.
   */
  void read(ReportAccumulator acc, Series[] series, int count) {
    BucketPlan plan = acc.plan();
    long from = plan.from();
    long to = plan.to();
    long firstIndex = Math.floorDiv(from, chunkMillis);
    int chunks = (int) (Math.floorDiv(to - 1, chunkMillis) - firstIndex + 1);
    int[][] slotBuckets = new int[chunks][];
    long[] fields = new long[Series.FIELDS];
    for (int i = 0; i < count; i++) {
      Series s = series[i];
      if (!acc.matches(s.key)) continue;
      long[][] trend = null;
      Arrays.fill(fields, 0);
      for (int ci = 0; ci < chunks; ci++) {
        Chunk c = chunk(s.id, firstIndex + ci);
        if (c == null) continue;
        if (trend == null) trend = acc.trendOf(s.key);
        int[] buckets = slotBuckets[ci];
        if (buckets == null) {
          buckets = slotBuckets(plan, (firstIndex + ci) * chunkMillis);
          slotBuckets[ci] = buckets;
        }
        addChunk(c, buckets, fields, trend);
      }
      if (trend != null) acc.addTotals(s.key, fields);
    }
  }

  /** For each slot of the chunk starting at {@code start}: its bucket, or -1 outside the plan. */
  private int[] slotBuckets(BucketPlan plan, long start) {
    int[] buckets = new int[slotsPerChunk];
    for (int slot = 0; slot < slotsPerChunk; slot++) {
      buckets[slot] = plan.bucketOf(start + slot * slotMillis);
    }
    return buckets;
  }

  private void addChunk(Chunk c, int[] buckets, long[] fields, long[][] trend) {
    int first = buckets[0];
    int last = buckets[slotsPerChunk - 1];
    long[] calls = c.fields[Series.CALLS];
    long[] input = c.fields[Series.INPUT];
    long[] output = c.fields[Series.OUTPUT];
    if (first >= 0 && last >= 0) {
      for (int f = 0; f < Series.FIELDS; f++) fields[f] += c.totals[f];
      if (first == last) {
        trend[0][first] += c.totals[Series.CALLS];
        trend[1][first] += c.totals[Series.INPUT];
        trend[2][first] += c.totals[Series.OUTPUT];
        return;
      }
      for (int slot = 0; slot < slotsPerChunk; slot++) {
        long n = calls[slot];
        if (n == 0) continue;
        int b = buckets[slot];
        trend[0][b] += n;
        if (input != null) trend[1][b] += input[slot];
        if (output != null) trend[2][b] += output[slot];
      }
      return;
    }
    for (int slot = 0; slot < slotsPerChunk; slot++) {
      int b = buckets[slot];
      if (b < 0 || calls[slot] == 0) continue;
      for (int f = 0; f < Series.FIELDS; f++) {
        long[] values = c.fields[f];
        if (values != null) fields[f] += values[slot];
      }
      trend[0][b] += calls[slot];
      if (input != null) trend[1][b] += input[slot];
      if (output != null) trend[2][b] += output[slot];
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
