package dev.usagestats;

import java.time.Instant;
import java.util.Objects;

/**
 * What one series added in one UTC minute: a row of a {@link UsageBatch}.
 *
 * @param key the series
 * @param minute the UTC minute the events fell in (its first instant)
 * @param totals the counts added
 */
public record UsageDelta(SeriesKey key, Instant minute, UsageTotals totals) {
  /** Checks that minute is a whole UTC minute. */
  public UsageDelta {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(minute, "minute");
    Objects.requireNonNull(totals, "totals");
    if (minute.getEpochSecond() % 60 != 0 || minute.getNano() != 0) {
      throw new IllegalArgumentException("minute must be a whole UTC minute: " + minute);
    }
  }
}
