package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.testing.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A priced report reads its buckets split at price changes; its peaks must still be those of the
 * report's buckets: the same as the unpriced report's, from memory and from a store.
 */
class PricedPeaksTest {
  private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

  /** model m: one price until 10:30, another after, so the day's bucket is read in two parts. */
  private static final PriceBook BOOK =
      PriceBook.builder(Currency.getInstance("USD"))
          .price("m", ModelPrice.of(new BigDecimal("2"), new BigDecimal("8")))
          .price(
              "m",
              Instant.parse("2026-11-20T10:30:00Z"),
              ModelPrice.of(new BigDecimal("1"), new BigDecimal("4")))
          .build();

  private static UsageStats engine(TestClock clock, PriceBook book, InMemoryStore store) {
    UsageStats.Builder b = UsageStats.builder().clock(clock).flushInterval(Duration.ZERO);
    if (book != null) b.priceBook(book);
    if (store != null) b.store(store);
    return b.build();
  }

  /** 10:00: key k1 three calls; 11:00: k1 one call, k2 two calls; 100 + 10 tokens each. */
  private static void record(UsageStats stats) {
    for (int i = 0; i < 3; i++) {
      stats.record(UsageEvent.of(Instant.parse("2026-11-20T10:00:10Z"), "t", "k1", "m", 100, 10));
    }
    stats.record(UsageEvent.of(Instant.parse("2026-11-20T11:00:10Z"), "t", "k1", "m", 100, 10));
    for (int i = 0; i < 2; i++) {
      stats.record(UsageEvent.of(Instant.parse("2026-11-20T11:00:20Z"), "t", "k2", "m", 100, 10));
    }
  }

  private static UsageQuery query(GroupBy groupBy) {
    return UsageQuery.builder()
        .zone(ZoneOffset.UTC)
        .from(Instant.parse("2026-11-20T00:00:00Z"))
        .to(Instant.parse("2026-11-21T00:00:00Z"))
        .granularity(Granularity.DAY)
        .groupBy(groupBy)
        .build();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void query_priced_peaksEqualUnpriced(boolean withStore) {
    TestClock clock = TestClock.of(NOW);
    InMemoryStore pricedStore = withStore ? new InMemoryStore() : null;
    InMemoryStore plainStore = withStore ? new InMemoryStore() : null;
    try (UsageStats priced = engine(clock, BOOK, pricedStore);
        UsageStats plain = engine(clock, null, plainStore)) {
      record(priced);
      record(plain);
      if (withStore) {
        priced.flush();
        plain.flush();
      }
      for (GroupBy groupBy : GroupBy.values()) {
        UsageReport got = priced.query(query(groupBy));
        UsageReport want = plain.query(query(groupBy));
        assertThat(got.cost()).isNotNull();
        assertThat(got.peaks()).as(groupBy.name()).isEqualTo(want.peaks());
        assertThat(got.series().stream().map(TrendSeries::peaks).toList())
            .as(groupBy.name())
            .isEqualTo(want.series().stream().map(TrendSeries::peaks).toList());
      }
    }
  }

  @Test
  void query_priced_peaksOfTheReportBucket() {
    TestClock clock = TestClock.of(NOW);
    try (UsageStats priced = engine(clock, BOOK, null)) {
      record(priced);
      // all usage, from the model's aggregate: the most calls in one minute is 3 (10:00 and 11:00)
      UsageReport all = priced.query(query(GroupBy.NONE));
      assertThat(all.peaks()).isEqualTo(new Peaks(3, 330, PeakAccuracy.EXACT));
      // per key, from the series: k1's 3 (10:00) plus k2's 2 (11:00), though in different parts
      UsageReport byKey = priced.query(query(GroupBy.API_KEY));
      assertThat(byKey.peaks()).isEqualTo(new Peaks(5, 550, PeakAccuracy.UPPER_BOUND));
      List<TrendPoint> k1 = byKey.series().get(0).points();
      assertThat(k1.get(0).peakCallsPerMinute()).isEqualTo(3);
      assertThat(k1.get(0).cost()).isNotNull();
    }
  }
}
