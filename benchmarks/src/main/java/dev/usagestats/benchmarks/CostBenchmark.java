package dev.usagestats.benchmarks;

import dev.usagestats.Granularity;
import dev.usagestats.ModelPrice;
import dev.usagestats.Outcome;
import dev.usagestats.PriceBook;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageSeries;
import dev.usagestats.UsageStats;
import dev.usagestats.testing.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What cost adds to a report: a 30-day report by day over 1,000 series held in memory (10^6 events
 * with cached and reasoning tokens), without a price book and with one that has three price changes
 * inside the range (one in the middle of a UTC day) and a tenant's negotiated price, in the same
 * run. With the book the engine reads 33 buckets instead of 30 (the days split at each change),
 * sums counts per series and price version and per group, bucket and version, and prices each sum
 * once in {@code BigDecimal}.
 *
 * <p>Run (from the repository root, after {@code mvn -B -pl benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar CostBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class CostBenchmark {
  static final int SERIES = 1000;
  static final long EVENTS = 1_000_000;
  static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
  static final Duration RANGE = Duration.ofDays(30);
  private static final long MINUTE_MS = 60_000L;

  /** false: no price book; true: a book with three changes inside the range. */
  @Param({"false", "true"})
  public boolean priced;

  private UsageStats stats;
  private UsageQuery query;

  /** The book: each model's list price, changed three times in November, and one tenant's. */
  static PriceBook book() {
    PriceBook.Builder b = PriceBook.builder(Currency.getInstance("USD"));
    Instant[] changes = {
      Instant.parse("2026-11-08T00:00:00Z"),
      Instant.parse("2026-11-15T10:45:00Z"),
      Instant.parse("2026-11-22T00:00:00Z")
    };
    for (int m = 0; m < SeriesNames.MODELS.length; m++) {
      String model = SeriesNames.MODELS[m];
      b.price(model, price(m, 0));
      for (int c = 0; c < changes.length; c++) b.price(model, changes[c], price(m, c + 1));
    }
    b.tenantPrice("tenant-3", SeriesNames.MODELS[0], PriceBook.BEGINNING, price(9, 9));
    return b.build();
  }

  private static ModelPrice price(int model, int version) {
    BigDecimal input = new BigDecimal("0.55").add(BigDecimal.valueOf(model + version, 2));
    return ModelPrice.of(input, input.multiply(BigDecimal.valueOf(4)))
        .withCachedInput(input.movePointLeft(1))
        .withReasoningOutput(input.multiply(BigDecimal.valueOf(5)));
  }

  @Setup(Level.Trial)
  public void setUp() {
    long start = NOW.minus(RANGE).toEpochMilli();
    TestClock clock = TestClock.of(Instant.ofEpochMilli(start));
    UsageStats.Builder builder =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .maxSeries(SERIES)
            .retention(Duration.ofDays(31));
    if (priced) builder.priceBook(book());
    stats = builder.build();
    SeriesNames names = new SeriesNames(SERIES);
    UsageSeries[] handles = new UsageSeries[SERIES];
    for (int i = 0; i < SERIES; i++) {
      handles[i] = stats.series(names.tenant[i], names.apiKey[i], names.model[i]);
    }
    long minutes = RANGE.toMinutes();
    int next = 0;
    for (long m = 0; m < minutes; m++) {
      clock.set(Instant.ofEpochMilli(start + m * MINUTE_MS));
      long n = EVENTS * (m + 1) / minutes - EVENTS * m / minutes;
      for (long e = 0; e < n; e++) {
        handles[next].record(1200, 350, 400, 100, Outcome.SUCCESS);
        next = next + 1 == SERIES ? 0 : next + 1;
      }
      if (m % 2 == 1) stats.flush();
    }
    clock.set(NOW);
    stats.flush();
    query =
        UsageQuery.builder().from(NOW.minus(RANGE)).to(NOW).granularity(Granularity.DAY).build();
    UsageReport check = stats.query(query);
    boolean costOk =
        priced
            ? check.cost() != null
                && check.cost().unpriced().isEmpty()
                && check.cost().total().signum() > 0
            : check.cost() == null;
    if (check.totals().calls() != EVENTS || check.buckets().size() != 30 || !costOk) {
      throw new IllegalStateException(
          "setup recorded "
              + EVENTS
              + " events but the report counts "
              + check.totals().calls()
              + " calls in "
              + check.buckets().size()
              + " buckets, cost "
              + (check.cost() == null ? "none" : check.cost().total()));
    }
    if (priced) System.out.printf("%nreport cost: %s%n", check.cost().displayTotal());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    stats.close();
  }

  @Benchmark
  public UsageReport report() {
    return stats.query(query);
  }
}
