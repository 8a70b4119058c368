package dev.usagestats;

/** Which count a trend point's {@code value} shows: tokens, or, for a priced report, the cost. */
public enum SeriesView {
  /** Input plus output tokens. */
  TOTAL,
  /** Input tokens. */
  INPUT,
  /** Output tokens. */
  OUTPUT,
  /** The most input plus output tokens in one UTC minute of the bucket (peak TPM); -1 unknown. */
  PEAK_TOKENS_PER_MINUTE,
  /** The most calls in one UTC minute of the bucket (peak RPM); -1 unknown. */
  PEAK_CALLS_PER_MINUTE,
  /**
   * The cost, in the currency's minor units rounded half-even (the exact cost is {@link
   * TrendPoint#cost()}); needs a price book on the engine or the query.
   */
  COST;

  /** Whether this view shows a peak rate rather than a token count. */
  public boolean isPeak() {
    return this == PEAK_TOKENS_PER_MINUTE || this == PEAK_CALLS_PER_MINUTE;
  }

  /**
   * The value of this view for a bucket's counts and peaks.
   *
   * @throws ArithmeticException if the total would pass {@link Long#MAX_VALUE}
   */
  public long of(long inputTokens, long outputTokens, long peakCalls, long peakTokens) {
    return switch (this) {
      case PEAK_TOKENS_PER_MINUTE -> peakTokens;
      case PEAK_CALLS_PER_MINUTE -> peakCalls;
      default -> of(inputTokens, outputTokens);
    };
  }

  /**
   * The value of this token view for the given counts.
   *
   * @throws ArithmeticException if the total would pass {@link Long#MAX_VALUE}
   * @throws UnsupportedOperationException for a peak view, which needs the peaks
   * @throws IllegalStateException for {@link #COST}, which is no token count
   */
  public long of(long inputTokens, long outputTokens) {
    return switch (this) {
      case TOTAL -> Math.addExact(inputTokens, outputTokens);
      case INPUT -> inputTokens;
      case OUTPUT -> outputTokens;
      case PEAK_TOKENS_PER_MINUTE, PEAK_CALLS_PER_MINUTE ->
          throw new UnsupportedOperationException(this + " needs the bucket's peaks");
      case COST -> throw new IllegalStateException("view COST is a cost, not a token count");
    };
  }
}
