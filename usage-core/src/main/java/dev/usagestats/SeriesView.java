package dev.usagestats;

/** Which count a trend point's {@code value} shows: tokens, or, for a priced report, the cost. */
public enum SeriesView {
  /** Input plus output tokens. */
  TOTAL,
  /** Input tokens. */
  INPUT,
  /** Output tokens. */
  OUTPUT,
  /**
   * The cost, in the currency's minor units rounded half-even (the exact cost is {@link
   * TrendPoint#cost()}); needs a price book on the engine or the query.
   */
  COST;

  /**
   * The value of this token view for the given counts.
   *
   * @throws ArithmeticException if the total would pass {@link Long#MAX_VALUE}
   * @throws IllegalStateException for {@link #COST}, which is no token count
   */
  public long of(long inputTokens, long outputTokens) {
    return switch (this) {
      case TOTAL -> Math.addExact(inputTokens, outputTokens);
      case INPUT -> inputTokens;
      case OUTPUT -> outputTokens;
      case COST -> throw new IllegalStateException("view COST is a cost, not a token count");
    };
  }
}
