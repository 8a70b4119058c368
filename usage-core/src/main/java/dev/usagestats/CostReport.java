package dev.usagestats;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The cost part of a {@link UsageReport}, present when a {@link PriceBook} priced it. Immutable.
 *
 * <p>Every amount is exact ({@code BigDecimal}, never rounded). Rounding happens only for display,
 * with one rule: {@link #display(BigDecimal, Currency)}, half-even to the currency's minor units
 * (cents for USD, none for JPY), applied to the figure shown, never to the parts it is summed from.
 * Only priced usage has a cost; unpriced usage is listed in {@link #unpriced()} with its tokens.
 *
 * @param currency the book's currency
 * @param total the cost of all priced usage in the report
 * @param buckets the cost per report bucket, in the order of {@link UsageReport#buckets()}
 * @param lines per series and price version: the usage and its cost, ordered by tenant, key, model,
 *     effective-from
 * @param unpriced per series: usage no price applied to, with the reason
 */
public record CostReport(
    Currency currency,
    BigDecimal total,
    List<BigDecimal> buckets,
    List<CostLine> lines,
    List<UnpricedUsage> unpriced) {

  /** Copies the lists. */
  public CostReport {
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(total, "total");
    buckets = List.copyOf(buckets);
    lines = List.copyOf(lines);
    unpriced = List.copyOf(unpriced);
  }

  /**
   * {@code amount} as displayed: rounded half-even to the minor units of {@code currency} (two
   * decimals for USD and EUR, none for JPY; currencies without minor units defined keep two).
   */
  public static BigDecimal display(BigDecimal amount, Currency currency) {
    int digits = currency.getDefaultFractionDigits();
    return amount.setScale(digits < 0 ? 2 : digits, RoundingMode.HALF_EVEN);
  }

  /** The total as displayed: {@link #display(BigDecimal, Currency)} of {@link #total()}. */
  public BigDecimal displayTotal() {
    return display(total, currency);
  }

  /** Unpriced usage summed per model, by model name. */
  public Map<String, UsageTotals> unpricedModels() {
    Map<String, UsageTotals> out = new TreeMap<>();
    for (UnpricedUsage u : unpriced) out.merge(u.model(), u.totals(), UsageTotals::plus);
    return out;
  }

  /** The price versions the report used, without repeats, in the order of the lines. */
  public List<PriceVersion> versionsUsed() {
    List<PriceVersion> out = new ArrayList<>();
    for (CostLine l : lines) if (!out.contains(l.version())) out.add(l.version());
    return out;
  }

  /**
   * Per model, the price tiers its prices ignore (see {@link ModelPrice#ignoredTiers()}): the cost
   * of these models is understated by any usage that fell in such a tier.
   */
  public Map<String, Set<String>> tiersIgnored() {
    Map<String, Set<String>> out = new TreeMap<>();
    for (CostLine l : lines) {
      Set<String> tiers = l.version().price().ignoredTiers();
      if (!tiers.isEmpty()) out.computeIfAbsent(l.model(), k -> new TreeSet<>()).addAll(tiers);
    }
    return out;
  }
}
