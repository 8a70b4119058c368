package dev.usagestats.spi;

import dev.usagestats.GroupBy;

/**
 * Which parts of a series key the rows of a {@link StoreRead} must keep. A store may sum rows
 * across the parts a read does not need (fewer rows to send), putting the empty string, never a
 * valid name, in their place.
 */
public enum KeyDetail {
  /** Keep tenant, API key and model. */
  SERIES,
  /** Keep API key and model; rows may be summed across tenants. */
  API_KEY_AND_MODEL,
  /** Keep the model; rows may be summed across tenants and API keys. */
  MODEL;

  /** What a report grouped by {@code groupBy} needs: it never needs the tenant. */
  public static KeyDetail forGrouping(GroupBy groupBy) {
    return switch (groupBy) {
      case API_KEY, API_KEY_AND_MODEL -> API_KEY_AND_MODEL;
      case MODEL, NONE -> MODEL;
    };
  }

  /** Whether rows must keep their tenant. */
  public boolean keepsTenant() {
    return this == SERIES;
  }

  /** Whether rows must keep their API key. */
  public boolean keepsApiKey() {
    return this != MODEL;
  }
}
