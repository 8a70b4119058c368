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
