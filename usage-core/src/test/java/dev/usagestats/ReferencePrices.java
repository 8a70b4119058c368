package dev.usagestats;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The naive side of pricing: a plain table of prices (tenant or list, entry, effective-from) and a
 * plain map from model name to entry, looked up by scanning, and the cost of one event written out
 * from the rules (uncached input, cached, cache creation, plain output, reasoning, fee per call).
 * The {@link PriceBook} under test is built from the same table.
 */
final class ReferencePrices {
  record Row(String tenant, String entry, Instant effectiveFrom, ModelPrice price) {}

  final List<Row> rows = new ArrayList<>();
  final Map<String, String> entryOfModel;
  final PriceBook book;

  ReferencePrices(List<Row> rows, Map<String, String> entryOfModel, PriceBook book) {
    this.rows.addAll(rows);
    this.entryOfModel = entryOfModel;
    this.book = book;
  }

  /** The price of an event by this tenant and model at this instant, or null if unpriced. */
  ModelPrice priceOf(String tenant, String model, Instant at) {
    String entry = entryOfModel.get(model);
    if (entry == null) return null;
    Row own = latest(tenant, entry, at);
    if (own != null) return own.price();
    Row list = latest(null, entry, at);
    return list == null ? null : list.price();
  }

  private Row latest(String tenant, String entry, Instant at) {
    Row found = null;
    for (Row r : rows) {
      boolean sameTenant = tenant == null ? r.tenant() == null : tenant.equals(r.tenant());
      if (!sameTenant || !r.entry().equals(entry) || r.effectiveFrom().isAfter(at)) continue;
      if (found == null || r.effectiveFrom().isAfter(found.effectiveFrom())) found = r;
    }
    return found;
  }

  /** The cost of one event, written out from the rules. */
  static BigDecimal cost(UsageEvent e, ModelPrice p) {
    BigDecimal million = BigDecimal.valueOf(1_000_000);
    long uncached = e.inputTokens() - e.cachedInputTokens() - e.cacheCreationInputTokens();
    long plainOut = e.outputTokens() - e.reasoningTokens();
    BigDecimal reasoning = p.reasoningOutput() == null ? p.output() : p.reasoningOutput();
    BigDecimal sum = BigDecimal.ZERO;
    sum = sum.add(BigDecimal.valueOf(uncached).multiply(p.input()).divide(million));
    sum =
        sum.add(
            BigDecimal.valueOf(e.cachedInputTokens()).multiply(p.cachedInput()).divide(million));
    sum =
        sum.add(
            BigDecimal.valueOf(e.cacheCreationInputTokens())
                .multiply(p.cacheCreationInput())
                .divide(million));
    sum = sum.add(BigDecimal.valueOf(plainOut).multiply(p.output()).divide(million));
    sum = sum.add(BigDecimal.valueOf(e.reasoningTokens()).multiply(reasoning).divide(million));
    return sum.add(p.perCall());
  }

  /**
   * A random book over the differential test's models: deepseek by alias, qwen3 by pattern, m3
   * unpriced until a random change (or never), list price changes at random 15-minute instants
   * within {@code [from, to)}, and a negotiated price for one tenant.
   */
  static ReferencePrices random(Random rnd, Instant from, Instant to) {
    List<Row> rows = new ArrayList<>();
    rows.add(new Row(null, "deepseek/deepseek-reasoner", PriceBook.BEGINNING, randomPrice(rnd)));
    rows.add(new Row(null, "qwen/qwen3", PriceBook.BEGINNING, randomPrice(rnd)));
    for (int i = rnd.nextInt(4); i > 0; i--) {
      String entry = rnd.nextBoolean() ? "deepseek/deepseek-reasoner" : "qwen/qwen3";
      rows.add(new Row(null, entry, randomInstant(rnd, from, to), randomPrice(rnd)));
    }
    if (rnd.nextBoolean()) {
      rows.add(new Row(null, "m3", randomInstant(rnd, from, to), randomPrice(rnd)));
    }
    if (rnd.nextBoolean()) {
      rows.add(new Row("acme", "qwen/qwen3", randomInstant(rnd, from, to), randomPrice(rnd)));
    }
    PriceBook.Builder b = PriceBook.builder(Currency.getInstance("USD"));
    List<Row> kept = new ArrayList<>();
    for (Row r : rows) {
      // Two random changes may fall on one instant: keep the first, as the reference does.
      boolean dup =
          kept.stream()
              .anyMatch(
                  k ->
                      k.entry().equals(r.entry())
                          && k.effectiveFrom().equals(r.effectiveFrom())
                          && java.util.Objects.equals(k.tenant(), r.tenant()));
      if (dup) continue;
      kept.add(r);
      if (r.tenant() == null) b.price(r.entry(), r.effectiveFrom(), r.price());
      else b.tenantPrice(r.tenant(), r.entry(), r.effectiveFrom(), r.price());
    }
    boolean m3Priced = kept.stream().anyMatch(r -> r.entry().equals("m3"));
    b.alias("public/deepseek-r1", "deepseek/deepseek-reasoner");
    b.pattern("public/qwen.*", "qwen/qwen3");
    Map<String, String> map =
        m3Priced
            ? Map.of(
                "public/deepseek-r1", "deepseek/deepseek-reasoner",
                "public/qwen3", "qwen/qwen3",
                "m3", "m3")
            : Map.of(
                "public/deepseek-r1", "deepseek/deepseek-reasoner", "public/qwen3", "qwen/qwen3");
    return new ReferencePrices(kept, map, b.build());
  }

  private static Instant randomInstant(Random rnd, Instant from, Instant to) {
    long quarter = PriceBook.CHANGE_GRAIN_MILLIS;
    long a = from.toEpochMilli() / quarter;
    long z = to.toEpochMilli() / quarter;
    return Instant.ofEpochMilli((a + (long) (rnd.nextDouble() * (z - a))) * quarter);
  }

  static ModelPrice randomPrice(Random rnd) {
    ModelPrice p = ModelPrice.of(decimal(rnd), decimal(rnd));
    if (rnd.nextBoolean()) p = p.withCachedInput(decimal(rnd));
    if (rnd.nextBoolean()) p = p.withCacheCreationInput(decimal(rnd));
    if (rnd.nextBoolean()) p = p.withReasoningOutput(decimal(rnd));
    if (rnd.nextInt(4) == 0) p = p.withPerCall(decimal(rnd).movePointLeft(3));
    return p;
  }

  private static BigDecimal decimal(Random rnd) {
    return BigDecimal.valueOf(rnd.nextInt(100_000), rnd.nextInt(5));
  }
}
