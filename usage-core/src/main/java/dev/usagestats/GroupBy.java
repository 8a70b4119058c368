package dev.usagestats;

/** What a report's trend series are split by. */
public enum GroupBy {
  /** One series per model (the default). */
  MODEL,
  /** One series per API key id. */
  API_KEY,
  /** One series per (API key id, model). */
  API_KEY_AND_MODEL,
  /** A single series over everything that matches the filters. */
  NONE
}
