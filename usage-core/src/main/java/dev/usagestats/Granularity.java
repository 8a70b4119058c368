package dev.usagestats;

/**
 * The width of the buckets of a trend. Hour, day, week and month buckets follow the query's zone
 * exactly (a 23-hour DST day has 23 hour buckets); minute buckets are plain UTC minutes.
 */
public enum Granularity {
  /** UTC minutes. Answered only for recent history (see {@code minuteRetention}). */
  MINUTE,
  /** Local hours; a bucket ends where the local hour or the zone offset changes. */
  HOUR,
  /** Local days, from local midnight (or the first instant of the day) to the next. */
  DAY,
  /** ISO weeks, starting on Monday. */
  WEEK,
  /** Calendar months. */
  MONTH,
  /**
   * Chosen from the length of the range: up to 3 hours MINUTE, up to 4 days HOUR, up to 92 days
   * DAY, up to 2 years WEEK, beyond that MONTH.
   */
  AUTO
}
