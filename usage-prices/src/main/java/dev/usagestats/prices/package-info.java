/**
 * Price books from files and expense reports, with Jackson (which usage-core does without).
 *
 * <ul>
 *   <li>{@link dev.usagestats.prices.PriceFiles} loads a {@link dev.usagestats.PriceBook} from our
 *       JSON format or from LiteLLM's price map as it is, reporting what it skipped and which
 *       models' prices ignore a tier.
 *   <li>{@link dev.usagestats.prices.ExpenseReport} turns a priced {@link
 *       dev.usagestats.UsageReport} into an expense report per tenant, API key and model, as CSV
 *       (RFC 4180) or JSON.
 * </ul>
 */
@NullMarked
package dev.usagestats.prices;

import org.jspecify.annotations.NullMarked;
