package dev.usagestats.internal;

import dev.usagestats.LatencyHistogram;
import dev.usagestats.LatencyTotals;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * In-memory latency rollups of one grain, beside the {@link MemoryRollups} of the same grain: per
 * series a ring of chunks, each holding per slot the duration and time-to-first-token histograms in
 * their uncompressed sparse encoding ({@link LatencyHistogram#encodeUncompressed()}: about two
 * bytes per non-empty bin) and the output-rate sums. Only slots with latency take memory, so a
 * series recorded without latency costs one null per chunk. Not thread-safe: the engine's lock
 * guards it.
 *
 * <p>Which instants memory holds follows the counters' rollup of the same geometry: this ring keeps
 * the same chunks, so a read needs no completeness bound of its own.
 */
final class LatencyRollups {
  private static final class Chunk {
    final long index;
    final byte[][] duration;
    final byte[][] firstToken;
    final long[] streamed;
    final long[] generation;

    Chunk(long index, int slots) {
      this.index = index;
      duration = new byte[slots][];
      firstToken = new byte[slots][];
      streamed = new long[slots];
      generation = new long[slots];
    }
  }

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
    c.duration[slot] = merged(c.duration[slot], l.duration());
    c.firstToken[slot] = merged(c.firstToken[slot], l.timeToFirstToken());
    c.streamed[slot] = Math.addExact(c.streamed[slot], l.streamedOutputTokens());
    c.generation[slot] = Math.addExact(c.generation[slot], l.generationMillis());
  }

  private static byte @Nullable [] merged(byte @Nullable [] held, LatencyHistogram h) {
    if (h.isEmpty()) return held;
    if (held == null) return h.encodeUncompressed();
    return new LatencyHistogram.Builder().addEncoded(held).add(h).build().encodeUncompressed();
  }

  /**
   * Adds the matching series' latency in the plan's range to the report, slot by slot (the plan's
   * bounds lie on slot bounds).
   */
  void read(ReportAccumulator acc, Series[] series, int count) {
    if (newestIndex == Long.MIN_VALUE) return;
    BucketPlan plan = acc.plan();
    long firstIndex = Math.max(Math.floorDiv(plan.from(), chunkMillis), newestIndex - ringSize + 1);
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
          if (b < 0 || (c.duration[k] == null && c.firstToken[k] == null && c.streamed[k] == 0)) {
            continue;
          }
          acc.addLatency(s.key, b, c.duration[k], c.firstToken[k], c.streamed[k], c.generation[k]);
        }
      }
    }
  }
}
