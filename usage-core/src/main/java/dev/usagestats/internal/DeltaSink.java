package dev.usagestats.internal;

/**
 * Receives drained counts: one series in one UTC minute. Implemented by the memory rollups and by
 * the pending buffer of a store. Called by the drainer only, one delta at a time.
 */
interface DeltaSink {
  /**
   * Takes one delta.
   *
   * @param series the series
   * @param minuteMillis the minute's first instant, epoch millis
   * @param counts the counts, indexed by {@link dev.usagestats.spi.Measure#ordinal()}; the array is
   *     reused after the call returns, so copy what you keep
   */
  void accept(Series series, long minuteMillis, long[] counts);
}
