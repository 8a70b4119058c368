package dev.usagestats;

/**
 * Figures of one latency histogram, in milliseconds: how many calls it counts, their mean, the
 * 50th, 90th, 95th and 99th percentiles and the maximum, each within the histogram's precision
 * ({@link LatencyHistogram}: a percentile is never below the exact one and at most 0.8%, or 1 ms
 * under 256 ms, above it). With no calls every figure is 0: check {@link #count()}.
 *
 * @param count calls with this latency known
 * @param meanMillis their mean
 * @param p50Millis the median
 * @param p90Millis the 90th percentile
 * @param p95Millis the 95th percentile
 * @param p99Millis the 99th percentile
 * @param maxMillis the largest
 */
public record LatencyStats(
    long count,
    double meanMillis,
    long p50Millis,
    long p90Millis,
    long p95Millis,
    long p99Millis,
    long maxMillis) {

  /** No calls. */
  public static final LatencyStats NONE = new LatencyStats(0, 0, 0, 0, 0, 0, 0);

  /** The figures of a histogram; {@link #NONE} for an empty one. */
  public static LatencyStats of(LatencyHistogram h) {
    if (h.isEmpty()) return NONE;
    return new LatencyStats(
        h.count(),
        h.mean(),
        h.valueAtPercentile(50),
        h.valueAtPercentile(90),
        h.valueAtPercentile(95),
        h.valueAtPercentile(99),
        h.max());
  }
}
