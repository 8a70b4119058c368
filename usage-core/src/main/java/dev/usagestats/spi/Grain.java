package dev.usagestats.spi;

import java.time.Instant;

/**
 * The span a {@link UsageDelta} covers. The engine sends one-minute rows; when the store falls
 * behind it coarsens new rows to quarter hours, which still rebuild any local hour, day, week or
 * month exactly, since every real zone offset is a multiple of 15 minutes.
 */
public enum Grain {
  /** One UTC minute. */
  MINUTE(1),
  /** One UTC quarter hour, starting on a quarter hour. */
  QUARTER_HOUR(15);

  private final int minutes;

  Grain(int minutes) {
    this.minutes = minutes;
  }

  /** The span in minutes: 1 or 15. */
  public int minutes() {
    return minutes;
  }

  /** The span in milliseconds. */
  public long millis() {
    return minutes * 60_000L;
  }

  /** The span in seconds. */
  public long seconds() {
    return minutes * 60L;
  }

  /** Whether {@code start} is a valid first instant of a span of this grain. */
  public boolean isAligned(Instant start) {
    return start.getNano() == 0 && Math.floorMod(start.getEpochSecond(), seconds()) == 0;
  }

  /** The start of the span of this grain holding {@code epochMillis}. */
  public long floor(long epochMillis) {
    return Math.floorDiv(epochMillis, millis()) * millis();
  }

  /**
   * The grain of a store row that spans {@code minutes}.
   *
   * @throws IllegalArgumentException if it is neither 1 nor 15
   */
  public static Grain ofMinutes(int minutes) {
    for (Grain g : values()) if (g.minutes == minutes) return g;
    throw new IllegalArgumentException("grain minutes must be 1 or 15: " + minutes);
  }
}
