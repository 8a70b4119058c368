package dev.usagestats;

import java.util.Objects;

/**
 * Usage of one series that no price applies to: reported with its tokens and why, never as cost
 * zero.
 *
 * @param tenant the tenant
 * @param apiKey the API key id
 * @param model the model name as recorded
 * @param totals the unpriced usage
 * @param reason why: no entry for the model, no price in force yet, or an ambiguous name
 */
public record UnpricedUsage(
    String tenant, String apiKey, String model, UsageTotals totals, String reason) {
  /** Checks that nothing is null. */
  public UnpricedUsage {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(totals, "totals");
    Objects.requireNonNull(reason, "reason");
  }
}
