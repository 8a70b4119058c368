package dev.usagestats.spi;

import dev.usagestats.UsageTotals;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The measured fields a rollup keeps per series and bucket, defined once. Every layer reads this
 * definition: the engine's live cells and memory rollups index their counters by {@link
 * #ordinal()}, pending rows and {@link UsageTotals} convert through {@link #counts} and {@link
 * #totals}, and a store names its columns with {@link #column()}. Adding a counter is one constant
 * here, its {@link UsageTotals} component, a schema migration in each store, and tests.
 *
 * <p>Counters ({@link Merge#SUM}) add. Parts are parts of a whole: cached-read and cache-creation
 * tokens are parts of input tokens, reasoning tokens part of output tokens, and {@link
 * UsageTotals#totalTokens()} adds input and output only.
 *
 * <p>Peaks ({@link Merge#MAX}) are the most of some counters in any one UTC minute of the span. At
 * minute grain a peak is not kept but derived from the minute's own sums ({@link #sources()}):
 * every layer that holds whole minutes (memory minute slots, a store's minute rows, which add up
 * across flushes and nodes) derives it there, and coarser spans merge peaks by maximum, so the
 * recording path never sees them. A peak may be unknown ({@link #UNKNOWN}: a store row written
 * before peaks were kept); unknown merged with anything stays unknown. Peaks are not part of {@link
 * UsageTotals}: {@link #counts} leaves them 0 and {@link #totals} ignores them.
 */
public enum Measure {
  /** Invocations, errors included. */
  CALLS("calls", "calls", UsageTotals::calls),
  /** Invocations that ended in error. */
  ERRORS("errors", "errors", UsageTotals::errors),
  /** Prompt tokens, cached-read and cache-creation tokens included. */
  INPUT_TOKENS("inputTokens", "input_tokens", UsageTotals::inputTokens),
  /** Completion tokens, reasoning tokens included. */
  OUTPUT_TOKENS("outputTokens", "output_tokens", UsageTotals::outputTokens),
  /** Part of the input tokens read from a prompt cache. */
  CACHED_INPUT_TOKENS("cachedInputTokens", "cached_input_tokens", UsageTotals::cachedInputTokens),
  /** Part of the input tokens written to a prompt cache. */
  CACHE_CREATION_INPUT_TOKENS(
      "cacheCreationInputTokens",
      "cache_creation_input_tokens",
      UsageTotals::cacheCreationInputTokens),
  /** Part of the output tokens spent on reasoning. */
  REASONING_TOKENS("reasoningTokens", "reasoning_tokens", UsageTotals::reasoningTokens),
  /** The most calls in one UTC minute of the span (requests per minute at the peak). */
  PEAK_CALLS_PER_MINUTE("peakCallsPerMinute", "peak_calls", 0),
  /** The most input plus output tokens in one UTC minute of the span (tokens per minute). */
  PEAK_TOKENS_PER_MINUTE("peakTokensPerMinute", "peak_tokens", 2, 3);

  /** How values of a measure combine when spans or rows merge. */
  public enum Merge {
    /** Values add: counters. */
    SUM,
    /** The larger value wins, {@link #UNKNOWN} wins over any: peaks. */
    MAX
  }

  /** A peak that is not known (a row written before peaks were kept). */
  public static final long UNKNOWN = -1;

  private static final List<Measure> ALL = List.of(values());

  /**
   * How many measures there are: the length of a counts array. A constant, so loops over counts
   * compile to fixed bounds; checked against the constants below when the class loads.
   */
  public static final int COUNT = 9;

  static {
    if (COUNT != ALL.size()) throw new AssertionError("COUNT must be " + ALL.size());
  }

  private static final List<Measure> SUMS = ALL.stream().filter(m -> m.merge == Merge.SUM).toList();
  private static final List<Measure> PEAKS =
      ALL.stream().filter(m -> m.merge == Merge.MAX).toList();

  private static final boolean[] IS_PEAK = new boolean[COUNT];

  static {
    for (Measure m : PEAKS) IS_PEAK[m.ordinal()] = true;
  }

  private final String field;
  private final String column;
  private final @Nullable ToLongFunction<UsageTotals> accessor;
  private final Merge merge;
  private final int[] sourceIndexes;

  Measure(String field, String column, ToLongFunction<UsageTotals> accessor) {
    this.field = field;
    this.column = column;
    this.accessor = accessor;
    this.merge = Merge.SUM;
    this.sourceIndexes = new int[0];
  }

  /** A peak of the sum of the counters at {@code sources} (ordinals, which come first). */
  Measure(String field, String column, int... sources) {
    this.field = field;
    this.column = column;
    this.accessor = null;
    this.merge = Merge.MAX;
    this.sourceIndexes = sources;
  }

  /** How this measure merges. */
  public Merge merge() {
    return merge;
  }

  /** Whether this is a peak (merges by maximum). */
  public boolean isPeak() {
    return merge == Merge.MAX;
  }

  /**
   * For a peak, the counters whose sum in one minute is the peak of that minute ({@code
   * PEAK_TOKENS_PER_MINUTE}: input and output tokens); empty for a counter.
   */
  public List<Measure> sources() {
    List<Measure> out = new ArrayList<>(sourceIndexes.length);
    for (int i : sourceIndexes) out.add(ALL.get(i));
    return out;
  }

  /** The counters ({@link Merge#SUM}), in index order: the components of {@link UsageTotals}. */
  public static List<Measure> sums() {
    return SUMS;
  }

  /** The peaks ({@link Merge#MAX}), in index order. */
  public static List<Measure> peaks() {
    return PEAKS;
  }

  /**
   * Sets the peaks of {@code counts}, the sums of one whole minute, from those sums: the peak of a
   * minute is the minute itself.
   */
  public static void derivePeaks(long[] counts) {
    for (Measure p : PEAKS) {
      long v = 0;
      for (int i : p.sourceIndexes) v = Math.addExact(v, counts[i]);
      counts[p.ordinal()] = v;
    }
  }

  /** Merges one value of this measure into another: a sum, or the larger (unknown wins). */
  public long merge(long into, long value) {
    if (merge == Merge.SUM) return Math.addExact(into, value);
    if (into == UNKNOWN || value == UNKNOWN) return UNKNOWN;
    return Math.max(into, value);
  }

  /** Every measure, in index order. */
  public static List<Measure> all() {
    return ALL;
  }

  /** The name of the {@link UsageTotals} component, for messages: {@code inputTokens}. */
  public String field() {
    return field;
  }

  /** The store column: {@code input_tokens}. */
  public String column() {
    return column;
  }

  /**
   * This counter's value in {@code totals}.
   *
   * @throws UnsupportedOperationException for a peak, which {@link UsageTotals} does not hold
   */
  public long of(UsageTotals totals) {
    if (accessor == null) {
      throw new UnsupportedOperationException(this + " is a peak, not part of UsageTotals");
    }
    return accessor.applyAsLong(totals);
  }

  /** The counts of {@code totals}, indexed by {@link #ordinal()}; peaks are 0. */
  public static long[] counts(UsageTotals totals) {
    long[] counts = new long[COUNT];
    for (Measure m : SUMS) counts[m.ordinal()] = m.of(totals);
    return counts;
  }

  /**
   * Totals from counts indexed by {@link #ordinal()}.
   *
   * @throws IllegalArgumentException if {@code counts} has the wrong length or a negative count
   */
  public static UsageTotals totals(long[] counts) {
    if (counts.length != COUNT) {
      throw new IllegalArgumentException(
          "counts must have " + COUNT + " entries: " + counts.length);
    }
    return new UsageTotals(
        counts[CALLS.ordinal()],
        counts[ERRORS.ordinal()],
        counts[INPUT_TOKENS.ordinal()],
        counts[OUTPUT_TOKENS.ordinal()],
        counts[CACHED_INPUT_TOKENS.ordinal()],
        counts[CACHE_CREATION_INPUT_TOKENS.ordinal()],
        counts[REASONING_TOKENS.ordinal()]);
  }

  /**
   * Merges {@code delta} into {@code into}, element by element (both indexed by ordinal), each
   * measure by its {@link #merge()}: counters add, peaks take the larger.
   *
   * @throws ArithmeticException if a sum would pass {@link Long#MAX_VALUE}
   */
  public static void add(long[] into, long[] delta) {
    for (int i = 0; i < COUNT; i++) {
      if (!IS_PEAK[i]) {
        into[i] = Math.addExact(into[i], delta[i]);
      } else if (into[i] == UNKNOWN || delta[i] == UNKNOWN) {
        into[i] = UNKNOWN;
      } else {
        into[i] = Math.max(into[i], delta[i]);
      }
    }
  }

  /** Whether every counter is zero (peaks are not looked at). */
  public static boolean isZero(long[] counts) {
    for (Measure m : SUMS) if (counts[m.ordinal()] != 0) return false;
    return true;
  }
}
