package dev.usagestats;

/** Which token count a trend point's {@code value} shows. */
public enum SeriesView {
  /** Input plus output tokens. */
  TOTAL,
  /** Input tokens. */
  INPUT,
  /** Output tokens. */
  OUTPUT;

  /** The value of this view for the given counts. */
  public long of(long inputTokens, long outputTokens) {
    return switch (this) {
      case TOTAL -> inputTokens + outputTokens;
      case INPUT -> inputTokens;
      case OUTPUT -> outputTokens;
    };
  }
}
