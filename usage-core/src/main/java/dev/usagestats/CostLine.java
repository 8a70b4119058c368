package dev.usagestats;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * The usage of one series (tenant, API key, model) that one price version priced, and its exact
 * cost: a line of an expense report.
 *
 * @param tenant the tenant
 * @param apiKey the API key id
 * @param model the model name as recorded
 * @param version the price version applied (entry, list or tenant price, effective-from, prices)
 * @param totals the usage it priced
 * @param cost the exact cost, unrounded
 */
public record CostLine(
    String tenant,
    String apiKey,
    String model,
    PriceVersion version,
    UsageTotals totals,
    BigDecimal cost) {
  /** Checks that nothing is null. */
  public CostLine {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(totals, "totals");
    Objects.requireNonNull(cost, "cost");
  }
}
