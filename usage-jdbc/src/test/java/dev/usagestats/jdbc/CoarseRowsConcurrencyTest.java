package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.Granularity;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import dev.usagestats.jdbc.Fixtures.Reference;
import dev.usagestats.jdbc.Zones.At;
import dev.usagestats.jdbc.Zones.Sums;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.KeyDetail;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hour and day rows while compaction folds minute rows into them: appends of minute and 15-minute
 * rows, compaction and a grid registration run at once and leave every grid exact; and reads that
 * mix day, hour, 15-minute and minute rows while compaction moves rows between them never count a
 * row twice nor miss one.
 */
class CoarseRowsConcurrencyTest {
  private static final Instant T0 = Instant.parse("2026-03-28T00:00:00Z");
  private static final ZoneId KTM = ZoneId.of("Asia/Kathmandu");
  private static final ZoneId NY = ZoneId.of("America/New_York");
  private static final ZoneId LORD_HOWE = ZoneId.of("Australia/Lord_Howe");
  private static final SeriesKey[] KEYS = {
    new SeriesKey("acme", "key-a", "m1"), new SeriesKey("acme", "key-b", "m2")
  };
  private static final int DAYS = 3;

  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() {
    cleanup.forEach(Runnable::run);
  }

  private JdbcUsageStore store(Db db, String prefix, TestClock clock, ZoneId... zones) {
    DataSource ds = db.dataSource();
    JdbcUsageStore s =
        JdbcUsageStore.builder(ds)
            .tablePrefix(prefix)
            .createSchema(true)
            .clock(clock)
            .compactAfter(Duration.ofMinutes(15))
            .reportZones(zones)
            .build();
    cleanup.add(s::close);
    return s;
  }

  private String prefix(Db db) {
    String prefix = Db.uniquePrefix();
    DataSource ds = db.dataSource();
    cleanup.add(
        () -> {
          try {
            Db.drop(ds, prefix);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    return prefix;
  }

  /** A batch of {@code n} deltas at random minutes of the days, some as 15-minute rows. */
  private static UsageBatch batch(Random rnd, int n, boolean quarters, Reference ref) {
    Map<List<Object>, UsageTotals> rows = new HashMap<>();
    for (int i = 0; i < n; i++) {
      SeriesKey k = KEYS[rnd.nextInt(KEYS.length)];
      Instant m = T0.plusSeconds(60L * rnd.nextInt(DAYS * 24 * 60));
      Grain g = quarters && i % 3 == 0 ? Grain.QUARTER_HOUR : Grain.MINUTE;
      if (g == Grain.QUARTER_HOUR) m = Instant.ofEpochMilli(g.floor(m.toEpochMilli()));
      UsageTotals t = new UsageTotals(1, 0, 10, 1, 0, 0, 0);
      rows.merge(List.of(k, m, g), t, UsageTotals::plus);
      if (ref != null) ref.add(k, m, t);
    }
    List<UsageDelta> deltas = new ArrayList<>();
    rows.forEach(
        (id, t) ->
            deltas.add(
                new UsageDelta((SeriesKey) id.get(0), (Instant) id.get(1), t, (Grain) id.get(2))));
    return new UsageBatch(UUID.randomUUID().toString(), "n", deltas);
  }

  private static StoreRead days(ZoneId zone) {
    Instant from = T0.plus(Duration.ofDays(1));
    return Zones.read(
        Zones.bounds(zone, Granularity.DAY, from, T0.plus(Duration.ofDays(DAYS))),
        zone,
        Granularity.DAY,
        KeyDetail.SERIES);
  }

  /** Coarse and fine reads of every zone agree with each other and with the reference. */
  private static void assertExact(JdbcUsageStore s, Reference ref, ZoneId... zones) {
    for (ZoneId z : zones) {
      for (Granularity g : new Granularity[] {Granularity.HOUR, Granularity.DAY}) {
        List<Instant> bounds = Zones.bounds(z, g, T0, T0.plus(Duration.ofDays(DAYS)));
        StoreRead read = Zones.read(bounds, z, g, KeyDetail.SERIES);
        Map<At, Sums> coarse = Zones.rows(s.read(read));
        assertThat(coarse).as("%s %s", z, g).isEqualTo(Zones.rows(s.readFine(read)));
        Map<Fixtures.Cell, UsageTotals> sums = new HashMap<>();
        Zones.seriesRows(coarse)
            .forEach(
                (at, x) ->
                    sums.merge(
                        new Fixtures.Cell(at.key(), bounds.get(at.bucket()).toEpochMilli()),
                        x.totals(),
                        UsageTotals::plus));
        assertThat(sums).as("%s %s", z, g).isEqualTo(ref.sums(bounds));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void compact_withAppendsAndAGridRegistered_everyGridExact(Db db) throws Exception {
    String prefix = prefix(db);
    TestClock clock = TestClock.of(T0.plus(Duration.ofDays(30)));
    JdbcUsageStore s = store(db, prefix, clock, ZoneOffset.UTC);
    Reference ref = new Reference();
    Random rnd = new Random(3);
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong folded = new AtomicLong();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    Thread compactor =
        new Thread(
            () -> {
              try {
                while (!done.get()) folded.addAndGet(Fixtures.untilDone(s::compact));
              } catch (Throwable e) {
                failures.add(e);
              }
            });
    compactor.start();
    try {
      for (int b = 0; b < 120; b++) {
        UsageBatch batch = batch(rnd, 40, b % 4 == 0, ref);
        Fixtures.untilDone(
            () -> {
              s.append(batch);
              return null;
            });
        // a second node starts, listing zones whose grids are new: their rows are built from the
        // 15-minute rows while this node appends and compacts
        if (b == 40) store(db, prefix, clock, KTM, NY).close();
      }
    } finally {
      done.set(true);
      compactor.join();
    }
    assertThat(failures).isEmpty();
    s.compact();
    assertThat(folded.get()).isPositive();
    assertThat(
            Fixtures.count(
                db.dataSource(), "SELECT COUNT(*) FROM " + s.gridTable() + " WHERE grain > 0"))
        // UTC's hours and days; Kathmandu's hours and days; New York's days, summer and winter
        .isEqualTo(6);
    assertExact(s, ref, ZoneOffset.UTC, KTM, NY, LORD_HOWE);
    assertThat(s.rebuildCoarseRows()).isPositive();
    assertExact(s, ref, ZoneOffset.UTC, KTM, NY, LORD_HOWE);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void read_whileCompactionMovesRows_neverTwiceNeverMissing(Db db) throws Exception {
    String prefix = prefix(db);
    TestClock clock = TestClock.of(T0.plus(Duration.ofDays(30)));
    JdbcUsageStore s = store(db, prefix, clock, ZoneOffset.UTC, NY);
    Random rnd = new Random(5);
    for (int b = 0; b < 10; b++) s.append(batch(rnd, 200, true, null));
    s.compact();
    // Kathmandu has no grid: its days are UTC hour rows and 15-minute rows at the edges; New
    // York's are day rows; both add the minute rows not folded yet
    StoreRead[] reads = {days(KTM), days(NY), days(ZoneOffset.UTC)};
    long[] base = new long[reads.length];
    for (int i = 0; i < reads.length; i++) base[i] = calls(s.read(reads[i]));
    AtomicLong started = new AtomicLong();
    AtomicLong acked = new AtomicLong();
    AtomicBoolean done = new AtomicBoolean();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    threads.add(
        new Thread(
            () -> {
              try {
                while (!done.get()) Fixtures.untilDone(s::compact);
              } catch (Throwable e) {
                failures.add(e);
              }
            }));
    AtomicLong checks = new AtomicLong();
    threads.add(
        new Thread(
            () -> {
              try {
                while (!done.get()) {
                  int i = (int) (checks.get() % reads.length);
                  long low = acked.get();
                  long read = calls(s.read(reads[i])) - base[i];
                  long high = started.get();
                  // counted once: at least what was acknowledged before, at most what was sent
                  assertThat(read).as("%s", reads[i].zone()).isBetween(low, high);
                  checks.incrementAndGet();
                }
              } catch (Throwable e) {
                failures.add(e);
              }
            }));
    threads.forEach(Thread::start);
    try {
      Random r = new Random(9);
      for (int b = 0; b < 150 && failures.isEmpty(); b++) {
        // one call per batch, inside every read's range, so a read's count is exact to a call
        Instant m = T0.plus(Duration.ofDays(1)).plusSeconds(60L * r.nextInt(DAYS * 24 * 60 - 1440));
        boolean quarter = b % 5 == 0;
        Grain g = quarter ? Grain.QUARTER_HOUR : Grain.MINUTE;
        if (quarter) m = Instant.ofEpochMilli(g.floor(m.toEpochMilli()));
        if (!inAll(reads, m)) continue;
        UsageDelta d = new UsageDelta(KEYS[b % 2], m, new UsageTotals(1, 0, 10, 1, 0, 0, 0), g);
        started.incrementAndGet();
        UsageBatch batch = new UsageBatch(UUID.randomUUID().toString(), "n", List.of(d));
        Fixtures.untilDone(
            () -> {
              s.append(batch);
              return null;
            });
        acked.incrementAndGet();
      }
    } finally {
      done.set(true);
      for (Thread t : threads) t.join();
    }
    assertThat(failures).isEmpty();
    assertThat(checks.get()).isPositive();
    s.compact();
    for (int i = 0; i < reads.length; i++) {
      assertThat(calls(s.read(reads[i])) - base[i]).isEqualTo(acked.get());
    }
  }

  private static boolean inAll(StoreRead[] reads, Instant m) {
    for (StoreRead r : reads) {
      if (m.isBefore(r.bounds().get(0)) || !m.isBefore(r.bounds().get(r.bounds().size() - 1))) {
        return false;
      }
    }
    return true;
  }

  private static long calls(dev.usagestats.spi.StoreResult r) {
    long n = 0;
    for (var row : r.rows()) if (!Keys.isModelSum(row.key())) n += row.totals().calls();
    return n;
  }
}
