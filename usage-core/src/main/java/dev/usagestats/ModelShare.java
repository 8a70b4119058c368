package dev.usagestats;

import java.math.BigDecimal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One model's part of a report: its totals, its share of all tokens and calls, and, when the report
 * is priced, its cost and share of the cost.
 *
 * @param model the model name
 * @param totals the model's totals over the report's range and filters
 * @param tokenShare the model's total tokens over all total tokens, 0 to 1 (0 when there are none)
 * @param callShare the model's calls over all calls, 0 to 1 (0 when there are none)
 * @param cost the exact cost of the model's priced usage, or null when the report has no price book
 *     or none of the model's usage is priced (see {@link CostReport#unpriced()})
 * @param costShare the model's cost over the report's total cost, 0 to 1 (0 when there is none)
 */
public record ModelShare(
    String model,
    UsageTotals totals,
    double tokenShare,
    double callShare,
    @Nullable BigDecimal cost,
    double costShare) {
  /** Checks that model and totals are set. */
  public ModelShare {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(totals, "totals");
  }

  /** A share without cost. */
  public ModelShare(String model, UsageTotals totals, double tokenShare, double callShare) {
    this(model, totals, tokenShare, callShare, null, 0.0);
  }
}
