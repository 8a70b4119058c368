package dev.usagestats.jdbc;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Which stored rows a read takes: for each bucket, the fewest rows of the store's grids and
 * 15-minute rows that tile it exactly, and every minute row in range. A New York day is one day row
 * where New York's days have a grid, else 24 hour rows; a Kathmandu day is its day row, or 24 hour
 * rows on its quarter-past grid, or 23 UTC hour rows and the 15-minute rows at its two edges.
 *
 * <p>Immutable; built per read by {@link #of}.
 *
 * <pre>
 * Design notes
 *
 * Exact by construction. A bucket [s, e) is cut into consecutive tiles, each a 15-minute row span,
 * an hour row span or a day row span that starts where the previous one ends and ends by e. A coarse
 * row holds exactly the 15-minute rows of its span (the compactor, the writer and the grid
 * registration keep it so, in the transactions that change them), so the tiles' rows sum to the
 * bucket's 15-minute rows; minute rows, which no coarse or 15-minute row holds yet, are read for
 * the whole range. No row is read twice: tiles do not overlap, and each row has one grain.
 *
 * Fewest rows. Per bucket, a shortest path over its quarter-hour positions (from the end back,
 * each position the fewest tiles to the bucket's end: a quarter, or an hour or a day where a grid
 * starts there and the row fits), ties going to the longer tile. Linear in the quarter hours of the
 * range; a range longer than MAX_QUARTERS gets no plan and is read from 15-minute rows.
 *
 * As SQL. Long runs of 15-minute tiles (16 or more: hours no grid tiles, as in an HOUR report in a
 * zone off the UTC hour without its own grid) become ranges; other tiles are lists of starts per
 * grain, since rows of several grids of one grain lie between any two starts.
 * </pre>
 */
final class ReadPlan {
  private static final int QUARTER_S = 900;
  private static final int LONG_RUN = 16;

  /** About 28 years of quarter hours: beyond, no plan. */
  static final long MAX_QUARTERS = 1_000_000;

  /** The first and the end second of the whole range: the minute rows to read. */
  final long from;

  final long to;

  /** Starts of single 15-minute rows. */
  final long[] quarters;

  /** Ranges of 15-minute rows, [start, end) pairs in a row. */
  final long[] quarterRanges;

  /** Starts of hour rows. */
  final long[] hours;

  /** Starts of day rows. */
  final long[] days;

  private ReadPlan(
      long from, long to, long[] quarters, long[] quarterRanges, long[] hours, long[] days) {
    this.from = from;
    this.to = to;
    this.quarters = quarters;
    this.quarterRanges = quarterRanges;
    this.hours = hours;
    this.days = days;
  }

  /**
   * The plan for bucket bounds in epoch seconds over {@code grids}, or null if a bound is not on a
   * 15-minute step or the range is too long to plan.
   */
  static @Nullable ReadPlan of(long[] bounds, List<Grid> grids) {
    return of(bounds, grids, Long.MIN_VALUE);
  }

  /**
   * {@link #of(long[], List)} taking hour and day rows only where they start at or after {@code
   * coarseFrom} (a quarter-hour step, in epoch seconds): before it, 15-minute rows. Retention keeps
   * an hour or day row whole while the 15-minute rows of its earlier part go, so from before the
   * store's {@code keptFrom} a read takes 15-minute rows and counts what they still hold, as the
   * plan without grids would.
   */
  static @Nullable ReadPlan of(long[] bounds, List<Grid> grids, long coarseFrom) {
    for (long b : bounds) if (Math.floorMod(b, QUARTER_S) != 0) return null;
    long from = bounds[0];
    long to = bounds[bounds.length - 1];
    if ((to - from) / QUARTER_S > MAX_QUARTERS) return null;
    boolean[] hourAt = new boolean[3600 / QUARTER_S];
    boolean[] dayAt = new boolean[86_400 / QUARTER_S];
    for (Grid g : grids) {
      (g.minutes() == Grid.HOUR ? hourAt : dayAt)[g.anchor() / QUARTER_S] = true;
    }
    Longs quarters = new Longs();
    Longs ranges = new Longs();
    Longs hours = new Longs();
    Longs days = new Longs();
    long runStart = 0;
    int runLength = 0;
    for (int b = 0; b + 1 < bounds.length; b++) {
      int[] step = steps(bounds[b], bounds[b + 1], hourAt, dayAt, coarseFrom);
      long p = bounds[b];
      for (int i = 0; i < step.length; ) {
        int n = step[i];
        if (n == 1) {
          if (runLength == 0 || runStart + (long) runLength * QUARTER_S != p) {
            flush(quarters, ranges, runStart, runLength);
            runStart = p;
            runLength = 0;
          }
          runLength++;
        } else {
          (n == 4 ? hours : days).add(p);
        }
        p += (long) n * QUARTER_S;
        i += n;
      }
    }
    flush(quarters, ranges, runStart, runLength);
    return new ReadPlan(
        from, to, quarters.toArray(), ranges.toArray(), hours.toArray(), days.toArray());
  }

  /**
   * The tiles of [s, e) as quarter-hour counts (1, 4 or 96) at the position each starts, from the
   * fewest-tiles path; positions inside a tile are 0.
   */
  private static int[] steps(long s, long e, boolean[] hourAt, boolean[] dayAt, long coarseFrom) {
    int n = (int) ((e - s) / QUARTER_S);
    int[] best = new int[n + 1];
    int[] step = new int[n + 1];
    for (int i = n - 1; i >= 0; i--) {
      long p = s + (long) i * QUARTER_S;
      best[i] = best[i + 1] + 1;
      step[i] = 1;
      if (p < coarseFrom) continue;
      if (i + 4 <= n && hourAt[(int) (Math.floorMod(p, 3600) / QUARTER_S)]) {
        if (best[i + 4] + 1 <= best[i]) {
          best[i] = best[i + 4] + 1;
          step[i] = 4;
        }
      }
      if (i + 96 <= n && dayAt[(int) (Math.floorMod(p, 86_400) / QUARTER_S)]) {
        if (best[i + 96] + 1 <= best[i]) {
          best[i] = best[i + 96] + 1;
          step[i] = 96;
        }
      }
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i += step[i]) out[i] = step[i];
    return out;
  }

  private static void flush(Longs quarters, Longs ranges, long start, int length) {
    if (length >= LONG_RUN) {
      ranges.add(start);
      ranges.add(start + (long) length * QUARTER_S);
    } else {
      for (int k = 0; k < length; k++) quarters.add(start + (long) k * QUARTER_S);
    }
  }

  @Override
  public String toString() {
    return "ReadPlan[quarters="
        + Arrays.toString(quarters)
        + ", quarterRanges="
        + Arrays.toString(quarterRanges)
        + ", hours="
        + hours.length
        + ", days="
        + days.length
        + "]";
  }

  /** A growing list of longs. */
  private static final class Longs {
    private long[] a = new long[16];
    private int n;

    void add(long v) {
      if (n == a.length) a = Arrays.copyOf(a, n * 2);
      a[n++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
