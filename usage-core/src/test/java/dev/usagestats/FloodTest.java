package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FloodTest {
  @Test
  void record_millionDistinctKeys_capsSeriesAndKeepsTotalsExact() {
    int cap = 1_000;
    int keys = 1_000_000;
    TestClock clock = TestClock.of(Instant.parse("2026-11-20T10:00:00Z"));
    try (UsageStats stats =
        UsageStats.builder().clock(clock).maxSeries(cap).flushInterval(Duration.ZERO).build()) {
      long input = 0;
      long output = 0;
      for (int i = 0; i < keys; i++) {
        long in = i % 1000;
        long out = i % 77;
        stats.record("t", "key-" + i, "m", in, out);
        input += in;
        output += out;
      }
      EngineStats es = stats.stats();
      assertThat(es.series()).isEqualTo(cap + 1);
      assertThat(es.overflowEvents()).isEqualTo(keys - cap);

      UsageReport r = stats.query(stats.newQuery().groupBy(GroupBy.API_KEY).build());
      assertThat(r.totals()).isEqualTo(new UsageTotals(keys, 0, input, output, 0, 0, 0));
      assertThat(r.series()).hasSize(cap + 1);
      TrendSeries overflow =
          r.series().stream().filter(s -> SeriesKey.OVERFLOW.equals(s.apiKey())).findFirst().get();
      assertThat(overflow.points().stream().mapToLong(TrendPoint::calls).sum())
          .isEqualTo(keys - cap);
      // A key that got its own series keeps it; a later key lands in overflow.
      assertThat(stats.series("t", "key-3", "m").key().isOverflow()).isFalse();
      assertThat(stats.series("t", "key-999999", "m").key()).isEqualTo(SeriesKey.OVERFLOW_KEY);
    }
  }
}
