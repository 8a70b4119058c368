package dev.usagestats;

/** Which token count a trend point's {@code value} shows. */
public enum SeriesView {
  /** Input plus output tokens. */
  TOTAL,
  /** Input tokens. */
  INPUT,
  /** Output tokens. */
  OUTPUT;

  /**
   * The value of this view for the given counts.
   *
   * @throws ArithmeticException if the total would pass {@link Long#MAX_VALUE}
   */
  public long of(long inputTokens, long outputTokens) {
    return switch (this) {
      case TOTAL -> Math.addExact(inputTokens, outputTokens);
      case INPUT -> inputTokens;
      case OUTPUT -> outputTokens;
    };
  }
}
