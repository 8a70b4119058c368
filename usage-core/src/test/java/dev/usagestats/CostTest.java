package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.testing.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Currency;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Hand-worked costs: every expected amount is written out from the price list in the comment. */
class CostTest {
  static final Currency USD = Currency.getInstance("USD");
  static final ZoneId KATHMANDU = ZoneId.of("Asia/Kathmandu");

  /**
   * Per million tokens: input 3, cached read 0.30, cache creation 3.75, output 15, reasoning 20;
   * 0.01 per call.
   */
  static final ModelPrice CLAUDE =
      ModelPrice.of(new BigDecimal("3"), new BigDecimal("15"))
          .withCachedInput(new BigDecimal("0.30"))
          .withCacheCreationInput(new BigDecimal("3.75"))
          .withReasoningOutput(new BigDecimal("20"))
          .withPerCall(new BigDecimal("0.01"));

  private static UsageStats engine(TestClock clock, PriceBook book) {
    UsageStats.Builder b =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .retention(Duration.ofDays(40));
    if (book != null) b.priceBook(book);
    return b.build();
  }

  private static UsageEvent event(
      String at,
      String tenant,
      String model,
      long in,
      long out,
      long cached,
      long creation,
      long reasoning) {
    return new UsageEvent(
        Instant.parse(at),
        tenant,
        "key-a",
        model,
        in,
        out,
        cached,
        creation,
        reasoning,
        Outcome.SUCCESS);
  }

  @Test
  void cost_cachedCacheCreationReasoningAndFee() {
    // input 10,000 of which 6,000 cached and 2,000 cache creation: 2,000 uncached
    // output 1,000 of which 400 reasoning: 600 plain
    // 2,000 x 3 + 6,000 x 0.30 + 2,000 x 3.75 + 600 x 15 + 400 x 20 = 6,000 + 1,800 + 7,500
    //   + 9,000 + 8,000 = 32,300 per million = 0.0323, plus 0.01 per call = 0.0423
    UsageTotals one = new UsageTotals(1, 0, 10_000, 1_000, 6_000, 2_000, 400);
    assertThat(CLAUDE.cost(one)).isEqualByComparingTo("0.0423");
    // Without a reasoning price the 400 reasoning tokens cost as output: 400 x 15 = 6,000
    // instead of 8,000, so 0.0403.
    ModelPrice noReasoning =
        new ModelPrice(
            CLAUDE.input(),
            CLAUDE.cachedInput(),
            CLAUDE.cacheCreationInput(),
            CLAUDE.output(),
            null,
            CLAUDE.perCall(),
            Set.of());
    assertThat(noReasoning.cost(one)).isEqualByComparingTo("0.0403");
  }

  @Test
  void query_handWorkedReport() {
    TestClock clock = TestClock.of(Instant.parse("2026-11-20T12:00:00Z"));
    PriceBook book = PriceBook.builder(USD).price("claude-sonnet-4-5", CLAUDE).build();
    try (UsageStats stats = engine(clock, book)) {
      stats.record(
          event(
              "2026-11-20T10:00:00Z",
              "acme",
              "claude-sonnet-4-5",
              10_000,
              1_000,
              6_000,
              2_000,
              400));
      stats.record(
          event(
              "2026-11-20T11:00:00Z",
              "acme",
              "claude-sonnet-4-5",
              10_000,
              1_000,
              6_000,
              2_000,
              400));
      UsageReport r =
          stats.query(
              stats
                  .newQuery()
                  .day(LocalDate.of(2026, 11, 20))
                  .granularity(Granularity.HOUR)
                  .build());
      CostReport cost = r.cost();
      assertThat(cost).isNotNull();
      assertThat(cost.total()).isEqualByComparingTo("0.0846"); // 2 x 0.0423
      assertThat(cost.displayTotal()).isEqualTo(new BigDecimal("0.08")); // half-even to cents
      assertThat(cost.buckets().get(10)).isEqualByComparingTo("0.0423");
      assertThat(cost.buckets().get(11)).isEqualByComparingTo("0.0423");
      assertThat(cost.buckets().get(12)).isEqualByComparingTo("0");
      assertThat(r.distribution().get(0).cost()).isEqualByComparingTo("0.0846");
      assertThat(r.distribution().get(0).costShare()).isEqualTo(1.0);
      assertThat(r.series().get(0).cost()).isEqualByComparingTo("0.0846");
      assertThat(cost.lines()).hasSize(1);
      assertThat(cost.lines().get(0).version().effectiveFrom()).isEqualTo(PriceBook.BEGINNING);
      assertThat(cost.unpriced()).isEmpty();
    }
  }

  @Test
  void query_priceChangeMidMonthInKathmandu() {
    // The price halves from 2026-11-15T00:00 Kathmandu (+05:45) = 2026-11-14T18:15Z, and again
    // at 2026-11-20T06:00Z, in the middle of the local day (11:45).
    ModelPrice before = ModelPrice.of(new BigDecimal("2"), new BigDecimal("8"));
    ModelPrice after = ModelPrice.of(new BigDecimal("1"), new BigDecimal("4"));
    ModelPrice later = ModelPrice.of(new BigDecimal("0.5"), new BigDecimal("2"));
    Instant change = LocalDate.of(2026, 11, 15).atStartOfDay(KATHMANDU).toInstant();
    assertThat(change).isEqualTo(Instant.parse("2026-11-14T18:15:00Z"));
    PriceBook book =
        PriceBook.builder(USD)
            .price("m", before)
            .price("m", change, after)
            .price("m", Instant.parse("2026-11-20T06:00:00Z"), later)
            .build();
    TestClock clock = TestClock.of(Instant.parse("2026-11-30T12:00:00Z"));
    try (UsageStats stats = engine(clock, book)) {
      // 1,000,000 in + 1,000,000 out each: 10 before, 5 after, 2.5 later
      stats.record(event("2026-11-14T18:14:00Z", "acme", "m", 1_000_000, 1_000_000, 0, 0, 0));
      stats.record(event("2026-11-14T18:15:00Z", "acme", "m", 1_000_000, 1_000_000, 0, 0, 0));
      stats.record(event("2026-11-20T05:59:00Z", "acme", "m", 1_000_000, 1_000_000, 0, 0, 0));
      stats.record(event("2026-11-20T06:00:00Z", "acme", "m", 1_000_000, 1_000_000, 0, 0, 0));
      UsageQuery.Builder month =
          stats
              .newQuery()
              .zone(KATHMANDU)
              .days(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 11, 30));
      UsageReport daily = stats.query(month.granularity(Granularity.DAY).build());
      List<BigDecimal> days = daily.cost().buckets();
      assertThat(days.get(13)).isEqualByComparingTo("10"); // Nov 14 local: the old price
      assertThat(days.get(14)).isEqualByComparingTo("5"); // Nov 15 local: the new one
      assertThat(days.get(19)).isEqualByComparingTo("7.5"); // Nov 20: 5 before 11:45, 2.5 after
      assertThat(daily.cost().total()).isEqualByComparingTo("22.5");
      UsageReport monthly = stats.query(month.granularity(Granularity.MONTH).build());
      assertThat(monthly.cost().buckets()).hasSize(1);
      assertThat(monthly.cost().buckets().get(0)).isEqualByComparingTo("22.5");
      assertThat(monthly.cost().lines())
          .extracting(l -> l.version().price(), l -> l.totals().calls())
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(before, 1L),
              org.assertj.core.groups.Tuple.tuple(after, 2L),
              org.assertj.core.groups.Tuple.tuple(later, 1L));
      // The COST view shows cents, half-even: 22.5 = 2250 cents.
      UsageReport view = stats.query(month.view(SeriesView.COST).build());
      assertThat(view.series().get(0).points().get(0).value()).isEqualTo(2250);
    }
  }

  @Test
  void query_tenantPriceFallsBackToListPrice() {
    ModelPrice list = ModelPrice.of(new BigDecimal("2"), new BigDecimal("8"));
    ModelPrice negotiated = ModelPrice.of(new BigDecimal("1"), new BigDecimal("2"));
    PriceBook book =
        PriceBook.builder(USD)
            .price("m", list)
            .tenantPrice("acme", "m", Instant.parse("2026-11-10T00:00:00Z"), negotiated)
            .build();
    TestClock clock = TestClock.of(Instant.parse("2026-11-20T00:00:00Z"));
    try (UsageStats stats = engine(clock, book)) {
      stats.record(event("2026-11-09T12:00:00Z", "acme", "m", 1_000_000, 1_000_000, 0, 0, 0));
      stats.record(event("2026-11-11T12:00:00Z", "acme", "m", 1_000_000, 1_000_000, 0, 0, 0));
      stats.record(event("2026-11-11T12:00:00Z", "globex", "m", 1_000_000, 1_000_000, 0, 0, 0));
      UsageQuery.Builder q =
          stats.newQuery().days(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 11, 19));
      // acme: 10 at list before its price, then 3; globex: 10 at list
      assertThat(stats.query(q.build()).cost().total()).isEqualByComparingTo("23");
      assertThat(stats.query(q.tenant("acme").build()).cost().total()).isEqualByComparingTo("13");
      List<CostLine> lines = stats.query(q.tenant("acme").build()).cost().lines();
      assertThat(lines).extracting(l -> l.version().tenant()).containsExactly(null, "acme");
    }
  }

  @Test
  void query_unknownModelReportedUnpricedNeverZero() {
    PriceBook book =
        PriceBook.builder(USD).price("m", ModelPrice.of(BigDecimal.ONE, BigDecimal.ONE)).build();
    TestClock clock = TestClock.of(Instant.parse("2026-11-20T00:00:00Z"));
    try (UsageStats stats = engine(clock, book)) {
      stats.record(event("2026-11-19T12:00:00Z", "acme", "m", 1_000_000, 0, 0, 0, 0));
      stats.record(event("2026-11-19T12:00:00Z", "acme", "mystery-1", 500, 70, 0, 0, 0));
      UsageReport r = stats.query(stats.newQuery().day(LocalDate.of(2026, 11, 19)).build());
      assertThat(r.cost().total()).isEqualByComparingTo("1");
      assertThat(r.cost().unpriced()).hasSize(1);
      UnpricedUsage u = r.cost().unpriced().get(0);
      assertThat(u.model()).isEqualTo("mystery-1");
      assertThat(u.totals()).isEqualTo(new UsageTotals(1, 0, 500, 70, 0, 0, 0));
      assertThat(u.reason()).contains("no price entry");
      ModelShare mystery =
          r.distribution().stream().filter(m -> m.model().equals("mystery-1")).findFirst().get();
      assertThat(mystery.cost()).isNull();
      assertThat(mystery.costShare()).isEqualTo(0.0);
      TrendSeries s =
          r.series().stream().filter(t -> t.label().equals("mystery-1")).findFirst().get();
      assertThat(s.cost()).isNull();
      assertThat(s.points()).allSatisfy(p -> assertThat(p.cost()).isNull());
    }
  }

  @Test
  void query_aliasAndPattern() {
    PriceBook book =
        PriceBook.builder(USD)
            .price("deepseek/deepseek-reasoner", ModelPrice.of(BigDecimal.ONE, BigDecimal.ONE))
            .price("qwen/qwen3-235b", ModelPrice.of(BigDecimal.TEN, BigDecimal.TEN))
            .alias("public/deepseek-r1", "deepseek/deepseek-reasoner")
            .pattern("public/qwen3(-.*)?", "qwen/qwen3-235b")
            .build();
    assertThat(book.entryFor("public/deepseek-r1")).contains("deepseek/deepseek-reasoner");
    assertThat(book.entryFor("public/qwen3-32k")).contains("qwen/qwen3-235b");
    assertThat(book.entryFor("public/qwen3x")).isEmpty(); // a pattern matches the whole name
    TestClock clock = TestClock.of(Instant.parse("2026-11-20T00:00:00Z"));
    try (UsageStats stats = engine(clock, book)) {
      stats.record(
          event("2026-11-19T12:00:00Z", "acme", "public/deepseek-r1", 1_000_000, 0, 0, 0, 0));
      stats.record(event("2026-11-19T12:00:00Z", "acme", "public/qwen3", 1_000_000, 0, 0, 0, 0));
      UsageReport r = stats.query(stats.newQuery().day(LocalDate.of(2026, 11, 19)).build());
      assertThat(r.cost().total()).isEqualByComparingTo("11");
      assertThat(r.cost().lines())
          .extracting(CostLine::model, l -> l.version().entry())
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  "public/deepseek-r1", "deepseek/deepseek-reasoner"),
              org.assertj.core.groups.Tuple.tuple("public/qwen3", "qwen/qwen3-235b"));
    }
  }

  @Test
  void build_ambiguousPatternRefused() {
    PriceBook.Builder b =
        PriceBook.builder(USD)
            .price("a", ModelPrice.of(BigDecimal.ONE, BigDecimal.ONE))
            .price("b", ModelPrice.of(BigDecimal.TEN, BigDecimal.TEN))
            .pattern("public/.*", "a")
            .pattern(".*-r1", "b")
            .models(List.of("public/deepseek-r1"));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("public/deepseek-r1")
        .hasMessageContaining("ambiguous");
  }

  @Test
  void priceBook_ambiguousForEngineModelRefusedAndBookInForceStays() {
    PriceBook good =
        PriceBook.builder(USD).price("a", ModelPrice.of(BigDecimal.ONE, BigDecimal.ONE)).build();
    PriceBook ambiguous =
        PriceBook.builder(USD)
            .price("a", ModelPrice.of(BigDecimal.ONE, BigDecimal.ONE))
            .price("b", ModelPrice.of(BigDecimal.TEN, BigDecimal.TEN))
            .pattern("public/.*", "a")
            .pattern(".*-r1", "b")
            .build();
    TestClock clock = TestClock.of(Instant.parse("2026-11-20T00:00:00Z"));
    try (UsageStats stats = engine(clock, good)) {
      stats.record(event("2026-11-19T12:00:00Z", "acme", "public/deepseek-r1", 10, 0, 0, 0, 0));
      assertThatThrownBy(() -> stats.priceBook(ambiguous))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("public/deepseek-r1");
      assertThat(stats.priceBook()).isSameAs(good);
    }
  }

  @Test
  void price_effectiveFromOffQuarterHourRefused() {
    assertThatThrownBy(
            () ->
                PriceBook.builder(USD)
                    .price(
                        "m",
                        Instant.parse("2026-11-20T10:07:00Z"),
                        ModelPrice.of(BigDecimal.ONE, BigDecimal.ONE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "effectiveFrom must be a 15-minute boundary (prices apply per 15-minute slot):"
                + " 2026-11-20T10:07:00Z");
  }

  @Test
  void modelPrice_negativeRefused() {
    assertThatThrownBy(() -> ModelPrice.of(new BigDecimal("-1"), BigDecimal.ONE))
        .hasMessage("input must be >= 0: -1");
  }

  @Test
  void query_bookOfTheQueryOverridesTheEngine() {
    PriceBook engineBook =
        PriceBook.builder(USD).price("m", ModelPrice.of(BigDecimal.ONE, BigDecimal.ONE)).build();
    PriceBook other =
        PriceBook.builder(USD).price("m", ModelPrice.of(BigDecimal.TEN, BigDecimal.TEN)).build();
    TestClock clock = TestClock.of(Instant.parse("2026-11-20T00:00:00Z"));
    try (UsageStats stats = engine(clock, engineBook)) {
      stats.record(event("2026-11-19T12:00:00Z", "acme", "m", 1_000_000, 0, 0, 0, 0));
      UsageQuery.Builder q = stats.newQuery().day(LocalDate.of(2026, 11, 19));
      assertThat(stats.query(q.build()).cost().total()).isEqualByComparingTo("1");
      assertThat(stats.query(q.priceBook(other).build()).cost().total()).isEqualByComparingTo("10");
    }
  }

  @Test
  void query_costViewWithoutBookRefused() {
    TestClock clock = TestClock.of(Instant.parse("2026-11-20T00:00:00Z"));
    try (UsageStats stats = engine(clock, null)) {
      UsageQuery q = stats.newQuery().view(SeriesView.COST).build();
      assertThatThrownBy(() -> stats.query(q))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("view COST needs a price book");
      assertThat(stats.query(stats.newQuery().build()).cost()).isNull();
    }
  }
}
