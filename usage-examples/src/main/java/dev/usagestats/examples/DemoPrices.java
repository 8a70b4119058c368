package dev.usagestats.examples;

import dev.usagestats.ModelPrice;
import dev.usagestats.PriceBook;
import dev.usagestats.prices.LoadedPrices;
import dev.usagestats.prices.PriceFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The demo's prices: LiteLLM's price map as it is (a snapshot of 2026-08-01 shipped with the demo
 * under its MIT licence, {@code prices/LICENSE-litellm.txt} beside it), the demo's model names
 * mapped to its entries by alias and pattern, and one price change: DeepSeek R1 at its former list
 * price ($0.55 input, $0.14 cached, $2.19 output per million tokens) until {@code change}, at the
 * file's price from then on.
 */
final class DemoPrices {
  static final String SNAPSHOT =
      "/dev/usagestats/examples/prices/litellm-model-prices-2026-08-01.json";
  static final String DEEPSEEK = "deepseek/deepseek-reasoner";

  /** The demo's model names and the LiteLLM entries that price them. */
  static final List<String[]> MAPPING =
      List.of(
          new String[] {"public/deepseek-r1", DEEPSEEK},
          new String[] {"public/glm-4.5", "zai/glm-4.5"},
          new String[] {"public/kimi-k2", "moonshot/kimi-k2-0711-preview"});

  /** Names starting with {@code public/qwen3-235b} take the Qwen3 235B price of Together AI. */
  static final String QWEN_PATTERN = "public/qwen3-235b.*";

  static final String QWEN = "together_ai/Qwen/Qwen3-235B-A22B-fp8-tput";

  private DemoPrices() {}

  /** LiteLLM's whole price map, from the snapshot shipped with the demo. */
  static LoadedPrices litellm() {
    try (InputStream in = DemoPrices.class.getResourceAsStream(SNAPSHOT)) {
      if (in == null) throw new IllegalStateException("resource missing: " + SNAPSHOT);
      return PriceFiles.readLiteLlm(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The demo's book, with DeepSeek R1's price change at {@code change} (moved back to its 15-minute
   * boundary).
   */
  static PriceBook book(Instant change) {
    long quarter = PriceBook.CHANGE_GRAIN_MILLIS;
    Instant at = Instant.ofEpochMilli(Math.floorDiv(change.toEpochMilli(), quarter) * quarter);
    PriceBook file = litellm().book();
    ModelPrice now = file.listPrices(DEEPSEEK).get(0).price();
    ModelPrice former =
        new ModelPrice(
            new BigDecimal("0.55"),
            new BigDecimal("0.14"),
            new BigDecimal("0.55"),
            new BigDecimal("2.19"),
            null,
            BigDecimal.ZERO,
            now.ignoredTiers());
    // The file's price has applied "always": it becomes the price from the change on, the former
    // one the price before it.
    PriceBook.Builder b = PriceBook.builder(file.currency());
    file.versions()
        .forEach(
            v -> {
              if (v.entry().equals(DEEPSEEK)) return;
              b.price(v.entry(), v.effectiveFrom(), v.price());
            });
    b.price(DEEPSEEK, former).price(DEEPSEEK, at, now);
    for (String[] m : MAPPING) b.alias(m[0], m[1]);
    b.pattern(QWEN_PATTERN, QWEN);
    return b.models(DemoCatalog.standard().models().keySet()).build();
  }
}
