package dev.usagestats;

import dev.usagestats.internal.Checks;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One price of a {@link PriceBook} entry: the list price or a tenant's negotiated price, in force
 * from {@code effectiveFrom} (a 15-minute boundary) until the entry's next version for the same
 * tenant (or list) takes over. Value-based and immutable.
 *
 * @param entry the price entry's name (for example {@code deepseek/deepseek-reasoner})
 * @param tenant the tenant this negotiated price is for, or null for the list price
 * @param effectiveFrom the first instant this price applies to; {@link PriceBook#BEGINNING} for
 *     always
 * @param price the unit prices
 */
public record PriceVersion(
    String entry, @Nullable String tenant, Instant effectiveFrom, ModelPrice price) {
  /** Checks that nothing required is null. */
  public PriceVersion {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(effectiveFrom, "effectiveFrom");
    Objects.requireNonNull(price, "price");
  }

  /** Whether this is the list price (no tenant). */
  public boolean isListPrice() {
    return tenant == null;
  }

  /** A short label: {@code entry@effectiveFrom}, with {@code [tenant]} for a negotiated price. */
  public String label() {
    String from =
        effectiveFrom.equals(Checks.MIN_QUERY_INSTANT) ? "always" : effectiveFrom.toString();
    return entry + (tenant == null ? "" : " [" + tenant + "]") + " @ " + from;
  }
}
