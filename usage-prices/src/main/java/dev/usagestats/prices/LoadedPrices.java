package dev.usagestats.prices;

import dev.usagestats.PriceBook;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What loading a price file gave: the book, the entries skipped, and the entries whose price
 * ignores a tier of the file (a context tier such as {@code *_above_200k_tokens}, a service tier
 * such as {@code *_batches}, {@code *_priority}, {@code *_flex}, {@code tiered_pricing}, or the
 * one-hour cache write): their cost is the base price's, so usage that fell in such a tier is
 * understated. Reports list the same through {@link dev.usagestats.CostReport#tiersIgnored()}.
 *
 * @param book the loaded book
 * @param skipped entries not loaded, with why, in file order
 * @param tiersIgnored per loaded entry, the tier fields its price does not apply
 */
public record LoadedPrices(
    PriceBook book, List<SkippedEntry> skipped, Map<String, Set<String>> tiersIgnored) {
  /** Copies the collections. */
  public LoadedPrices {
    Objects.requireNonNull(book, "book");
    skipped = List.copyOf(skipped);
    tiersIgnored = Map.copyOf(tiersIgnored);
  }
}
