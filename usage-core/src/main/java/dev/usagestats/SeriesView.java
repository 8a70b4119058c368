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
  COST,
  /** The median duration of the bucket's calls with latency, in milliseconds; -1 when none. */
  P50_DURATION,
  /** The 95th percentile of duration, in milliseconds; -1 when no call had latency. */
  P95_DURATION,
  /** The 99th percentile of duration, in milliseconds; -1 when no call had latency. */
  P99_DURATION,
  /** The 95th percentile of time to first token, in milliseconds; -1 when none was known. */
  P95_TIME_TO_FIRST_TOKEN;

  /** Whether this view shows a latency percentile rather than a token count. */
  public boolean isLatency() {
    return this == P50_DURATION
        || this == P95_DURATION
        || this == P99_DURATION
        || this == P95_TIME_TO_FIRST_TOKEN;
  }

  /**
   * The value of this latency view for a bucket's latency: milliseconds, -1 when it has none.
   *
   * @throws UnsupportedOperationException for a view that is no latency
   */
  public long of(LatencySummary latency) {
    LatencyStats d = latency.duration();
    LatencyStats t = latency.timeToFirstToken();
    return switch (this) {
      case P50_DURATION -> d.count() == 0 ? -1 : d.p50Millis();
      case P95_DURATION -> d.count() == 0 ? -1 : d.p95Millis();
      case P99_DURATION -> d.count() == 0 ? -1 : d.p99Millis();
      case P95_TIME_TO_FIRST_TOKEN -> t.count() == 0 ? -1 : t.p95Millis();
      default -> throw new UnsupportedOperationException(this + " is not a latency view");
    };
  }

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
      case P50_DURATION, P95_DURATION, P99_DURATION, P95_TIME_TO_FIRST_TOKEN ->
          throw new UnsupportedOperationException(this + " needs the bucket's latency");
    };
  }
}
