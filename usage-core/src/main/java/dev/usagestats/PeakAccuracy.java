package dev.usagestats;

/**
 * How far a reported peak rate can be trusted. A peak is the most calls (or tokens) in any one UTC
 * minute; the peak of a group is the peak of the group's per-minute sums, which the engine keeps
 * exactly per model and for all usage, and bounds for other groups.
 */
public enum PeakAccuracy {
  /**
   * The peak of the group's own per-minute sums: a model's (with no tenant or API key filter), all
   * usage's (no filter at all), or one series'.
   */
  EXACT,
  /**
   * At least the true peak: the sum of the members' peaks (series, or models under a model filter).
   * Any filter by tenant or API key, and any group of several API keys or models, is bounded so.
   */
  UPPER_BOUND,
  /**
   * Not known: part of the span was written to a store before peaks were kept (schema version 3),
   * or while the store fell behind and rows were kept per quarter hour. The values are {@code -1}.
   */
  UNKNOWN
}
