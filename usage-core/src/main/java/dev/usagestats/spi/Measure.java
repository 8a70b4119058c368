package dev.usagestats.spi;

import dev.usagestats.UsageTotals;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The measured fields a rollup keeps per series and bucket, defined once. Every layer reads this
 * definition: the engine's live cells and memory rollups index their counters by {@link
 * #ordinal()}, pending rows and {@link UsageTotals} convert through {@link #counts} and {@link
 * #totals}, and a store names its columns with {@link #column()}. Adding a counter is one constant
 * here, its {@link UsageTotals} component, a schema migration in each store, and tests.
 *
 * <p>Every measure is a counter that adds. Parts are parts of a whole: cached-read and
 * cache-creation tokens are parts of input tokens, reasoning tokens part of output tokens, and
 * {@link UsageTotals#totalTokens()} adds input and output only.
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
  REASONING_TOKENS("reasoningTokens", "reasoning_tokens", UsageTotals::reasoningTokens);

  private static final List<Measure> ALL = List.of(values());

  /**
   * How many measures there are: the length of a counts array. A constant, so loops over counts
   * compile to fixed bounds; checked against the constants below when the class loads.
   */
  public static final int COUNT = 7;

  static {
    if (COUNT != ALL.size()) throw new AssertionError("COUNT must be " + ALL.size());
  }

  private final String field;
  private final String column;
  private final ToLongFunction<UsageTotals> accessor;

  Measure(String field, String column, ToLongFunction<UsageTotals> accessor) {
    this.field = field;
    this.column = column;
    this.accessor = accessor;
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

  /** This measure's value in {@code totals}. */
  public long of(UsageTotals totals) {
    return accessor.applyAsLong(totals);
  }

  /** The counts of {@code totals}, indexed by {@link #ordinal()}. */
  public static long[] counts(UsageTotals totals) {
    long[] counts = new long[COUNT];
    for (Measure m : ALL) counts[m.ordinal()] = m.of(totals);
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
   * Adds {@code delta} into {@code into}, element by element (both indexed by ordinal).
   *
   * @throws ArithmeticException if a sum would pass {@link Long#MAX_VALUE}
   */
  public static void add(long[] into, long[] delta) {
    for (int i = 0; i < COUNT; i++) into[i] = Math.addExact(into[i], delta[i]);
  }

  /** Whether every count is zero. */
  public static boolean isZero(long[] counts) {
    for (long v : counts) if (v != 0) return false;
    return true;
  }
}
