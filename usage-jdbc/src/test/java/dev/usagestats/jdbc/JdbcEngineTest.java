package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.Outcome;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import dev.usagestats.jdbc.Fixtures.HookedStore;
import dev.usagestats.jdbc.Fixtures.Reference;
import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The engine and {@link JdbcUsageStore} together, checked against a reference model. */
class JdbcEngineTest {
  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() {
    cleanup.forEach(Runnable::run);
  }

  private String prefix(DataSource ds) {
    String p = Db.uniquePrefix();
    cleanup.add(
        () -> {
          try {
            Db.drop(ds, p);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    return p;
  }

  private static JdbcUsageStore store(DataSource ds, String prefix) {
    return JdbcUsageStore.builder(ds).tablePrefix(prefix).createSchema(true).build();
  }

  private static UsageQuery hours(UsageStats stats, Instant from, Instant to) {
    return stats
        .newQuery()
        .from(from)
        .to(to)
        .granularity(Granularity.HOUR)
        .groupBy(GroupBy.NONE)
        .build();
  }

  /**
   * Every grouping and filter, in zones with whole-hour and 45-minute offsets: the report from the
   * store (summed in SQL where the dialect does) equals the report of an in-memory engine that saw
   * the same events (core checks that one against its naive reference model).
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void query_everyGroupingAndFilter_equalsInMemoryEngine(Db db) {
    DataSource ds = db.dataSource();
    String prefix = prefix(ds);
    TestClock clock = TestClock.of(Instant.parse("2026-11-20T10:07:00Z"));
    try (UsageStats stored =
            UsageStats.builder()
                .clock(clock)
                .store(store(ds, prefix))
                .flushInterval(Duration.ZERO)
                .build();
        UsageStats memory =
            UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build()) {
      java.util.Random rnd = new java.util.Random(42);
      for (int i = 0; i < 3_000; i++) {
        UsageEvent e =
            new UsageEvent(
                clock.instant().minusSeconds(rnd.nextInt(3 * 24 * 3600)),
                "tenant-" + rnd.nextInt(2),
                "key-" + rnd.nextInt(3),
                "model-" + rnd.nextInt(3),
                rnd.nextInt(5_000),
                rnd.nextInt(900),
                0,
                0,
                0,
                rnd.nextInt(9) == 0 ? Outcome.ERROR : Outcome.SUCCESS);
        stored.record(e);
        memory.record(e);
        if (i == 2_000) stored.flush(); // the rest stays pending: store and memory combine
      }
      for (boolean flushed : new boolean[] {false, true}) {
        if (flushed) stored.flush();
        for (java.time.ZoneId zone :
            List.of(java.time.ZoneId.of("UTC"), java.time.ZoneId.of("Asia/Kathmandu"))) {
          for (GroupBy groupBy : GroupBy.values()) {
            for (int filter = 0; filter < 3; filter++) {
              UsageQuery.Builder b =
                  UsageQuery.builder()
                      .zone(zone)
                      .from(clock.instant().minus(Duration.ofDays(3)))
                      .to(clock.instant())
                      .granularity(filter == 1 ? Granularity.DAY : Granularity.HOUR)
                      .groupBy(groupBy);
              if (filter == 1) b.tenant("tenant-1");
              if (filter == 2) b.apiKey("key-0").apiKey("key-2").model("model-1");
              UsageQuery q = b.build();
              var want = memory.query(q);
              var got = stored.query(q);
              String what = zone + " " + groupBy + " filter " + filter;
              assertThat(got.totals()).as(what).isEqualTo(want.totals());
              assertThat(got.buckets()).as(what).isEqualTo(want.buckets());
              // A minute split between the store and the unsent buffer has a low peak until the
              // next flush: before it, compare the counts; after it, everything.
              if (flushed) {
                assertThat(got.series()).as(what).isEqualTo(want.series());
                assertThat(got.peaks()).as(what).isEqualTo(want.peaks());
              } else {
                assertThat(withoutPeaks(got.series()))
                    .as(what)
                    .isEqualTo(withoutPeaks(want.series()));
              }
              assertThat(got.distribution()).as(what).isEqualTo(want.distribution());
            }
          }
        }
      }
    }
  }

  /** The series with their peaks (and a peak view's values) left out. */
  static List<List<Object>> withoutPeaks(List<dev.usagestats.TrendSeries> series) {
    List<List<Object>> out = new java.util.ArrayList<>();
    for (dev.usagestats.TrendSeries s : series) {
      List<Object> points = new java.util.ArrayList<>();
      for (dev.usagestats.TrendPoint p : s.points()) {
        points.add(List.of(p.start(), p.calls(), p.inputTokens(), p.outputTokens()));
      }
      out.add(java.util.Arrays.asList(s.apiKey(), s.model(), points));
    }
    return out;
  }

  /**
   * A priced report read from the store (its buckets split at price changes on 15-minute steps that
   * are no hour of the zone) equals the in-memory engine's, cost included.
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void query_priced_equalsInMemoryEngine(Db db) {
    DataSource ds = db.dataSource();
    String prefix = prefix(ds);
    TestClock clock = TestClock.of(Instant.parse("2026-11-20T10:07:00Z"));
    java.util.Currency usd = java.util.Currency.getInstance("USD");
    dev.usagestats.PriceBook book =
        dev.usagestats.PriceBook.builder(usd)
            .price(
                "model-0",
                dev.usagestats.ModelPrice.of(
                    new java.math.BigDecimal("2"), new java.math.BigDecimal("8")))
            .price(
                "model-0",
                Instant.parse("2026-11-18T06:45:00Z"),
                dev.usagestats.ModelPrice.of(
                    new java.math.BigDecimal("1.5"), new java.math.BigDecimal("6")))
            .price(
                "model-1",
                dev.usagestats.ModelPrice.of(java.math.BigDecimal.ONE, java.math.BigDecimal.TEN))
            .tenantPrice(
                "tenant-1",
                "model-1",
                Instant.parse("2026-11-19T01:15:00Z"),
                dev.usagestats.ModelPrice.of(
                    new java.math.BigDecimal("0.5"), java.math.BigDecimal.ONE))
            .build();
    try (UsageStats stored =
            UsageStats.builder()
                .clock(clock)
                .store(store(ds, prefix))
                .flushInterval(Duration.ZERO)
                .priceBook(book)
                .build();
        UsageStats memory =
            UsageStats.builder()
                .clock(clock)
                .flushInterval(Duration.ZERO)
                .priceBook(book)
                .build()) {
      java.util.Random rnd = new java.util.Random(7);
      for (int i = 0; i < 2_000; i++) {
        long in = rnd.nextInt(5_000);
        Instant at = clock.instant().minusSeconds(rnd.nextInt(3 * 24 * 3600));
        // Flushed events in even minutes, pending ones in odd: no minute is split between the
        // store and the unsent buffer, where its peak reads low until the next flush.
        if ((Math.floorDiv(at.getEpochSecond(), 60) % 2 == 0) != (i <= 1_500)) {
          at = at.minusSeconds(60);
        }
        UsageEvent e =
            new UsageEvent(
                at,
                "tenant-" + rnd.nextInt(2),
                "key-" + rnd.nextInt(3),
                "model-" + rnd.nextInt(3),
                in,
                rnd.nextInt(900),
                in / 3,
                0,
                0,
                Outcome.SUCCESS);
        stored.record(e);
        memory.record(e);
        if (i == 1_500) stored.flush();
      }
      for (GroupBy groupBy : GroupBy.values()) {
        UsageQuery q =
            UsageQuery.builder()
                .zone(java.time.ZoneId.of("Asia/Kathmandu"))
                .from(clock.instant().minus(Duration.ofDays(3)))
                .to(clock.instant())
                .granularity(Granularity.DAY)
                .groupBy(groupBy)
                .build();
        var want = memory.query(q);
        var got = stored.query(q);
        assertThat(want.cost().unpriced()).isNotEmpty(); // model-2 has no price
        assertThat(got.cost()).as(groupBy.name()).isEqualTo(want.cost());
        assertThat(got.series()).as(groupBy.name()).isEqualTo(want.series());
        assertThat(got.distribution()).as(groupBy.name()).isEqualTo(want.distribution());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void recordFlushQueryConcurrently_storedTotalsEqualRecordedPerBucket(Db db) throws Exception {
    DataSource ds = db.dataSource();
    String prefix = prefix(ds);
    int threads = 4;
    int perThread = 250_000;
    Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    Instant from = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
    Instant to = now.plus(Duration.ofHours(1));
    SeriesKey[] keys = new SeriesKey[8];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = new SeriesKey("tenant-" + i % 2, "key-" + i, "model-" + i % 3);
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong queries = new AtomicLong();
    List<Reference> refs = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads + 2);
    try (UsageStats stats =
        UsageStats.builder().store(store(ds, prefix)).flushInterval(Duration.ofMillis(5)).build()) {
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Reference ref = new Reference();
        refs.add(ref);
        writers.add(
            pool.submit(
                () -> {
                  start.await();
                  ThreadLocalRandom rnd = ThreadLocalRandom.current();
                  for (int i = 0; i < perThread; i++) {
                    SeriesKey k = keys[rnd.nextInt(keys.length)];
                    Instant at = now.minusSeconds(rnd.nextInt(90 * 60));
                    long in = rnd.nextInt(4000);
                    long out = rnd.nextInt(800);
                    boolean error = rnd.nextInt(50) == 0;
                    stats.record(
                        new UsageEvent(
                            at,
                            k.tenant(),
                            k.apiKey(),
                            k.model(),
                            in,
                            out,
                            0,
                            0,
                            0,
                            error ? Outcome.ERROR : Outcome.SUCCESS));
                    ref.add(k, at, 1, error ? 1 : 0, in, out);
                  }
                  return null;
                }));
      }
      Future<?> flusher =
          pool.submit(
              () -> {
                while (!done.get()) {
                  stats.flush();
                  Thread.sleep(3);
                }
                return null;
              });
      Future<?> reader =
          pool.submit(
              () -> {
                long last = 0;
                while (!done.get()) {
                  long calls = stats.query(hours(stats, from, to)).totals().calls();
                  assertThat(calls)
                      .isGreaterThanOrEqualTo(last)
                      .isLessThanOrEqualTo((long) threads * perThread);
                  last = calls;
                  queries.incrementAndGet();
                }
                return null;
              });
      for (Future<?> w : writers) w.get(5, TimeUnit.MINUTES);
      done.set(true);
      flusher.get(1, TimeUnit.MINUTES);
      reader.get(1, TimeUnit.MINUTES);
      Reference all = new Reference();
      refs.forEach(all::addAll);
      assertThat(stats.query(hours(stats, from, to)).totals().calls())
          .isEqualTo((long) threads * perThread);
      stats.flush();
      assertThat(stats.stats().pendingRows()).isZero();
      assertThat(queries.get()).isPositive();
      List<Instant> minutes = Fixtures.steps(from, to, 1);
      try (JdbcUsageStore check = store(ds, prefix)) {
        assertThat(Fixtures.read(check, minutes)).isEqualTo(all.sums(minutes));
      }
      assertThat(all.calls()).isEqualTo((long) threads * perThread);
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void fourEnginesSameSeriesAndBucket_exactTotals(Db db) throws Exception {
    DataSource ds = db.dataSource();
    String prefix = prefix(ds);
    int engines = 4;
    int perEngine = 20_000;
    Instant at = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    store(ds, prefix).close();
    ExecutorService pool = Executors.newFixedThreadPool(engines);
    List<UsageStats> all = new ArrayList<>();
    try {
      CyclicBarrier start = new CyclicBarrier(engines);
      List<Future<?>> fs = new ArrayList<>();
      for (int e = 0; e < engines; e++) {
        UsageStats stats =
            UsageStats.builder()
                .store(store(ds, prefix))
                .nodeId("node-" + e)
                .flushInterval(Duration.ofMillis(2))
                .build();
        all.add(stats);
        fs.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perEngine; i++) {
                    stats.record(UsageEvent.of(at, "acme", "key-1", "model-1", 10, 1));
                    if (i % 500 == 0) stats.flush();
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs) f.get(2, TimeUnit.MINUTES);
      for (UsageStats s : all) {
        s.close();
        assertThat(s.stats().pendingRows()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
    try (JdbcUsageStore check = store(ds, prefix)) {
      assertThat(Fixtures.read(check, List.of(at, at.plusSeconds(60))).values())
          .containsExactly(
              new UsageTotals(
                  engines * perEngine,
                  0,
                  10L * engines * perEngine,
                  (long) engines * perEngine,
                  0,
                  0,
                  0));
    }
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void queryMidFlush_countsEachEventOnce(Db db) throws Exception {
    DataSource ds = db.dataSource();
    String prefix = prefix(ds);
    Instant at = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    HookedStore hooked = new HookedStore(store(ds, prefix));
    try (UsageStats stats =
        UsageStats.builder().store(hooked).flushInterval(Duration.ZERO).build()) {
      UsageQuery q = hours(stats, at.minus(Duration.ofHours(1)), at.plus(Duration.ofHours(1)));
      for (int phase = 0; phase < 2; phase++) {
        boolean afterCommit = phase == 1;
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.function.Consumer<dev.usagestats.spi.UsageBatch> hold =
            b -> {
              inside.countDown();
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            };
        hooked.before = afterCommit ? b -> {} : hold;
        hooked.after = afterCommit ? hold : b -> {};
        for (int i = 0; i < 1000; i++) stats.record(UsageEvent.of(at, "acme", "k", "m", 3, 2));
        Thread flush = new Thread(stats::flush);
        flush.start();
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(stats.query(q).totals().calls()).isEqualTo(1000L * (phase + 1));
        release.countDown();
        flush.join();
        hooked.before = b -> {};
        hooked.after = b -> {};
        assertThat(stats.query(q).totals().calls()).isEqualTo(1000L * (phase + 1));
        assertThat(stats.query(q).totals().inputTokens()).isEqualTo(3000L * (phase + 1));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void closeDuringFlushAndCloseTwice_exactTotals(Db db) throws Exception {
    DataSource ds = db.dataSource();
    String prefix = prefix(ds);
    Instant at = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    HookedStore hooked = new HookedStore(store(ds, prefix));
    CountDownLatch inside = new CountDownLatch(1);
    hooked.after =
        b -> {
          inside.countDown();
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    UsageStats stats = UsageStats.builder().store(hooked).flushInterval(Duration.ZERO).build();
    for (int i = 0; i < 500; i++) stats.record(UsageEvent.of(at, "acme", "k", "m", 3, 2));
    Thread flush = new Thread(stats::flush);
    flush.start();
    assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 250; i++) stats.record(UsageEvent.of(at, "acme", "k", "m", 3, 2));
    stats.close();
    flush.join();
    stats.close();
    stats.record(UsageEvent.of(at, "acme", "k", "m", 3, 2));
    assertThat(stats.stats().pendingRows()).isZero();
    try (JdbcUsageStore check = store(ds, prefix)) {
      assertThat(Fixtures.read(check, List.of(at, at.plusSeconds(60))).values())
          .containsExactly(new UsageTotals(750, 0, 2250, 1500, 0, 0, 0));
    }
  }
}
