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
 * <p>Peaks ({@link Measure#isPeak()}) merge by maximum in slots, groups and chunk totals. A rollup
 * of whole minutes ({@code derivesPeaks}) keeps none: a minute's peak is its own sums, derived when
 * read.
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
  private final boolean derivesPeaks;
  private Chunk[][] rings = new Chunk[64][];
  private long completeFrom = Long.MIN_VALUE;
  private long newestIndex = Long.MIN_VALUE;
  private long oldestIndex = Long.MAX_VALUE;

  MemoryRollups(long slotMillis, int slotsPerChunk, int group, int ringSize) {
    this(slotMillis, slotsPerChunk, group, ringSize, slotMillis == MinuteClock.MINUTE_MS);
  }

  MemoryRollups(long slotMillis, int slotsPerChunk, int group, int ringSize, boolean derivesPeaks) {
    this.derivesPeaks = derivesPeaks;
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
    add(seriesId, millis, fields, false);
  }

  /**
   * Like {@link #add(int, long, long[])}; a peak aggregate's sums ({@code aggregate}) are not
   * bounded per series like a series' (they add up every series of a model), so they stop at {@link
   * Long#MAX_VALUE} instead of failing: reports read only their calls and peaks, never add them
   * into sums, and a peak that reads {@link Long#MAX_VALUE} is at least that.
   */
  void add(int seriesId, long millis, long[] fields, boolean aggregate) {
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
        boolean peak = PEAK[f];
        if (peak && derivesPeaks) continue;
        long[] slots = c.fields[f];
        long[] groups = c.groups[f];
        if (slots == null) {
          slots = new long[slotsPerChunk];
          groups = new long[slotsPerChunk / group];
          c.fields[f] = slots;
          c.groups[f] = groups;
        }
        if (peak) {
          slots[slot] = Math.max(slots[slot], v);
          groups[slot / group] = Math.max(groups[slot / group], v);
          c.totals[f] = Math.max(c.totals[f], v);
        } else {
          if (aggregate) {
            slots[slot] = saturatedAdd(slots[slot], v);
            groups[slot / group] = saturatedAdd(groups[slot / group], v);
            c.totals[f] = saturatedAdd(c.totals[f], v);
          } else {
            // Per series, bounded (Series.MAX_TOKENS_PER_SERIES): checked so a broken bound fails
            // loudly instead of wrapping.
            slots[slot] = Math.addExact(slots[slot], v);
            groups[slot / group] += v;
            c.totals[f] = Math.addExact(c.totals[f], v);
          }
        }
      }
    }
  }

  /**
   * Copies the counters of the series' slot holding {@code millis} into {@code into} (peaks left as
   * they are); false if memory no longer holds that slot.
   */
  boolean sumsAt(int seriesId, long millis, long[] into) {
    long index = Math.floorDiv(millis, chunkMillis);
    Chunk c = chunk(seriesId, index);
    if (c == null) return false;
    int slot = (int) ((millis - index * chunkMillis) / slotMillis);
    for (Measure m : Measure.sums()) {
      long[] v = c.fields[m.ordinal()];
      into[m.ordinal()] = v == null ? 0 : v[slot];
    }
    return true;
  }

  /** {@code a + b} for counts (never negative), or {@link Long#MAX_VALUE} if it would pass it. */
  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  private static final boolean[] PEAK = new boolean[Measure.COUNT];
  private static final int PEAK_CALLS = Measure.PEAK_CALLS_PER_MINUTE.ordinal();
  private static final int PEAK_TOKENS = Measure.PEAK_TOKENS_PER_MINUTE.ordinal();

  static {
    for (Measure m : Measure.peaks()) PEAK[m.ordinal()] = true;
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
    boolean byGroup = !derivesPeaks;
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
    // Per bucket of one series: calls, peak calls, peak tokens; and an aggregate's sums, which
    // never go into the report's sums.
    long[][] peaks = new long[3][plan.size()];
    long[][] aggregateTrend = new long[3][plan.size()];
    boolean seriesPeaks = acc.needsSeriesPeaks();
    for (int i = 0; i < count; i++) {
      Series s = series[i];
      boolean aggregate = s.isAggregate();
      if (aggregate ? !acc.wantsAggregate(s.key) : !acc.matches(s.key)) continue;
      // A series' own peaks only matter when the report bounds peaks from series.
      boolean withPeaks = aggregate || seriesPeaks;
      long[][] trend = null;
      Arrays.fill(fields, 0);
      if (withPeaks) for (long[] p : peaks) Arrays.fill(p, 0);
      for (int ci = 0; ci < chunks; ci++) {
        Chunk c = chunk(s.id, firstIndex + ci);
        if (c == null) continue;
        if (trend == null) {
          if (aggregate) {
            for (long[] t : aggregateTrend) Arrays.fill(t, 0);
            trend = aggregateTrend;
          } else {
            trend = acc.trendOf(s.key);
          }
        }
        int[] buckets = stepBuckets[ci];
        if (buckets == null) {
          buckets = new int[steps];
          long start = (firstIndex + ci) * chunkMillis;
          for (int k = 0; k < steps; k++) buckets[k] = plan.bucketOf(start + k * step);
          stepBuckets[ci] = buckets;
        }
        addChunk(c, byGroup ? c.groups : c.fields, buckets, fields, trend);
        if (withPeaks) addPeaks(c, byGroup ? c.groups : c.fields, buckets, peaks);
      }
      if (trend == null) continue;
      if (!aggregate) acc.addTotals(s.key, fields);
      if (!withPeaks) continue;
      acc.addPeaks(s.key, peaks[0], aggregate ? aggregateTrend[0] : null, peaks[1], peaks[2]);
    }
  }

  /**
   * Into {@code peaks} (per bucket: whether the series had calls there, peak calls, peak tokens):
   * the larger of what is there and each slot's peaks, derived from the slot's sums in a rollup of
   * whole minutes.
   */
  private void addPeaks(Chunk c, long[][] values, int[] buckets, long[][] peaks) {
    int first = buckets[0];
    if (!derivesPeaks && first >= 0 && first == buckets[buckets.length - 1]) {
      // the whole chunk in one bucket: its totals hold its peaks
      peaks[0][first] = 1;
      peaks[1][first] = Math.max(peaks[1][first], c.totals[PEAK_CALLS]);
      peaks[2][first] = Math.max(peaks[2][first], c.totals[PEAK_TOKENS]);
      return;
    }
    long[] calls = values[Series.CALLS];
    long[] input = values[Series.INPUT];
    long[] output = values[Series.OUTPUT];
    long[] peakCalls = derivesPeaks ? calls : values[PEAK_CALLS];
    long[] peakTokens = values[PEAK_TOKENS];
    for (int k = 0; k < buckets.length; k++) {
      int b = buckets[k];
      if (b < 0 || calls[k] == 0) continue;
      long tokens;
      if (derivesPeaks) {
        tokens = (input == null ? 0 : input[k]) + (output == null ? 0 : output[k]);
      } else {
        tokens = peakTokens == null ? 0 : peakTokens[k];
      }
      peaks[0][b] = 1;
      peaks[1][b] = Math.max(peaks[1][b], peakCalls == null ? 0 : peakCalls[k]);
      peaks[2][b] = Math.max(peaks[2][b], tokens);
    }
  }

  /**
   * Like {@link #read}, for a priced report: sums each series' slots per read bucket for every
   * summed measure (the read plan has a bound at each price change) and takes the largest of its
   * peaks there as {@link #read} does, then hands the accumulator one row per series and non-empty
   * bucket, which it prices. Peak aggregates are read like series and add peaks only.
   */
  private void readPriced(ReportAccumulator acc, Series[] series, int count) {
    BucketPlan plan = acc.plan();
    if (newestIndex == Long.MIN_VALUE) return;
    long firstIndex = Math.max(Math.floorDiv(plan.from(), chunkMillis), newestIndex - ringSize + 1);
    long lastIndex = Math.min(Math.floorDiv(plan.to() - 1, chunkMillis), newestIndex);
    if (firstIndex > lastIndex) return;
    int chunks = (int) (lastIndex - firstIndex + 1);
    // Per chunk: read its group sums when every bound inside it lies on a group bound (a price
    // change at 10:45 costs slot reads in its own chunk only), else its slots. A rollup that
    // derives peaks from its slots' sums never reads groups: a group's sums are no minute's.
    boolean[] byGroup = new boolean[chunks];
    int[][] stepBuckets = new int[chunks][];
    for (int ci = 0; ci < chunks; ci++) {
      long start = (firstIndex + ci) * chunkMillis;
      long end = start + chunkMillis;
      boolean groups = !derivesPeaks;
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
    // Per read bucket of one series: whether it had calls, peak calls, peak tokens.
    long[][] peaks = new long[3][plan.size()];
    long[] row = new long[Measure.COUNT];
    boolean seriesPeaks = acc.needsSeriesPeaks();
    for (int i = 0; i < count; i++) {
      Series s = series[i];
      boolean aggregate = s.isAggregate();
      if (aggregate ? !acc.wantsAggregate(s.key) : !acc.matches(s.key)) continue;
      boolean withPeaks = aggregate || seriesPeaks;
      int lo = Integer.MAX_VALUE;
      int hi = -1;
      for (int ci = 0; ci < chunks; ci++) {
        Chunk c = chunk(s.id, firstIndex + ci);
        if (c == null) continue;
        int[] buckets = stepBuckets[ci];
        int steps = buckets.length;
        long[][] values = byGroup[ci] ? c.groups : c.fields;
        if (withPeaks) addPeaks(c, values, buckets, peaks);
        int first = buckets[0];
        if (first >= 0 && first == buckets[steps - 1]) {
          for (int f = 0; f < Measure.COUNT; f++) if (!PEAK[f]) sums[f][first] += c.totals[f];
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
            if (v != null && !PEAK[f]) sums[f][b] += v[k];
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
        row[PEAK_CALLS] = peaks[1][b];
        row[PEAK_TOKENS] = peaks[2][b];
        peaks[0][b] = 0;
        peaks[1][b] = 0;
        peaks[2][b] = 0;
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
    long[] trendCalls = trend[0];
    long[] trendInput = trend[1];
    long[] trendOutput = trend[2];
    if (first >= 0 && first == last) {
      // The whole chunk in one bucket, the usual case of a long report: its totals only, so the
      // slot arrays (cache misses over thousands of chunks) are not touched.
      long[] totals = c.totals;
      for (int f = 0; f < Measure.COUNT; f++) fields[f] += totals[f];
      trendCalls[first] += totals[Series.CALLS];
      trendInput[first] += totals[Series.INPUT];
      trendOutput[first] += totals[Series.OUTPUT];
      return;
    }
    long[] calls = values[Series.CALLS];
    long[] input = values[Series.INPUT];
    long[] output = values[Series.OUTPUT];
    if (first >= 0 && last >= 0) {
      for (int f = 0; f < Measure.COUNT; f++) fields[f] += c.totals[f];
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
