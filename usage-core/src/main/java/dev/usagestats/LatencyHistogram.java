package dev.usagestats;

import dev.usagestats.internal.Varints;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.HdrHistogram.Histogram;

/**
 * Latencies in milliseconds, counted in bins: an immutable, sparse histogram with the bin layout of
 * HdrHistogram's {@code new Histogram(1, 3_600_000, 2)}, so it converts to one exactly ({@link
 * #toHdrHistogram()}) and merges by adding counts bin by bin ({@link #plus}): percentiles over many
 * buckets, keys and models come from merged counts, never from averaged percentiles.
 *
 * <p><b>Precision and range.</b> Values are whole milliseconds from 0 to {@link #MAX_MILLIS} (one
 * hour). Up to 255 ms every millisecond has its own bin; above, each power of two is split into 128
 * bins, so a bin is at most 1/128 (0.8%) of its values wide: two significant digits. A percentile
 * is the highest value of the bin that holds the exact percentile of the recorded values (as
 * HdrHistogram reports it): never below the exact value, at most 0.8% (or 1 ms under 256 ms) above.
 * The recorder truncates nanoseconds to milliseconds and refuses anything outside the range; {@link
 * #mean()} and {@link #max()} are bin-based too, within the same precision.
 *
 * <p>Only bins with a count are held (a sorted bin index array and a count array), so a histogram
 * of a few calls takes a few dozen bytes; {@link #encode()} writes the same sparse form as
 * variable-length integers, which is what a store keeps.
 */
public final class LatencyHistogram {
  /** The largest latency a histogram holds: one hour, in milliseconds. */
  public static final long MAX_MILLIS = 3_600_000L;

  /**
   * The length of HdrHistogram's counts array for this layout: bin indexes are below it, and at
   * most {@link #MAX_BIN}, the bin of {@link #MAX_MILLIS}.
   */
  public static final int BINS = 2048;

  /** The highest bin a latency can fall in: the bin of {@link #MAX_MILLIS} (2011). */
  public static final int MAX_BIN = 2011;

  private static final int SUB_BITS = 7; // 128 bins per half-bucket: two significant digits
  private static final int HALF = 1 << SUB_BITS;
  private static final byte FORMAT = 1;
  private static final byte DEFLATED = 2;
  private static final int DEFLATE_FROM = 48;

  private static final LatencyHistogram EMPTY = new LatencyHistogram(new int[0], new long[0], 0);

  private final int[] bins;
  private final long[] counts;
  private final long total;

  private LatencyHistogram(int[] bins, long[] counts, long total) {
    this.bins = bins;
    this.counts = counts;
    this.total = total;
  }

  /** The histogram with no values. */
  public static LatencyHistogram empty() {
    return EMPTY;
  }

  /**
   * A histogram of the given values.
   *
   * @throws IllegalArgumentException if a value is negative or above {@link #MAX_MILLIS}
   */
  public static LatencyHistogram of(long... millis) {
    Builder b = new Builder();
    for (long m : millis) b.addMillis(m, 1);
    return b.build();
  }

  /**
   * A histogram of the given counts per bin.
   *
   * @param bins non-empty bins, strictly increasing, each within [0, {@link #MAX_BIN}]
   * @param counts their counts, each at least 1
   * @throws IllegalArgumentException if the bins are out of order or range, or a count is below 1
   * @throws ArithmeticException if the total would pass {@link Long#MAX_VALUE}
   */
  public static LatencyHistogram ofBins(int[] bins, long[] counts) {
    if (bins.length != counts.length) {
      throw new IllegalArgumentException(
          "bins and counts must have the same length: " + bins.length + ", " + counts.length);
    }
    if (bins.length == 0) return EMPTY;
    long total = 0;
    int previous = -1;
    for (int i = 0; i < bins.length; i++) {
      checkBin(bins[i]);
      if (bins[i] <= previous) {
        throw new IllegalArgumentException("bins must be increasing: " + previous + ", " + bins[i]);
      }
      if (counts[i] < 1) throw new IllegalArgumentException("counts must be >= 1: " + counts[i]);
      total = Math.addExact(total, counts[i]);
      previous = bins[i];
    }
    return new LatencyHistogram(bins.clone(), counts.clone(), total);
  }

  /**
   * The bin of a latency in milliseconds (HdrHistogram's counts index for it).
   *
   * @throws IllegalArgumentException if {@code millis} is negative or above {@link #MAX_MILLIS}
   */
  public static int binOf(long millis) {
    if (millis < 0 || millis > MAX_MILLIS) {
      throw new IllegalArgumentException(
          "latency must be between 0 and " + MAX_MILLIS + " ms: " + millis);
    }
    return bin(millis);
  }

  /** {@link #binOf} without the range check, for the recorder, which checked already. */
  static int bin(long millis) {
    int bucket = 56 - Long.numberOfLeadingZeros(millis | 255);
    int sub = (int) (millis >>> bucket);
    return ((bucket + 1) << SUB_BITS) + (sub - HALF);
  }

  /** The lowest value in milliseconds that falls in {@code bin}. */
  public static long lowestOf(int bin) {
    checkBin(bin);
    int bucket = (bin >> SUB_BITS) - 1;
    int sub = (bin & (HALF - 1)) + HALF;
    if (bucket < 0) {
      sub -= HALF;
      bucket = 0;
    }
    return (long) sub << bucket;
  }

  /** The highest value in milliseconds that falls in {@code bin}. */
  public static long highestOf(int bin) {
    checkBin(bin);
    int bucket = Math.max((bin >> SUB_BITS) - 1, 0);
    return lowestOf(bin) + (1L << bucket) - 1;
  }

  private static void checkBin(int bin) {
    if (bin < 0 || bin > MAX_BIN) {
      throw new IllegalArgumentException("bin must be between 0 and " + MAX_BIN + ": " + bin);
    }
  }

  /** How many values the histogram holds. */
  public long count() {
    return total;
  }

  /** Whether it holds no value. */
  public boolean isEmpty() {
    return total == 0;
  }

  /** How many bins have a count. */
  public int nonEmptyBins() {
    return bins.length;
  }

  /** The bin of the {@code i}-th non-empty bin, in increasing order. */
  public int binAt(int i) {
    return bins[i];
  }

  /** The count of the {@code i}-th non-empty bin. */
  public long countAt(int i) {
    return counts[i];
  }

  /**
   * The value at a percentile: the highest value of the bin holding the {@code ceil(percentile/100
   * x count)}-th smallest value (at least the first).
   *
   * @throws IllegalArgumentException if {@code percentile} is not within [0, 100]
   * @throws IllegalStateException if the histogram is empty
   */
  public long valueAtPercentile(double percentile) {
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile must be within [0, 100]: " + percentile);
    }
    if (total == 0) throw new IllegalStateException("the histogram is empty");
    // As HdrHistogram: the percentile taken a hair lower, so 99.9% of 1000 is rank 999, not 1000.
    long rank = Math.max(1, (long) Math.ceil(Math.nextDown(percentile) * total / 100.0));
    long seen = 0;
    for (int i = 0; i < bins.length; i++) {
      seen += counts[i];
      if (seen >= rank) return highestOf(bins[i]);
    }
    return highestOf(bins[bins.length - 1]);
  }

  /** The highest value of the highest non-empty bin. */
  public long max() {
    if (total == 0) throw new IllegalStateException("the histogram is empty");
    return highestOf(bins[bins.length - 1]);
  }

  /** The mean of the bins' middle values, weighted by their counts, in milliseconds. */
  public double mean() {
    if (total == 0) throw new IllegalStateException("the histogram is empty");
    double sum = 0;
    for (int i = 0; i < bins.length; i++) {
      sum += counts[i] * ((lowestOf(bins[i]) + highestOf(bins[i])) / 2.0);
    }
    return sum / total;
  }

  /**
   * The two histograms' counts added bin by bin.
   *
   * @throws ArithmeticException if a count would pass {@link Long#MAX_VALUE}
   */
  public LatencyHistogram plus(LatencyHistogram other) {
    if (other.total == 0) return this;
    if (total == 0) return other;
    return new Builder().add(this).add(other).build();
  }

  /** The same counts in an HdrHistogram {@code Histogram(1, 3_600_000, 2)}. */
  public Histogram toHdrHistogram() {
    Histogram h = new Histogram(1, MAX_MILLIS, 2);
    for (int i = 0; i < bins.length; i++) h.recordValueWithCount(lowestOf(bins[i]), counts[i]);
    return h;
  }

  /**
   * The sparse form as bytes: a format byte, the number of non-empty bins, then per bin the gap
   * from the previous bin and the count, each an unsigned variable-length integer (7 bits a byte).
   * A bin of a count under 128 takes 2 bytes or less. From 48 bytes on, the same bytes after the
   * format byte are deflated (format 2) when that is shorter: per-series histograms of a quarter
   * hour then take less than HdrHistogram's compressed encoding of the same counts.
   */
  public byte[] encode() {
    byte[] plain = encodePlain();
    if (plain.length < DEFLATE_FROM) return plain;
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    try {
      deflater.setInput(plain, 1, plain.length - 1);
      deflater.finish();
      byte[] out = new byte[plain.length];
      out[0] = DEFLATED;
      int n = deflater.deflate(out, 1, out.length - 1);
      if (!deflater.finished() || n + 1 >= plain.length) return plain;
      return Arrays.copyOf(out, n + 1);
    } finally {
      deflater.end();
    }
  }

  private byte[] encodePlain() {
    Varints.Writer out = new Varints.Writer(2 + 3 * bins.length);
    out.writeByte(FORMAT);
    out.write(bins.length);
    int previous = -1;
    for (int i = 0; i < bins.length; i++) {
      out.write(bins[i] - previous);
      out.write(counts[i]);
      previous = bins[i];
    }
    return out.toArray();
  }

  /**
   * Reads what {@link #encode()} wrote.
   *
   * @throws IllegalArgumentException if the bytes are not such an encoding
   */
  public static LatencyHistogram decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length > 0 && bytes[0] == DEFLATED) bytes = inflate(bytes);
    int[] pos = {0};
    if (bytes.length == 0 || bytes[0] != FORMAT) {
      throw new IllegalArgumentException(
          "not an encoded latency histogram: format byte "
              + (bytes.length == 0 ? "missing" : bytes[0]));
    }
    pos[0] = 1;
    long n = Varints.read(bytes, pos);
    if (n > BINS) throw new IllegalArgumentException("encoded bins must be <= " + BINS + ": " + n);
    int[] bins = new int[(int) n];
    long[] counts = new long[(int) n];
    long total = 0;
    int previous = -1;
    for (int i = 0; i < n; i++) {
      long gap = Varints.read(bytes, pos);
      long count = Varints.read(bytes, pos);
      if (gap < 1 || previous + gap > MAX_BIN || count < 1) {
        throw new IllegalArgumentException(
            "encoded bin " + i + " is out of order or empty: gap " + gap + ", count " + count);
      }
      previous += (int) gap;
      bins[i] = previous;
      counts[i] = count;
      total = Math.addExact(total, count);
    }
    if (pos[0] != bytes.length) {
      throw new IllegalArgumentException(
          "encoded histogram has " + (bytes.length - pos[0]) + " trailing bytes");
    }
    return n == 0 ? EMPTY : new LatencyHistogram(bins, counts, total);
  }

  private static byte[] inflate(byte[] bytes) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(bytes, 1, bytes.length - 1);
      // Grown as needed up to 1 + 10 + 20 bytes per bin, a bound on what a valid encoding holds.
      int limit = 1 + 10 + 20 * BINS;
      byte[] out = new byte[Math.min(limit, Math.max(64, 8 * bytes.length))];
      out[0] = FORMAT;
      int n = 1;
      while (!inflater.finished() && n < limit) {
        if (n == out.length) out = Arrays.copyOf(out, Math.min(limit, out.length * 2));
        int got = inflater.inflate(out, n, out.length - n);
        if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
        n += got;
      }
      if (!inflater.finished() || inflater.getRemaining() != 0) {
        throw new IllegalArgumentException("deflated histogram is truncated or too long");
      }
      return Arrays.copyOf(out, n);
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("deflated histogram is corrupt: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LatencyHistogram h
        && total == h.total
        && Arrays.equals(bins, h.bins)
        && Arrays.equals(counts, h.counts);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(bins) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    if (total == 0) return "LatencyHistogram[empty]";
    return "LatencyHistogram[count="
        + total
        + ", p50="
        + valueAtPercentile(50)
        + " ms, p99="
        + valueAtPercentile(99)
        + " ms, max="
        + max()
        + " ms]";
  }

  /**
   * Adds counts into a histogram under construction: dense over the window of bins seen so far,
   * which grows as needed, so merging many histograms costs their non-empty bins. Not thread-safe.
   */
  public static final class Builder {
    private long[] window = new long[0];
    private int base;
    private long total;

    /** An empty builder. */
    public Builder() {}

    /**
     * Adds {@code count} values of {@code millis}.
     *
     * @throws IllegalArgumentException if {@code millis} is out of range or {@code count} negative
     */
    public Builder addMillis(long millis, long count) {
      return addBin(binOf(millis), count);
    }

    /**
     * Adds {@code count} to {@code bin}.
     *
     * @throws IllegalArgumentException if the bin is out of range or the count negative
     * @throws ArithmeticException if a count would pass {@link Long#MAX_VALUE}
     */
    public Builder addBin(int bin, long count) {
      checkBin(bin);
      if (count < 0) throw new IllegalArgumentException("count must be >= 0: " + count);
      if (count == 0) return this;
      cover(bin, bin);
      window[bin - base] = Math.addExact(window[bin - base], count);
      total = Math.addExact(total, count);
      return this;
    }

    /** Adds every count of {@code h}. */
    public Builder add(LatencyHistogram h) {
      if (h.total == 0) return this;
      cover(h.bins[0], h.bins[h.bins.length - 1]);
      for (int i = 0; i < h.bins.length; i++) {
        int at = h.bins[i] - base;
        window[at] = Math.addExact(window[at], h.counts[i]);
      }
      total = Math.addExact(total, h.total);
      return this;
    }

    /** How many values were added. */
    public long count() {
      return total;
    }

    private void cover(int low, int high) {
      if (window.length == 0) {
        base = low;
        window = new long[Math.max(high - low + 1, 64)];
        if (base + window.length > BINS) base = BINS - window.length;
        return;
      }
      if (low >= base && high < base + window.length) return;
      int newLow = Math.min(low, base);
      int newHigh = Math.max(high, base + window.length - 1);
      // Grow by at least half again, so adding bin by bin stays linear.
      int size = Math.min(Math.max(newHigh - newLow + 1, window.length + window.length / 2), BINS);
      int newBase = Math.min(newLow, BINS - size);
      if (newHigh >= newBase + size) newBase = newHigh - size + 1;
      long[] grown = new long[size];
      System.arraycopy(window, 0, grown, base - newBase, window.length);
      window = grown;
      base = newBase;
    }

    /** The histogram of everything added; the builder may go on being used. */
    public LatencyHistogram build() {
      if (total == 0) return EMPTY;
      int n = 0;
      for (long c : window) if (c != 0) n++;
      int[] bins = new int[n];
      long[] counts = new long[n];
      int i = 0;
      for (int j = 0; j < window.length; j++) {
        if (window[j] != 0) {
          bins[i] = base + j;
          counts[i++] = window[j];
        }
      }
      return new LatencyHistogram(bins, counts, total);
    }
  }
}
