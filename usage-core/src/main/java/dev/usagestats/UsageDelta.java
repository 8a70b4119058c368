package dev.usagestats;

import java.time.Instant;
import java.util.Objects;

/**
 * What one series added in one UTC minute (or, when the engine had to coarsen rows because the
 * store fell behind, one UTC quarter hour): a row of a {@link UsageBatch}.
 *
 * @param key the series
 * @param minute the first instant of the span the events fell in
 * @param totals the counts added
 * @param minutes the span's length: 1, or 15 for a coarsened row (then {@code minute} is on a
 *     quarter hour); a store must keep a 15-minute row apart from minute rows
 */
public record UsageDelta(SeriesKey key, Instant minute, UsageTotals totals, int minutes) {
  /** A one-minute row. */
  public UsageDelta(SeriesKey key, Instant minute, UsageTotals totals) {
    this(key, minute, totals, 1);
  }

  /** Checks that minute is a whole UTC minute and the span 1 or 15 minutes, aligned. */
  public UsageDelta {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(minute, "minute");
    Objects.requireNonNull(totals, "totals");
    if (minute.getEpochSecond() % 60 != 0 || minute.getNano() != 0) {
      throw new IllegalArgumentException("minute must be a whole UTC minute: " + minute);
    }
    if (minutes != 1 && minutes != 15) {
      throw new IllegalArgumentException("minutes must be 1 or 15: " + minutes);
    }
    if (minutes == 15 && minute.getEpochSecond() % 900 != 0) {
      throw new IllegalArgumentException(
          "minute must be on a quarter hour for 15 minutes: " + minute);
    }
  }
}
