package dev.usagestats.internal;

import dev.usagestats.ModelPrice;
import dev.usagestats.spi.Measure;
import java.math.BigDecimal;

/**
 * One {@link ModelPrice} made quick to apply many times: its prices as {@code long}s at one common
 * scale, so a cost is a few {@code long} multiplications and one {@code BigDecimal} at the end.
 * Exact: the same value as {@link ModelPrice#cost}, to which it falls back when a price has more
 * than 18 decimals or a product would pass {@link Long#MAX_VALUE}. Immutable.
 */
final class Pricer {
  private static final int MAX_SCALE = 18;

  private final ModelPrice price;
  private final int scale;
  private final long input;
  private final long cached;
  private final long creation;
  private final long output;
  private final long reasoning;
  private final long perCall;
  private final boolean quick;

  Pricer(ModelPrice price) {
    this.price = price;
    int s = 0;
    for (BigDecimal p : prices(price)) s = Math.max(s, Math.max(0, p.stripTrailingZeros().scale()));
    this.scale = s;
    long[] u = new long[6];
    boolean ok = s <= MAX_SCALE;
    BigDecimal[] all = prices(price);
    for (int i = 0; ok && i < all.length; i++) {
      try {
        u[i] = all[i].setScale(s).unscaledValue().longValueExact();
      } catch (ArithmeticException e) {
        ok = false;
      }
    }
    this.quick = ok;
    this.input = u[0];
    this.cached = u[1];
    this.creation = u[2];
    this.output = u[3];
    this.reasoning = u[4];
    this.perCall = u[5];
  }

  private static BigDecimal[] prices(ModelPrice p) {
    return new BigDecimal[] {
      p.input(),
      p.cachedInput(),
      p.cacheCreationInput(),
      p.output(),
      p.effectiveReasoningOutput(),
      p.perCall()
    };
  }

  /** The exact cost of {@code counts} (indexed by {@link Measure#ordinal()}). */
  BigDecimal cost(long[] counts) {
    if (quick) {
      try {
        long in = counts[Measure.INPUT_TOKENS.ordinal()];
        long cachedTokens = counts[Measure.CACHED_INPUT_TOKENS.ordinal()];
        long creationTokens = counts[Measure.CACHE_CREATION_INPUT_TOKENS.ordinal()];
        long out = counts[Measure.OUTPUT_TOKENS.ordinal()];
        long reasoningTokens = counts[Measure.REASONING_TOKENS.ordinal()];
        long tokens =
            Math.addExact(
                Math.addExact(
                    Math.multiplyExact(in - cachedTokens - creationTokens, input),
                    Math.multiplyExact(cachedTokens, cached)),
                Math.addExact(
                    Math.multiplyExact(creationTokens, creation),
                    Math.addExact(
                        Math.multiplyExact(out - reasoningTokens, output),
                        Math.multiplyExact(reasoningTokens, reasoning))));
        // tokens x price per million, at this scale: the cost is tokens / 10^6 at scale + 6
        BigDecimal cost = BigDecimal.valueOf(tokens, scale + 6);
        if (perCall == 0) return cost;
        long calls = counts[Measure.CALLS.ordinal()];
        return cost.add(BigDecimal.valueOf(Math.multiplyExact(calls, perCall), scale));
      } catch (ArithmeticException e) {
        // a product past Long.MAX_VALUE: the general path below
      }
    }
    return price.cost(Measure.totals(counts));
  }
}
