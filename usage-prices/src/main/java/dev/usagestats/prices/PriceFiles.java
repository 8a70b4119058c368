package dev.usagestats.prices;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.usagestats.ModelPrice;
import dev.usagestats.PriceBook;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Loads a {@link PriceBook} from a file: our own JSON format ({@link #read}) or LiteLLM's price map
 * as it is ({@link #readLiteLlm}). Loading is all or nothing and has no side effect: a file with an
 * error throws {@link PriceFileException} naming the model and the field, and a book already in
 * force (on an engine, say) stays in force. Swap books with {@code UsageStats.priceBook(book)}.
 * Thread-safe.
 *
 * <h2>Our format</h2>
 *
 * Prices per million tokens, as JSON numbers or strings (read as exact decimals); {@code
 * cachedInput} and {@code cacheCreationInput} default to {@code input}, {@code reasoningOutput} to
 * {@code output}, {@code perCall} to 0, {@code effectiveFrom} (a 15-minute boundary) to always.
 * {@code models} (optional) names model names to check for ambiguity at load.
 *
 * <pre>{@code
 * {
 *   "format": "usagestats-prices/1",
 *   "currency": "USD",
 *   "entries": {
 *     "deepseek/deepseek-reasoner": {
 *       "aliases": ["public/deepseek-r1"],
 *       "prices": [
 *         {"input": "0.55", "cachedInput": "0.14", "output": "2.19"},
 *         {"effectiveFrom": "2026-11-15T16:00:00Z", "input": "0.28", "output": "0.42"}
 *       ],
 *       "tenants": {"acme": [{"input": "0.20", "output": "0.30", "perCall": "0.0001"}]}
 *     },
 *     "qwen/qwen3-235b": {
 *       "patterns": ["public/qwen3(-.*)?"],
 *       "prices": [{"input": 0.2, "output": 0.6}]
 *     }
 *   },
 *   "models": ["public/deepseek-r1", "public/qwen3"]
 * }
 * }</pre>
 *
 * <h2>LiteLLM's price map</h2>
 *
 * {@code model_prices_and_context_window.json} as published (prices in US dollars per token): each
 * entry with {@code input_cost_per_token} and {@code output_cost_per_token} becomes an entry of the
 * same name, priced from those, {@code cache_read_input_token_cost}, {@code
 * cache_creation_input_token_cost} and {@code output_cost_per_reasoning_token}; an entry priced
 * only by {@code tiered_pricing} takes its first tier (from 0 tokens). {@code sample_spec} and
 * entries not priced per token (per image, second, character, query...) are skipped and listed.
 * Context tiers ({@code *_above_200k_tokens} and the like), service tiers ({@code *_batches},
 * {@code *_priority}, {@code *_flex}), further {@code tiered_pricing} tiers and the one-hour cache
 * write ({@code *_above_1hr}) are not applied, since the engine does not know each call's size or
 * tier: the entries that have them are listed in {@link LoadedPrices#tiersIgnored()} and their
 * prices carry them in {@link ModelPrice#ignoredTiers()}, so reports list them too.
 */
public final class PriceFiles {
  /** The {@code format} value of our JSON format. */
  public static final String FORMAT = "usagestats-prices/1";

  private static final Currency USD = Currency.getInstance("USD");

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  private static final Pattern TIER =
      Pattern.compile(
          ".*cost.*(_above_\\d+(\\.\\d+)?[km]?_tokens|_above_1hr|_batches|_priority|_flex).*");

  private static final Set<String> PRICE_FIELDS =
      Set.of(
          "effectiveFrom",
          "input",
          "cachedInput",
          "cacheCreationInput",
          "output",
          "reasoningOutput",
          "perCall");

  private PriceFiles() {}

  /** Loads our JSON format from {@code path}. */
  public static LoadedPrices load(Path path) {
    try (InputStream in = Files.newInputStream(path)) {
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("price file " + path + " cannot be read", e);
    }
  }

  /** Loads LiteLLM's price map from {@code path}. */
  public static LoadedPrices loadLiteLlm(Path path) {
    try (InputStream in = Files.newInputStream(path)) {
      return readLiteLlm(in);
    } catch (IOException e) {
      throw new UncheckedIOException("price file " + path + " cannot be read", e);
    }
  }

  /**
   * Reads our JSON format.
   *
   * @throws PriceFileException if the file is not valid JSON or an entry is malformed
   */
  public static LoadedPrices read(InputStream in) {
    JsonNode root = parse(in);
    if (!root.isObject()) throw new PriceFileException(null, null, "must be a JSON object", null);
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!Set.of("format", "currency", "entries", "models").contains(f)) {
        throw new PriceFileException(null, f, "is not a field of " + FORMAT, null);
      }
    }
    JsonNode format = root.get("format");
    if (format != null && !FORMAT.equals(format.asText())) {
      throw new PriceFileException(null, "format", "must be " + FORMAT + ": " + format, null);
    }
    PriceBook.Builder b = PriceBook.builder(currency(root.get("currency")));
    JsonNode entries = root.get("entries");
    if (entries == null || !entries.isObject()) {
      throw new PriceFileException(null, "entries", "must be an object of entries", null);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = entries.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      readEntry(b, e.getKey(), e.getValue());
    }
    JsonNode models = root.get("models");
    if (models != null) b.models(strings(null, "models", models));
    return new LoadedPrices(build(b), List.of(), Map.of());
  }

  private static Currency currency(@Nullable JsonNode node) {
    if (node == null || !node.isTextual()) {
      throw new PriceFileException(null, "currency", "must be an ISO 4217 code: " + node, null);
    }
    try {
      return Currency.getInstance(node.asText());
    } catch (IllegalArgumentException e) {
      throw new PriceFileException(
          null, "currency", "must be an ISO 4217 code: " + node.asText(), e);
    }
  }

  private static void readEntry(PriceBook.Builder b, String model, JsonNode entry) {
    if (!entry.isObject()) throw new PriceFileException(model, null, "must be an object", null);
    for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!Set.of("prices", "tenants", "aliases", "patterns").contains(f)) {
        throw new PriceFileException(model, f, "is not a field of an entry", null);
      }
    }
    JsonNode prices = entry.get("prices");
    if (prices == null || !prices.isArray() || prices.isEmpty()) {
      throw new PriceFileException(model, "prices", "must be a non-empty array of prices", null);
    }
    for (JsonNode p : prices) {
      Instant from = effectiveFrom(model, p);
      ModelPrice price = ownPrice(model, p);
      guard(model, "effectiveFrom", () -> b.price(model, from, price));
    }
    JsonNode tenants = entry.get("tenants");
    if (tenants != null) {
      if (!tenants.isObject()) {
        throw new PriceFileException(model, "tenants", "must be an object of tenants", null);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = tenants.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> t = it.next();
        if (!t.getValue().isArray()) {
          throw new PriceFileException(
              model, "tenants." + t.getKey(), "must be an array of prices", null);
        }
        for (JsonNode p : t.getValue()) {
          Instant from = effectiveFrom(model, p);
          ModelPrice price = ownPrice(model, p);
          guard(
              model, "tenants." + t.getKey(), () -> b.tenantPrice(t.getKey(), model, from, price));
        }
      }
    }
    JsonNode aliases = entry.get("aliases");
    if (aliases != null) {
      for (String a : strings(model, "aliases", aliases))
        guard(model, "aliases", () -> b.alias(a, model));
    }
    JsonNode patterns = entry.get("patterns");
    if (patterns != null) {
      for (String p : strings(model, "patterns", patterns)) {
        guard(model, "patterns", () -> b.pattern(p, model));
      }
    }
  }

  private static Instant effectiveFrom(String model, JsonNode price) {
    if (!price.isObject()) throw new PriceFileException(model, "prices", "must hold objects", null);
    JsonNode node = price.get("effectiveFrom");
    if (node == null) return PriceBook.BEGINNING;
    try {
      return Instant.parse(node.asText());
    } catch (DateTimeParseException e) {
      throw new PriceFileException(
          model, "effectiveFrom", "must be an ISO-8601 instant: " + node, e);
    }
  }

  private static ModelPrice ownPrice(String model, JsonNode p) {
    for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!PRICE_FIELDS.contains(f)) {
        throw new PriceFileException(model, f, "is not a field of a price", null);
      }
    }
    BigDecimal input = Objects.requireNonNull(amount(model, "input", p.get("input"), true, true));
    BigDecimal output =
        Objects.requireNonNull(amount(model, "output", p.get("output"), true, true));
    BigDecimal cached = amount(model, "cachedInput", p.get("cachedInput"), false, true);
    BigDecimal creation =
        amount(model, "cacheCreationInput", p.get("cacheCreationInput"), false, true);
    BigDecimal reasoning = amount(model, "reasoningOutput", p.get("reasoningOutput"), false, true);
    BigDecimal perCall = amount(model, "perCall", p.get("perCall"), false, true);
    return new ModelPrice(
        input,
        cached != null ? cached : input,
        creation != null ? creation : input,
        output,
        reasoning,
        perCall != null ? perCall : BigDecimal.ZERO,
        Set.of());
  }

  /**
   * Reads LiteLLM's price map as it is.
   *
   * @throws PriceFileException if the file is not valid JSON or a per-token price is malformed
   */
  public static LoadedPrices readLiteLlm(InputStream in) {
    JsonNode root = parse(in);
    if (!root.isObject()) throw new PriceFileException(null, null, "must be a JSON object", null);
    PriceBook.Builder b = PriceBook.builder(USD);
    List<SkippedEntry> skipped = new ArrayList<>();
    Map<String, Set<String>> tiersIgnored = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String model = e.getKey();
      JsonNode entry = e.getValue();
      if (model.equals("sample_spec")) {
        skipped.add(new SkippedEntry(model, "documents the fields; not a model"));
        continue;
      }
      if (!entry.isObject()) throw new PriceFileException(model, null, "must be an object", null);
      JsonNode base = entry;
      Set<String> tiers = new TreeSet<>();
      if (!entry.has("input_cost_per_token") && !entry.has("output_cost_per_token")) {
        JsonNode tier0 = firstTier(model, entry.get("tiered_pricing"));
        if (tier0 != null) {
          base = tier0;
          tiers.add("tiered_pricing");
        }
      }
      if (!base.has("input_cost_per_token") || !base.has("output_cost_per_token")) {
        skipped.add(new SkippedEntry(model, notPerToken(entry)));
        continue;
      }
      for (Iterator<String> f = entry.fieldNames(); f.hasNext(); ) {
        String field = f.next();
        if (TIER.matcher(field).matches() || field.equals("tiered_pricing")) tiers.add(field);
      }
      BigDecimal input = perMillion(model, "input_cost_per_token", base, true);
      BigDecimal output = perMillion(model, "output_cost_per_token", base, true);
      BigDecimal cached = perMillion(model, "cache_read_input_token_cost", base, false);
      BigDecimal creation = perMillion(model, "cache_creation_input_token_cost", base, false);
      BigDecimal reasoning = perMillion(model, "output_cost_per_reasoning_token", base, false);
      ModelPrice price =
          new ModelPrice(
              Objects.requireNonNull(input),
              cached != null ? cached : input,
              creation != null ? creation : input,
              Objects.requireNonNull(output),
              reasoning,
              BigDecimal.ZERO,
              tiers);
      guard(model, null, () -> b.price(model, price));
      if (!tiers.isEmpty()) tiersIgnored.put(model, Set.copyOf(tiers));
    }
    return new LoadedPrices(build(b), skipped, tiersIgnored);
  }

  private static @Nullable JsonNode firstTier(String model, @Nullable JsonNode tiers) {
    if (tiers == null || !tiers.isArray()) return null;
    for (JsonNode t : tiers) {
      JsonNode range = t.get("range");
      if (range != null
          && range.isArray()
          && !range.isEmpty()
          && range.get(0).isNumber()
          && range.get(0).decimalValue().signum() == 0) {
        return t;
      }
    }
    return null; // tiers of something else (results per query): not priced per token
  }

  private static String notPerToken(JsonNode entry) {
    List<String> costs = new ArrayList<>();
    for (Iterator<String> f = entry.fieldNames(); f.hasNext(); ) {
      String field = f.next();
      if (field.contains("cost")) costs.add(field);
    }
    if (entry.has("input_cost_per_token") || entry.has("output_cost_per_token")) {
      String missing =
          entry.has("input_cost_per_token") ? "output_cost_per_token" : "input_cost_per_token";
      return "not priced per token: no " + missing + " (priced by " + costs + ")";
    }
    return costs.isEmpty() ? "no prices" : "not priced per token (priced by " + costs + ")";
  }

  private static @Nullable BigDecimal perMillion(
      String model, String field, JsonNode entry, boolean required) {
    BigDecimal perToken = amount(model, field, entry.get(field), required, false);
    return perToken == null ? null : normal(perToken.movePointRight(6));
  }

  private static @Nullable BigDecimal amount(
      String model, String field, @Nullable JsonNode node, boolean required, boolean textOk) {
    if (node == null || node.isNull()) {
      if (required) throw new PriceFileException(model, field, "is missing", null);
      return null;
    }
    BigDecimal value;
    if (node.isNumber()) {
      if ((node.isDouble() || node.isFloat())
          && (Double.isNaN(node.doubleValue()) || Double.isInfinite(node.doubleValue()))) {
        throw new PriceFileException(model, field, "must be a finite number >= 0: " + node, null);
      }
      value = node.decimalValue();
    } else if (textOk && node.isTextual()) {
      try {
        value = new BigDecimal(node.asText().trim());
      } catch (NumberFormatException e) {
        throw new PriceFileException(
            model, field, "must be a finite number >= 0: '" + node.asText() + "'", e);
      }
    } else {
      throw new PriceFileException(model, field, "must be a number >= 0: " + node, null);
    }
    if (value.signum() < 0) {
      throw new PriceFileException(
          model, field, "must be a number >= 0: " + value.toPlainString(), null);
    }
    return normal(value);
  }

  private static BigDecimal normal(BigDecimal v) {
    BigDecimal s = v.stripTrailingZeros();
    return s.scale() < 0 ? s.setScale(0) : s;
  }

  private static List<String> strings(@Nullable String model, String field, JsonNode node) {
    if (!node.isArray()) throw new PriceFileException(model, field, "must be an array", null);
    List<String> out = new ArrayList<>();
    for (JsonNode n : node) {
      if (!n.isTextual()) {
        throw new PriceFileException(model, field, "must hold strings: " + n, null);
      }
      out.add(n.asText());
    }
    return out;
  }

  private static void guard(@Nullable String model, @Nullable String field, Runnable step) {
    try {
      step.run();
    } catch (IllegalArgumentException e) {
      throw new PriceFileException(model, field, e.getMessage(), e);
    }
  }

  private static PriceBook build(PriceBook.Builder b) {
    try {
      return b.build();
    } catch (IllegalStateException e) {
      throw new PriceFileException(null, null, e.getMessage(), e);
    }
  }

  private static final Pattern DUPLICATE =
      Pattern.compile("Duplicate (?:Object property|field) [\"']([^\"']*)[\"']");

  private static JsonNode parse(InputStream in) {
    Objects.requireNonNull(in, "in");
    try {
      JsonNode root = MAPPER.readTree(in);
      if (root == null || root.isMissingNode()) {
        throw new PriceFileException(null, null, "is empty", null);
      }
      return root;
    } catch (JacksonException e) {
      Matcher m = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
      if (m.find()) {
        throw new PriceFileException(m.group(1), null, "appears twice (at " + location(e) + ")", e);
      }
      throw new PriceFileException(
          null,
          null,
          "is not valid JSON: " + e.getOriginalMessage() + " (at " + location(e) + ")",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("price file cannot be read", e);
    }
  }

  private static String location(JacksonException e) {
    return e.getLocation() == null
        ? "unknown location"
        : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }
}
