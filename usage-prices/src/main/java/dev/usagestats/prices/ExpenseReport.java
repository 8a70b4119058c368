package dev.usagestats.prices;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.usagestats.CostLine;
import dev.usagestats.CostReport;
import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.ModelPrice;
import dev.usagestats.PriceBook;
import dev.usagestats.PriceVersion;
import dev.usagestats.UnpricedUsage;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An expense report: for a range in a zone, per tenant, API key and model, the calls, tokens
 * (input, cached, cache creation, output, reasoning, K tokens), the unit prices used with their
 * effective dates, and the cost; totals per key and overall. Built from a priced {@link
 * UsageReport}, so it prices exactly what the report does (each 15-minute slot at the price then in
 * force). Immutable.
 *
 * <p>Amounts are exact in the {@code cost} column and field; {@code cost_rounded} is {@link
 * CostReport#display} of it (half-even to the currency's minor units). Unpriced usage has its own
 * rows with the reason and no cost (never 0); totals add priced cost only and say so when they
 * leave usage out. The API key column holds the key id the engine recorded, never a secret.
 *
 * <pre>{@code
 * ExpenseReport november =
 *     ExpenseReport.month(stats, YearMonth.of(2026, 11), ZoneId.of("Asia/Kathmandu"));
 * november.writeCsv(writer); // or writeJson
 * }</pre>
 */
public final class ExpenseReport {
  /** The CSV columns, in order. */
  public static final List<String> COLUMNS =
      List.of(
          "kind",
          "from",
          "to",
          "zone",
          "tenant",
          "api_key",
          "model",
          "price_entry",
          "price_tenant",
          "price_effective_from",
          "currency",
          "calls",
          "errors",
          "input_tokens",
          "cached_input_tokens",
          "cache_creation_input_tokens",
          "output_tokens",
          "reasoning_tokens",
          "total_k_tokens",
          "input_per_mtok",
          "cached_input_per_mtok",
          "cache_creation_input_per_mtok",
          "output_per_mtok",
          "reasoning_output_per_mtok",
          "per_call",
          "cost",
          "cost_rounded",
          "note");

  private static final CsvMapper CSV = new CsvMapper();
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  private final Instant from;
  private final Instant to;
  private final ZoneId zone;
  private final Currency currency;
  private final List<ExpenseRow> rows;

  private ExpenseReport(
      Instant from, Instant to, ZoneId zone, Currency currency, List<ExpenseRow> rows) {
    this.from = from;
    this.to = to;
    this.zone = zone;
    this.currency = currency;
    this.rows = List.copyOf(rows);
  }

  /**
   * The expense report of a priced report: its cost lines and unpriced usage per tenant, key and
   * model, a total per tenant's key, and the overall total.
   *
   * @throws IllegalArgumentException if the report has no cost (no price book was in force)
   */
  public static ExpenseReport of(UsageReport report) {
    Objects.requireNonNull(report, "report");
    CostReport cost = report.cost();
    if (cost == null) {
      throw new IllegalArgumentException(
          "report must be priced: no price book was in force for its query");
    }
    Map<List<String>, List<ExpenseRow>> byKey = new LinkedHashMap<>();
    for (CostLine l : cost.lines()) {
      byKey
          .computeIfAbsent(List.of(l.tenant(), l.apiKey()), k -> new ArrayList<>())
          .add(
              new ExpenseRow(
                  ExpenseRow.Kind.LINE,
                  l.tenant(),
                  l.apiKey(),
                  l.model(),
                  l.version(),
                  l.totals(),
                  l.cost(),
                  ""));
    }
    for (UnpricedUsage u : cost.unpriced()) {
      byKey
          .computeIfAbsent(List.of(u.tenant(), u.apiKey()), k -> new ArrayList<>())
          .add(
              new ExpenseRow(
                  ExpenseRow.Kind.UNPRICED,
                  u.tenant(),
                  u.apiKey(),
                  u.model(),
                  null,
                  u.totals(),
                  null,
                  u.reason()));
    }
    List<List<String>> keys = new ArrayList<>(byKey.keySet());
    keys.sort(
        (a, b) -> {
          int c = a.get(0).compareTo(b.get(0));
          return c != 0 ? c : a.get(1).compareTo(b.get(1));
        });
    List<ExpenseRow> rows = new ArrayList<>();
    UsageTotals all = UsageTotals.empty();
    BigDecimal allCost = BigDecimal.ZERO;
    boolean allUnpriced = false;
    for (List<String> key : keys) {
      List<ExpenseRow> lines = byKey.get(key);
      lines.sort(
          (a, b) -> {
            int c = a.model().compareTo(b.model());
            if (c != 0) return c;
            Instant fa = a.version() == null ? Instant.MAX : a.version().effectiveFrom();
            Instant fb = b.version() == null ? Instant.MAX : b.version().effectiveFrom();
            return fa.compareTo(fb);
          });
      UsageTotals t = UsageTotals.empty();
      BigDecimal c = BigDecimal.ZERO;
      boolean unpriced = false;
      for (ExpenseRow r : lines) {
        t = t.plus(r.totals());
        if (r.cost() != null) c = c.add(r.cost());
        else unpriced = true;
      }
      rows.addAll(lines);
      rows.add(
          new ExpenseRow(
              ExpenseRow.Kind.KEY_TOTAL,
              key.get(0),
              key.get(1),
              "",
              null,
              t,
              c,
              unpriced ? "cost leaves out unpriced usage" : ""));
      all = all.plus(t);
      allCost = allCost.add(c);
      allUnpriced |= unpriced;
    }
    rows.add(
        new ExpenseRow(
            ExpenseRow.Kind.TOTAL,
            "",
            "",
            "",
            null,
            all,
            allCost,
            allUnpriced ? "cost leaves out unpriced usage" : ""));
    return new ExpenseReport(report.from(), report.to(), report.zone(), cost.currency(), rows);
  }

  /**
   * The expense report of one calendar month in {@code zone}, all tenants, keys and models, priced
   * with the engine's book.
   *
   * @throws IllegalArgumentException if the engine has no price book
   */
  public static ExpenseReport month(UsageStats stats, YearMonth month, ZoneId zone) {
    return of(stats.query(monthQuery(month, zone).build()));
  }

  /**
   * The same, priced with {@code book} instead of the engine's: what the month would have cost on
   * other prices.
   */
  public static ExpenseReport month(
      UsageStats stats, YearMonth month, ZoneId zone, PriceBook book) {
    return of(stats.query(monthQuery(month, zone).priceBook(book).build()));
  }

  /** A query of whole days of {@code month} in {@code zone}: daily buckets, no grouping. */
  public static UsageQuery.Builder monthQuery(YearMonth month, ZoneId zone) {
    return UsageQuery.builder()
        .zone(zone)
        .days(month.atDay(1), month.atEndOfMonth())
        .granularity(Granularity.DAY)
        .groupBy(GroupBy.NONE);
  }

  /** The first instant covered. */
  public Instant from() {
    return from;
  }

  /** The end of the range, exclusive. */
  public Instant to() {
    return to;
  }

  /** The zone of the range. */
  public ZoneId zone() {
    return zone;
  }

  /** The currency of every amount. */
  public Currency currency() {
    return currency;
  }

  /** The rows: per tenant and key its lines then its total, ordered; the overall total last. */
  public List<ExpenseRow> rows() {
    return rows;
  }

  /** The overall total row. */
  public ExpenseRow total() {
    return rows.get(rows.size() - 1);
  }

  /** The rows as {@link #COLUMNS} strings, empty where a column does not apply. */
  public List<List<String>> table() {
    List<List<String>> out = new ArrayList<>(rows.size());
    for (ExpenseRow r : rows) out.add(cells(r));
    return out;
  }

  private List<String> cells(ExpenseRow r) {
    UsageTotals t = r.totals();
    PriceVersion v = r.version();
    ModelPrice p = v == null ? null : v.price();
    List<String> c = new ArrayList<>(COLUMNS.size());
    c.add(r.kind().name().toLowerCase(java.util.Locale.ROOT));
    c.add(from.toString());
    c.add(to.toString());
    c.add(zone.getId());
    c.add(r.tenant());
    c.add(r.apiKey());
    c.add(r.model());
    c.add(v == null ? "" : v.entry());
    c.add(v == null || v.tenant() == null ? "" : v.tenant());
    c.add(v == null ? "" : effective(v.effectiveFrom()));
    c.add(currency.getCurrencyCode());
    c.add(Long.toString(t.calls()));
    c.add(Long.toString(t.errors()));
    c.add(Long.toString(t.inputTokens()));
    c.add(Long.toString(t.cachedInputTokens()));
    c.add(Long.toString(t.cacheCreationInputTokens()));
    c.add(Long.toString(t.outputTokens()));
    c.add(Long.toString(t.reasoningTokens()));
    c.add(t.totalKTokens().toPlainString());
    c.add(p == null ? "" : p.input().toPlainString());
    c.add(p == null ? "" : p.cachedInput().toPlainString());
    c.add(p == null ? "" : p.cacheCreationInput().toPlainString());
    c.add(p == null ? "" : p.output().toPlainString());
    c.add(p == null ? "" : p.effectiveReasoningOutput().toPlainString());
    c.add(p == null ? "" : p.perCall().toPlainString());
    c.add(r.cost() == null ? "" : r.cost().toPlainString());
    c.add(r.cost() == null ? "" : CostReport.display(r.cost(), currency).toPlainString());
    c.add(r.note());
    return Collections.unmodifiableList(c);
  }

  private static String effective(Instant from) {
    return from.equals(PriceBook.BEGINNING) ? "always" : from.toString();
  }

  /** Writes the report as CSV (RFC 4180: a header row, CRLF line ends, quoted where needed). */
  public void writeCsv(Writer out) {
    CsvSchema schema = CsvSchema.emptySchema().withLineSeparator("\r\n");
    try (SequenceWriter w =
        CSV.writer(schema).without(JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValues(out)) {
      w.write(COLUMNS);
      for (List<String> row : table()) w.write(row);
    } catch (IOException e) {
      throw new UncheckedIOException("expense report cannot be written", e);
    }
  }

  /** The report as CSV. */
  public String toCsv() {
    StringWriter w = new StringWriter();
    writeCsv(w);
    return w.toString();
  }

  /**
   * Writes the report as JSON: {@code currency}, {@code from}, {@code to}, {@code zone}, and {@code
   * rows}, each an object with the CSV's columns (counts and amounts as exact JSON numbers, absent
   * where a column does not apply).
   */
  public void writeJson(Writer out) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("currency", currency.getCurrencyCode());
    doc.put("from", from.toString());
    doc.put("to", to.toString());
    doc.put("zone", zone.getId());
    List<Map<String, Object>> list = new ArrayList<>();
    for (ExpenseRow r : rows) list.add(json(r));
    doc.put("rows", list);
    try {
      JSON.writer()
          .without(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
          .with(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
          .writeValue(out, doc);
    } catch (IOException e) {
      throw new UncheckedIOException("expense report cannot be written", e);
    }
  }

  /** The report as JSON. */
  public String toJson() {
    StringWriter w = new StringWriter();
    writeJson(w);
    return w.toString();
  }

  private Map<String, Object> json(ExpenseRow r) {
    Map<String, Object> m = new LinkedHashMap<>();
    UsageTotals t = r.totals();
    m.put("kind", r.kind().name().toLowerCase(java.util.Locale.ROOT));
    m.put("tenant", r.tenant());
    m.put("apiKey", r.apiKey());
    m.put("model", r.model());
    PriceVersion v = r.version();
    if (v != null) {
      Map<String, Object> price = new LinkedHashMap<>();
      price.put("entry", v.entry());
      if (v.tenant() != null) price.put("tenant", v.tenant());
      price.put("effectiveFrom", effective(v.effectiveFrom()));
      price.put("inputPerMTok", v.price().input());
      price.put("cachedInputPerMTok", v.price().cachedInput());
      price.put("cacheCreationInputPerMTok", v.price().cacheCreationInput());
      price.put("outputPerMTok", v.price().output());
      price.put("reasoningOutputPerMTok", v.price().effectiveReasoningOutput());
      price.put("perCall", v.price().perCall());
      m.put("price", price);
    }
    m.put("calls", t.calls());
    m.put("errors", t.errors());
    m.put("inputTokens", t.inputTokens());
    m.put("cachedInputTokens", t.cachedInputTokens());
    m.put("cacheCreationInputTokens", t.cacheCreationInputTokens());
    m.put("outputTokens", t.outputTokens());
    m.put("reasoningTokens", t.reasoningTokens());
    m.put("totalKTokens", t.totalKTokens());
    BigDecimal cost = r.cost();
    if (cost != null) {
      m.put("cost", cost);
      m.put("costRounded", CostReport.display(cost, currency));
    }
    if (!r.note().isEmpty()) m.put("note", r.note());
    return m;
  }
}
