package dev.usagestats.spi;

import dev.usagestats.Granularity;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the engine asks a {@link UsageStore} when it answers a query: sums per series per bucket,
 * and which of the given batches the store has applied, read from one consistent snapshot.
 *
 * @param bounds bucket bounds in order: bucket {@code i} is {@code [bounds[i], bounds[i+1])}
 * @param zone the query's zone (a hint: the bounds already follow it)
 * @param granularity the query's granularity (a hint)
 * @param tenant only this tenant, or null for all
 * @param apiKeys only these API key ids; empty for all
 * @param models only these models; empty for all
 * @param batchIds ids of batches this node has not yet seen acknowledged
 * @param detail which key parts rows must keep; a store may sum rows across the others, with the
 *     empty string in their place
 */
public record StoreRead(
    List<Instant> bounds,
    ZoneId zone,
    Granularity granularity,
    @Nullable String tenant,
    Set<String> apiKeys,
    Set<String> models,
    Set<String> batchIds,
    KeyDetail detail) {
  /** Copies the collections. */
  public StoreRead {
    bounds = List.copyOf(bounds);
    if (bounds.size() < 2) {
      throw new IllegalArgumentException("bounds must have at least 2 entries: " + bounds.size());
    }
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(granularity, "granularity");
    apiKeys = Set.copyOf(apiKeys);
    models = Set.copyOf(models);
    batchIds = Set.copyOf(batchIds);
    Objects.requireNonNull(detail, "detail");
  }

  /** A read that keeps every part of every series key. */
  public StoreRead(
      List<Instant> bounds,
      ZoneId zone,
      Granularity granularity,
      @Nullable String tenant,
      Set<String> apiKeys,
      Set<String> models,
      Set<String> batchIds) {
    this(bounds, zone, granularity, tenant, apiKeys, models, batchIds, KeyDetail.SERIES);
  }

  /** Whether rows must keep their API key (otherwise they may be summed across keys). */
  public boolean needsApiKey() {
    return detail.keepsApiKey();
  }

  /** Whether rows must keep their tenant (otherwise they may be summed across tenants). */
  public boolean needsTenant() {
    return detail.keepsTenant();
  }
}
