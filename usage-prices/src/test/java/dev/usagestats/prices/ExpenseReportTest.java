package dev.usagestats.prices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.usagestats.CostLine;
import dev.usagestats.CostReport;
import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.ModelPrice;
import dev.usagestats.Outcome;
import dev.usagestats.PriceBook;
import dev.usagestats.PriceVersion;
import dev.usagestats.SeriesView;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpenseReportTest {
  static final Currency USD = Currency.getInstance("USD");
  static final ZoneId KATHMANDU = ZoneId.of("Asia/Kathmandu");

  private static List<List<String>> parseCsv(String csv) throws Exception {
    CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
    try (MappingIterator<List<String>> it = mapper.readerForListOf(String.class).readValues(csv)) {
      return it.readAll();
    }
  }

  /**
   * November 2026 in Kathmandu. List prices per million: m1 input 2, cached 0.5, output 8,
   * reasoning 10, 0.001 per call; from 2026-11-15T00:00 local (18:15Z on the 14th) input 1, output
   * 4, the rest as before. acme negotiated m2 at input 1, output 1.
   */
  @Test
  void month_knownUsage_csvParsedBackFieldByField() throws Exception {
    ModelPrice m1Before =
        ModelPrice.of(new BigDecimal("2"), new BigDecimal("8"))
            .withCachedInput(new BigDecimal("0.5"))
            .withReasoningOutput(new BigDecimal("10"))
            .withPerCall(new BigDecimal("0.001"));
    ModelPrice m1After =
        ModelPrice.of(new BigDecimal("1"), new BigDecimal("4"))
            .withCachedInput(new BigDecimal("0.5"))
            .withReasoningOutput(new BigDecimal("10"))
            .withPerCall(new BigDecimal("0.001"));
    Instant change = Instant.parse("2026-11-14T18:15:00Z");
    PriceBook book =
        PriceBook.builder(USD)
            .price("m1", m1Before)
            .price("m1", change, m1After)
            .price("m2", ModelPrice.of(new BigDecimal("3"), new BigDecimal("3")))
            .tenantPrice(
                "acme", "m2", PriceBook.BEGINNING, ModelPrice.of(BigDecimal.ONE, BigDecimal.ONE))
            .build();
    Clock clock = Clock.fixed(Instant.parse("2026-12-02T00:00:00Z"), ZoneOffset.UTC);
    try (UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .retention(Duration.ofDays(40))
            .priceBook(book)
            .build()) {
      // acme/key-1/m1 before: 1,000,000 in (200,000 cached), 100,000 out (50,000 reasoning)
      //   800,000 x 2 + 200,000 x 0.5 + 50,000 x 8 + 50,000 x 10 = 1.6 + 0.1 + 0.4 + 0.5
      //   = 2.6, plus 0.001 = 2.601
      stats.record(
          ev("2026-11-14T18:14:00Z", "acme", "key-1", "m1", 1_000_000, 100_000, 200_000, 50_000));
      // acme/key-1/m1 after: the same tokens: 0.8 + 0.1 + 0.2 + 0.5 = 1.6, plus 0.001 = 1.601
      stats.record(
          ev("2026-11-14T18:15:00Z", "acme", "key-1", "m1", 1_000_000, 100_000, 200_000, 50_000));
      // acme/key-1/m2 at acme's price: 500,000 x 1 + 500,000 x 1 = 1
      stats.record(ev("2026-11-20T00:00:00Z", "acme", "key-1", "m2", 500_000, 500_000, 0, 0));
      // globex/key-2/m2 at list: 3 + 3 = 6
      stats.record(ev("2026-11-21T00:00:00Z", "globex", "key-2", "m2", 1_000_000, 1_000_000, 0, 0));
      // globex/key-2/m9: unpriced
      stats.record(ev("2026-11-21T00:00:00Z", "globex", "key-2", "m9", 1_000, 10, 0, 0));
      // Outside the Kathmandu month: 2026-11-30T18:15Z is December 1st there.
      stats.record(ev("2026-11-30T18:15:00Z", "acme", "key-1", "m2", 9_000_000, 0, 0, 0));

      ExpenseReport report = ExpenseReport.month(stats, YearMonth.of(2026, 11), KATHMANDU);
      assertThat(report.from()).isEqualTo(Instant.parse("2026-10-31T18:15:00Z"));
      assertThat(report.to()).isEqualTo(Instant.parse("2026-11-30T18:15:00Z"));
      assertThat(report.total().cost()).isEqualByComparingTo("11.202");

      List<List<String>> csv = parseCsv(report.toCsv());
      assertThat(csv.get(0)).isEqualTo(ExpenseReport.COLUMNS);
      assertThat(csv.subList(1, csv.size())).isEqualTo(report.table());
      assertThat(csv).hasSize(1 + 8); // header; acme: 3 lines + total; globex: 2 + total; total

      List<String> first = row(csv, 1);
      assertThat(first.get(col("kind"))).isEqualTo("line");
      assertThat(first.get(col("tenant"))).isEqualTo("acme");
      assertThat(first.get(col("api_key"))).isEqualTo("key-1");
      assertThat(first.get(col("model"))).isEqualTo("m1");
      assertThat(first.get(col("price_effective_from"))).isEqualTo("always");
      assertThat(first.get(col("calls"))).isEqualTo("1");
      assertThat(first.get(col("input_tokens"))).isEqualTo("1000000");
      assertThat(first.get(col("cached_input_tokens"))).isEqualTo("200000");
      assertThat(first.get(col("output_tokens"))).isEqualTo("100000");
      assertThat(first.get(col("reasoning_tokens"))).isEqualTo("50000");
      assertThat(first.get(col("total_k_tokens"))).isEqualTo("1100.000");
      assertThat(first.get(col("input_per_mtok"))).isEqualTo("2");
      assertThat(first.get(col("reasoning_output_per_mtok"))).isEqualTo("10");
      assertThat(first.get(col("per_call"))).isEqualTo("0.001");
      assertThat(new BigDecimal(first.get(col("cost")))).isEqualByComparingTo("2.601");
      assertThat(first.get(col("cost_rounded"))).isEqualTo("2.60");

      List<String> second = row(csv, 2);
      assertThat(second.get(col("price_effective_from"))).isEqualTo("2026-11-14T18:15:00Z");
      assertThat(new BigDecimal(second.get(col("cost")))).isEqualByComparingTo("1.601");

      List<String> third = row(csv, 3);
      assertThat(third.get(col("model"))).isEqualTo("m2");
      assertThat(third.get(col("price_tenant"))).isEqualTo("acme");
      assertThat(new BigDecimal(third.get(col("cost")))).isEqualByComparingTo("1");

      List<String> acmeTotal = row(csv, 4);
      assertThat(acmeTotal.get(col("kind"))).isEqualTo("key_total");
      assertThat(acmeTotal.get(col("calls"))).isEqualTo("3");
      assertThat(new BigDecimal(acmeTotal.get(col("cost")))).isEqualByComparingTo("5.202");

      List<String> unpriced = row(csv, 6);
      assertThat(unpriced.get(col("kind"))).isEqualTo("unpriced");
      assertThat(unpriced.get(col("model"))).isEqualTo("m9");
      assertThat(unpriced.get(col("cost"))).isEmpty(); // never 0
      assertThat(unpriced.get(col("note"))).contains("no price entry");

      List<String> globexTotal = row(csv, 7);
      assertThat(new BigDecimal(globexTotal.get(col("cost")))).isEqualByComparingTo("6");
      assertThat(globexTotal.get(col("note"))).isEqualTo("cost leaves out unpriced usage");

      List<String> total = row(csv, 8);
      assertThat(total.get(col("kind"))).isEqualTo("total");
      assertThat(total.get(col("calls"))).isEqualTo("5");
      assertThat(total.get(col("cost_rounded"))).isEqualTo("11.20");

      // JSON carries the same figures as exact numbers.
      JsonNode json = JsonMapper.builder().build().readTree(report.toJson());
      assertThat(json.get("zone").asText()).isEqualTo("Asia/Kathmandu");
      JsonNode rows = json.get("rows");
      assertThat(rows).hasSize(8);
      assertThat(rows.get(0).get("price").get("inputPerMTok").decimalValue())
          .isEqualByComparingTo("2");
      assertThat(rows.get(7).get("cost").decimalValue()).isEqualByComparingTo("11.202");
      assertThat(rows.get(5).has("cost")).isFalse();
    }
  }

  @Test
  void csv_keyWithCommaQuoteAndNewline_roundTrips() throws Exception {
    String key = "key,with \"quote\"\nand newline";
    PriceVersion v =
        new PriceVersion(
            "m", null, PriceBook.BEGINNING, ModelPrice.of(BigDecimal.ONE, BigDecimal.ONE));
    UsageTotals t = new UsageTotals(1, 0, 1_000_000, 0, 0, 0, 0);
    CostReport cost =
        new CostReport(
            USD,
            BigDecimal.ONE,
            List.of(BigDecimal.ONE),
            List.of(new CostLine("acme", key, "m", v, t, BigDecimal.ONE)),
            List.of());
    Instant from = Instant.parse("2026-11-01T00:00:00Z");
    UsageReport report =
        new UsageReport(
            from,
            Instant.parse("2026-12-01T00:00:00Z"),
            ZoneOffset.UTC,
            Granularity.MONTH,
            GroupBy.NONE,
            SeriesView.TOTAL,
            from,
            t,
            List.of(from),
            List.of(),
            List.of(),
            cost);
    String text = ExpenseReport.of(report).toCsv();
    assertThat(text).contains("\"key,with \"\"quote\"\"\nand newline\"");
    assertThat(text).contains("\r\n");
    List<List<String>> csv = parseCsv(text);
    assertThat(csv).hasSize(4);
    assertThat(csv.get(1).get(col("api_key"))).isEqualTo(key);
    assertThat(csv.get(2).get(col("api_key"))).isEqualTo(key);
    assertThat(csv.subList(1, 4)).isEqualTo(ExpenseReport.of(report).table());
  }

  @Test
  void of_unpricedReportRefused() {
    Instant from = Instant.parse("2026-11-01T00:00:00Z");
    UsageReport report =
        new UsageReport(
            from,
            Instant.parse("2026-12-01T00:00:00Z"),
            ZoneOffset.UTC,
            Granularity.MONTH,
            GroupBy.NONE,
            SeriesView.TOTAL,
            from,
            UsageTotals.empty(),
            List.of(from),
            List.of(),
            List.of());
    assertThatThrownBy(() -> ExpenseReport.of(report))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("report must be priced");
  }

  private static List<String> row(List<List<String>> csv, int i) {
    return csv.get(i);
  }

  private static int col(String name) {
    return ExpenseReport.COLUMNS.indexOf(name);
  }

  private static UsageEvent ev(
      String at,
      String tenant,
      String key,
      String model,
      long in,
      long out,
      long cached,
      long reasoning) {
    return new UsageEvent(
        Instant.parse(at), tenant, key, model, in, out, cached, 0, reasoning, Outcome.SUCCESS);
  }
}
