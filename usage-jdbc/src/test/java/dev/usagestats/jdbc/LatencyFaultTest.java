package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.LatencyTotals;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageStoreException;
import dev.usagestats.jdbc.Fixtures.Cell;
import dev.usagestats.jdbc.Fixtures.Reference;
import dev.usagestats.jdbc.LatencyFixtures.Flaky;
import dev.usagestats.jdbc.LatencyFixtures.LatencyReference;
import dev.usagestats.spi.KeyDetail;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import dev.usagestats.testing.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Latency histograms stay exact when things go wrong: a database that fails at random (connections,
 * statements, commits lost before or after they happened) while batches are retried as the engine
 * retries them and compaction runs; and appends, compactions and reads running at once. Never
 * twice, never lost, and every read one snapshot: the rows plus the pending batches the ledger does
 * not hold equal the reference.
 */
class LatencyFaultTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  private static final List<SeriesKey> SERIES = LatencyFixtures.series(2, 3, 2);
  private static final List<Instant> HOURS =
      Fixtures.steps(T0.minus(Duration.ofHours(1)), T0.plus(Duration.ofHours(6)), 60);

  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) cleanup.get(i).close();
  }

  private JdbcUsageStore store(DataSource ds, String prefix, Clock clock, boolean create) {
    JdbcUsageStore s =
        JdbcUsageStore.builder(ds)
            .tablePrefix(prefix)
            .createSchema(create)
            .clock(clock)
            .compactAfter(Duration.ofMinutes(15))
            .build();
    cleanup.add(s);
    return s;
  }

  private String prefix(DataSource ds) {
    String prefix = Db.uniquePrefix();
    cleanup.add(() -> Db.drop(ds, prefix));
    return prefix;
  }

  /**
   * 30 batches, each retried until it lands, through a store whose every connection, statement and
   * commit fails one time in eight (a quarter of the failed commits after they happened); a
   * compaction every few batches, failing likewise. After each failed append, a read that asks for
   * the batch id adds the batch only if the ledger does not hold it, and equals the reference; at
   * the end, histograms and counters equal the reference.
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void append_databaseFailingAtRandom_histogramsNeverTwiceNeverLost(Db db) {
    DataSource direct = db.dataSource();
    String prefix = prefix(direct);
    TestClock clock = TestClock.of(T0.plus(Duration.ofDays(3)));
    store(direct, prefix, clock, true);
    Flaky flaky = new Flaky(direct, 42);
    JdbcUsageStore s = store(flaky.dataSource, prefix, clock, false);
    flaky.p = 0.125;
    Random rnd = new Random(17);
    LatencyReference ref = new LatencyReference();
    Reference counts = new Reference();
    int checkedReads = 0;
    for (int b = 0; b < 30; b++) {
      // spread over 5 hours, so later batches land in quarters compaction has folded
      UsageBatch batch = LatencyFixtures.randomBatch(rnd, "b-" + b, SERIES, T0, 300, 20, 6);
      while (true) {
        try {
          s.append(batch);
          break;
        } catch (UsageStoreException e) {
          assertThat(e.isPermanent()).as(e.getMessage()).isFalse();
          checkedReads += checkRead(s, ref, batch) ? 1 : 0;
        }
      }
      ref.add(batch);
      for (UsageDelta d : batch.deltas()) counts.add(d.key(), d.start(), d.totals());
      if (b % 4 == 3) {
        try {
          s.compact();
        } catch (UsageStoreException e) {
          assertThat(e.isPermanent()).as(e.getMessage()).isFalse();
        }
      }
    }
    assertThat(flaky.failures.get()).isGreaterThan(20);
    assertThat(flaky.commitsLost.get()).isPositive();
    assertThat(checkedReads).isPositive();
    flaky.p = 0;
    assertThat(LatencyFixtures.latency(s, LatencyFixtures.read(HOURS))).isEqualTo(ref.sums(HOURS));
    s.compact();
    assertThat(LatencyFixtures.latency(s, LatencyFixtures.read(HOURS))).isEqualTo(ref.sums(HOURS));
    assertThat(Fixtures.read(s, HOURS)).isEqualTo(counts.sums(HOURS));
  }

  /**
   * A read after a failed append of {@code pending}: the rows, plus the batch if the ledger does
   * not hold it, equal the reference with the batch. False if the read failed too.
   */
  private static boolean checkRead(JdbcUsageStore s, LatencyReference ref, UsageBatch pending) {
    StoreRead read = LatencyFixtures.read(HOURS, KeyDetail.SERIES, Set.of(pending.id()));
    StoreResult r;
    try {
      r = s.read(read);
    } catch (UsageStoreException e) {
      return false;
    }
    LatencyReference expected = new LatencyReference();
    expected.spans.putAll(ref.spans);
    expected.add(pending);
    LatencyReference seen = new LatencyReference();
    if (!r.appliedBatchIds().contains(pending.id())) seen.add(pending);
    Map<Cell, LatencyTotals> got = LatencyFixtures.latency(r, read);
    seen.sums(HOURS).forEach((c, t) -> got.merge(c, t, LatencyTotals::plus));
    assertThat(got).isEqualTo(expected.sums(HOURS));
    return true;
  }

  /**
   * One thread appends 60 batches into minutes compaction may fold (each retried until it lands),
   * one compacts over and over, one reads over and over asking for every batch id: each read's
   * histograms equal exactly the batches its ledger snapshot holds, so a read during a fold sees
   * the slice's rows before or after, never both and never neither.
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void appendCompactAndRead_concurrently_everyReadIsOneExactSnapshot(Db db) throws Exception {
    DataSource ds = db.dataSource();
    TestClock clock = TestClock.of(T0.plus(Duration.ofDays(3)));
    JdbcUsageStore s = store(ds, prefix(ds), clock, true);
    Random rnd = new Random(23);
    List<UsageBatch> batches = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int b = 0; b < 60; b++) {
      batches.add(LatencyFixtures.randomBatch(rnd, "c-" + b, SERIES, T0, 300, 20, 8));
      ids.add("c-" + b);
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    AtomicLong folded = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Future<?> writer =
          pool.submit(
              () -> {
                try {
                  for (UsageBatch batch : batches) appendUntilDone(s, batch);
                } finally {
                  done.set(true);
                }
              });
      Future<?> compactor =
          pool.submit(
              () -> {
                while (!done.get()) {
                  try {
                    folded.addAndGet(s.compact());
                  } catch (UsageStoreException e) {
                    // a lock timeout under contention passes; the next run folds the rest
                  }
                }
              });
      Future<?> reader =
          pool.submit(
              () -> {
                StoreRead read = LatencyFixtures.read(HOURS, KeyDetail.SERIES, ids);
                while (!done.get()) {
                  StoreResult r;
                  try {
                    r = s.read(read);
                  } catch (UsageStoreException e) {
                    continue;
                  }
                  LatencyReference applied = new LatencyReference();
                  for (UsageBatch batch : batches) {
                    if (r.appliedBatchIds().contains(batch.id())) applied.add(batch);
                  }
                  assertThat(LatencyFixtures.latency(r, read)).isEqualTo(applied.sums(HOURS));
                  reads.incrementAndGet();
                }
              });
      writer.get(120, TimeUnit.SECONDS);
      compactor.get(120, TimeUnit.SECONDS);
      reader.get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(reads.get()).isPositive();
    assertThat(folded.get()).as("minute rows folded while appending").isPositive();
    LatencyReference all = new LatencyReference();
    batches.forEach(all::add);
    s.compact();
    assertThat(LatencyFixtures.latency(s, LatencyFixtures.read(HOURS))).isEqualTo(all.sums(HOURS));
  }

  private static void appendUntilDone(JdbcUsageStore s, UsageBatch batch) {
    for (int attempt = 0; ; attempt++) {
      try {
        s.append(batch);
        return;
      } catch (UsageStoreException e) {
        if (e.isPermanent() || attempt > 50) throw e;
      }
    }
  }
}
