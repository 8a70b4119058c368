package dev.usagestats.internal;

import dev.usagestats.LatencyHistogram;
import dev.usagestats.LatencyTotals;

/**
 * The encoding of one memory rollup slot's latency: one byte array holding both histograms and both
 * sums, so a slot costs one object. Layout, every number an unsigned variable-length integer (7
 * bits a byte): the duration histogram (its number of non-empty bins, then per bin the gap from the
 * previous bin and the count), the time-to-first-token histogram likewise, the streamed output
 * tokens, the generation milliseconds. A bin with a count under 128 takes two bytes.
 *
 * <p>Merging a delta into a slot walks both sorted bin lists once and writes the result through a
 * reused buffer: one allocation, the result. Not thread-safe (the buffer): one instance per rollup,
 * under the engine's lock.
 */
final class LatencySlots {
  private final Varints.Writer out = new Varints.Writer(256);
  private int[] bins = new int[64];
  private long[] counts = new long[64];

  /** The slot encoding of {@code l}. */
  byte[] encode(LatencyTotals l) {
    out.reset();
    writeHistogram(l.duration());
    writeHistogram(l.timeToFirstToken());
    out.write(l.streamedOutputTokens());
    out.write(l.generationMillis());
    return out.toArray();
  }

  /** The slot encoding of {@code held} (a slot encoding) plus {@code l}. */
  byte[] merge(byte[] held, LatencyTotals l) {
    out.reset();
    int[] pos = {0};
    mergeHistogram(held, pos, l.duration());
    mergeHistogram(held, pos, l.timeToFirstToken());
    out.write(Math.addExact(Varints.read(held, pos), l.streamedOutputTokens()));
    out.write(Math.addExact(Varints.read(held, pos), l.generationMillis()));
    return out.toArray();
  }

  /**
   * Adds a slot's histograms to the builders and its sums to {@code sums}: {streamed output tokens,
   * generation milliseconds}.
   */
  static void addTo(
      byte[] slot,
      LatencyHistogram.Builder duration,
      LatencyHistogram.Builder firstToken,
      long[] sums) {
    int[] pos = {0};
    readInto(slot, pos, duration);
    readInto(slot, pos, firstToken);
    sums[0] = Math.addExact(sums[0], Varints.read(slot, pos));
    sums[1] = Math.addExact(sums[1], Varints.read(slot, pos));
  }

  private static void readInto(byte[] b, int[] pos, LatencyHistogram.Builder into) {
    long n = Varints.read(b, pos);
    int bin = -1;
    for (long i = 0; i < n; i++) {
      bin += (int) Varints.read(b, pos);
      into.addBin(bin, Varints.read(b, pos));
    }
  }

  private void writeHistogram(LatencyHistogram h) {
    int n = h.nonEmptyBins();
    out.write(n);
    int previous = -1;
    for (int i = 0; i < n; i++) {
      int bin = h.binAt(i);
      out.write(bin - previous);
      out.write(h.countAt(i));
      previous = bin;
    }
  }

  /** Reads one histogram of {@code held} at {@code pos} and writes it merged with {@code h}. */
  private void mergeHistogram(byte[] held, int[] pos, LatencyHistogram h) {
    long n = Varints.read(held, pos);
    if (h.isEmpty()) {
      // copy as is: the count, then the pairs
      out.write(n);
      int start = pos[0];
      for (long i = 0; i < 2 * n; i++) Varints.read(held, pos);
      out.writeBytes(held, start, pos[0] - start);
      return;
    }
    // Merge into a scratch list first: the count of merged bins comes before the pairs.
    int m = h.nonEmptyBins();
    if (bins.length < n + m) {
      bins = new int[(int) n + m];
      counts = new long[(int) n + m];
    }
    int[] bins = this.bins;
    long[] counts = this.counts;
    int k = 0;
    int j = 0;
    int bin = -1;
    for (long i = 0; i < n; i++) {
      bin += (int) Varints.read(held, pos);
      long c = Varints.read(held, pos);
      while (j < m && h.binAt(j) < bin) {
        bins[k] = h.binAt(j);
        counts[k++] = h.countAt(j++);
      }
      if (j < m && h.binAt(j) == bin) c = Math.addExact(c, h.countAt(j++));
      bins[k] = bin;
      counts[k++] = c;
    }
    while (j < m) {
      bins[k] = h.binAt(j);
      counts[k++] = h.countAt(j++);
    }
    out.write(k);
    int previous = -1;
    for (int i = 0; i < k; i++) {
      out.write(bins[i] - previous);
      out.write(counts[i]);
      previous = bins[i];
    }
  }
}
