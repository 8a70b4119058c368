package dev.usagestats.jdbc;

import dev.usagestats.LatencyHistogram;
import dev.usagestats.LatencyTotals;

/**
 * Latency added up from many stored rows: histograms bin by bin into builders (so merging n rows
 * costs their non-empty bins, not n new histograms), sums with overflow checks. What {@link
 * LatencyTotals#plus} gives for the same rows, in any order.
 *
 * <p>Not thread-safe: one per read or compaction group, on the thread that runs it.
 */
final class LatencySum {
  private final LatencyHistogram.Builder duration = new LatencyHistogram.Builder();
  private final LatencyHistogram.Builder firstToken = new LatencyHistogram.Builder();
  private long streamedOutputTokens;
  private long generationMillis;

  /**
   * Adds {@code t}.
   *
   * @throws ArithmeticException if a count or sum would pass {@link Long#MAX_VALUE}
   */
  void add(LatencyTotals t) {
    duration.add(t.duration());
    firstToken.add(t.timeToFirstToken());
    streamedOutputTokens = Math.addExact(streamedOutputTokens, t.streamedOutputTokens());
    generationMillis = Math.addExact(generationMillis, t.generationMillis());
  }

  /** Everything added. */
  LatencyTotals totals() {
    if (duration.count() == 0
        && firstToken.count() == 0
        && streamedOutputTokens == 0
        && generationMillis == 0) {
      return LatencyTotals.empty();
    }
    return new LatencyTotals(
        duration.build(), firstToken.build(), streamedOutputTokens, generationMillis);
  }
}
