package dev.usagestats.internal;

import dev.usagestats.LatencyTotals;
import java.util.Arrays;

/**
 * In-memory latency rollups of one grain, beside the {@link MemoryRollups} of the same grain: per
 * series a ring of chunks, each holding per slot one byte array with the duration and
 * time-to-first-token histograms and the output-rate sums ({@link LatencySlots}: about two bytes
 * per non-empty bin). Only slots with latency take memory, so a series recorded without latency
 * costs one null per chunk. Not thread-safe: the engine's lock guards it.
 *
 * <p>Reads follow the counters' rollup of the same geometry: they take no chunk older than the
 * counters would ({@link MemoryRollups#firstReadableIndex()}), so latency never outlives the counts
 * of its calls.
 */
final class LatencyRollups {
  private static final class Chunk {
    final long index;
    final byte[][] slots;

    Chunk(long index, int slots) {
      this.index = index;
      this.slots = new byte[slots][];
    }
  }

  private final LatencySlots codec = new LatencySlots();

  private final long slotMillis;
  private final int slotsPerChunk;
  private final long chunkMillis;
  private final int ringSize;
  private Chunk[][] rings = new Chunk[64][];
  private long newestIndex = Long.MIN_VALUE;

  LatencyRollups(long slotMillis, int slotsPerChunk, int ringSize) {
    this.slotMillis = slotMillis;
    this.slotsPerChunk = slotsPerChunk;
    this.chunkMillis = slotMillis * slotsPerChunk;
    this.ringSize = ringSize;
  }

  /** Adds a series' latency at {@code millis}. */
  void add(int seriesId, long millis, LatencyTotals l) {
    long index = Math.floorDiv(millis, chunkMillis);
    if (newestIndex != Long.MIN_VALUE && index <= newestIndex - ringSize) return;
    newestIndex = Math.max(newestIndex, index);
    if (seriesId >= rings.length) {
      rings = Arrays.copyOf(rings, Math.max(rings.length * 2, seriesId + 1));
    }
    Chunk[] ring = rings[seriesId];
    if (ring == null) ring = rings[seriesId] = new Chunk[ringSize];
    int pos = (int) Math.floorMod(index, (long) ringSize);
    Chunk c = ring[pos];
    if (c == null || c.index < index) {
      c = new Chunk(index, slotsPerChunk);
      ring[pos] = c;
    } else if (c.index > index) {
      return;
    }
    int slot = (int) ((millis - index * chunkMillis) / slotMillis);
    byte[] held = c.slots[slot];
    c.slots[slot] = held == null ? codec.encode(l) : codec.merge(held, l);
  }

  /**
   * Adds the matching series' latency in the plan's range to the report, slot by slot (the plan's
   * bounds lie on slot bounds), from chunk {@code firstReadable} on: the counters' rollup of the
   * same geometry reads no older chunk (its rings may have replaced them), and this ring, which
   * moves only when latency arrives, may still hold them.
   */
  void read(ReportAccumulator acc, Series[] series, int count, long firstReadable) {
    if (newestIndex == Long.MIN_VALUE) return;
    BucketPlan plan = acc.plan();
    long firstIndex =
        Math.max(
            Math.max(Math.floorDiv(plan.from(), chunkMillis), newestIndex - ringSize + 1),
            firstReadable);
    long lastIndex = Math.min(Math.floorDiv(plan.to() - 1, chunkMillis), newestIndex);
    if (firstIndex > lastIndex) return;
    int chunks = (int) (lastIndex - firstIndex + 1);
    int[][] slotBuckets = new int[chunks][];
    for (int i = 0; i < count; i++) {
      Series s = series[i];
      if (s.id >= rings.length || rings[s.id] == null || s.isAggregate() || !acc.matches(s.key)) {
        continue;
      }
      Chunk[] ring = rings[s.id];
      for (int ci = 0; ci < chunks; ci++) {
        long index = firstIndex + ci;
        Chunk c = ring[(int) Math.floorMod(index, (long) ringSize)];
        if (c == null || c.index != index) continue;
        int[] buckets = slotBuckets[ci];
        if (buckets == null) {
          buckets = new int[slotsPerChunk];
          long start = index * chunkMillis;
          for (int k = 0; k < slotsPerChunk; k++)
            buckets[k] = plan.bucketOf(start + k * slotMillis);
          slotBuckets[ci] = buckets;
        }
        for (int k = 0; k < slotsPerChunk; k++) {
          int b = buckets[k];
          if (b >= 0 && c.slots[k] != null) acc.addLatency(s.key, b, c.slots[k]);
        }
      }
    }
  }
}
