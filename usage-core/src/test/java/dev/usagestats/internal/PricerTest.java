package dev.usagestats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.ModelPrice;
import dev.usagestats.spi.Measure;
import java.math.BigDecimal;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The quick path of pricing equals {@link ModelPrice#cost}, also where it must fall back. */
class PricerTest {
  @Test
  void cost_equalsModelPriceCost_randomPricesAndCounts() {
    Random rnd = new Random(12);
    for (int i = 0; i < 20_000; i++) {
      ModelPrice p =
          new ModelPrice(
              decimal(rnd),
              decimal(rnd),
              decimal(rnd),
              decimal(rnd),
              rnd.nextBoolean() ? null : decimal(rnd),
              rnd.nextInt(3) == 0 ? decimal(rnd) : BigDecimal.ZERO,
              Set.of());
      long in = rnd.nextInt(4) == 0 ? rnd.nextLong(1L << 55) : rnd.nextInt(1_000_000);
      long cached = rnd.nextLong(in + 1);
      long creation = rnd.nextLong(in - cached + 1);
      long out = rnd.nextInt(4) == 0 ? rnd.nextLong(1L << 55) : rnd.nextInt(1_000_000);
      long reasoning = rnd.nextLong(out + 1);
      long[] counts = new long[Measure.COUNT];
      counts[Measure.CALLS.ordinal()] = 1 + rnd.nextInt(1000);
      counts[Measure.INPUT_TOKENS.ordinal()] = in;
      counts[Measure.CACHED_INPUT_TOKENS.ordinal()] = cached;
      counts[Measure.CACHE_CREATION_INPUT_TOKENS.ordinal()] = creation;
      counts[Measure.OUTPUT_TOKENS.ordinal()] = out;
      counts[Measure.REASONING_TOKENS.ordinal()] = reasoning;
      assertThat(new Pricer(p).cost(counts)).isEqualByComparingTo(p.cost(Measure.totals(counts)));
    }
  }

  private static BigDecimal decimal(Random rnd) {
    // Mostly everyday prices; now and then one with 20 decimals (past the quick path's scale).
    int scale = rnd.nextInt(10) == 0 ? 20 : rnd.nextInt(7);
    return BigDecimal.valueOf(rnd.nextInt(10_000_000), scale);
  }
}
