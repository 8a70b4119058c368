package dev.usagestats.prices;

import dev.usagestats.PriceVersion;
import dev.usagestats.UsageTotals;
import java.math.BigDecimal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One row of an {@link ExpenseReport}.
 *
 * @param kind a priced line, an unpriced line, a key's total or the overall total
 * @param tenant the tenant (empty for the overall total)
 * @param apiKey the API key id, never a secret (empty for the overall total)
 * @param model the model name as recorded (empty for totals)
 * @param version the price version a priced line used, else null
 * @param totals the usage
 * @param cost the exact cost of the priced usage, or null for an unpriced line
 * @param note why a line is unpriced, or that a total leaves out unpriced usage; else empty
 */
public record ExpenseRow(
    Kind kind,
    String tenant,
    String apiKey,
    String model,
    @Nullable PriceVersion version,
    UsageTotals totals,
    @Nullable BigDecimal cost,
    String note) {

  /** What a row is. */
  public enum Kind {
    /** Usage of one tenant, key and model priced by one price version. */
    LINE,
    /** Usage of one tenant, key and model that no price applied to. */
    UNPRICED,
    /** The total of one tenant's API key. */
    KEY_TOTAL,
    /** The total of the report. */
    TOTAL
  }

  /** Checks that nothing required is null. */
  public ExpenseRow {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(totals, "totals");
    Objects.requireNonNull(note, "note");
  }
}
