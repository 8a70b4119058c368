package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import dev.usagestats.testing.TestClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Retention per grain: rows past their age are deleted, exactly those, while batches are appended
 * and reports read; a report over a range partly past retention counts what is left, and the store
 * says from when it is whole.
 */
class RetentionTest {
  private static final Instant T = Instant.parse("2026-06-10T12:00:00Z");

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

  @ParameterizedTest
  @EnumSource(Db.class)
  void prune_whileAppendingAndQuerying_deletesExactlyTheRowsPastTheirAge(Db db) throws Exception {
    DataSource ds = db.dataSource();
    String prefix = prefix(ds);
    TestClock clock = TestClock.of(T.minus(Duration.ofDays(60)));
    JdbcUsageStore store =
        JdbcUsageStore.builder(ds)
            .tablePrefix(prefix)
            .createSchema(true)
            .clock(clock)
            .compactAfter(Duration.ofDays(2))
            .retention(Duration.ofDays(30))
            .build();
    try (UsageStats stats =
        UsageStats.builder().clock(clock).store(store).flushInterval(Duration.ZERO).build()) {
      // 60 days: every 3 hours a call for each of 3 series
      while (clock.instant().isBefore(T)) {
        for (int k = 0; k < 3; k++)
          stats.record(UsageEvent.of(clock.instant(), "t", "key-" + k, "m", 10, 2));
        clock.advance(Duration.ofHours(3));
        if (clock.instant().getEpochSecond() % 86_400 == 0) stats.flush();
      }
      stats.flush();
      clock.set(T);
      String rollup = store.rollupTable();
      long keptFrom = store.keptFrom().getEpochSecond();
      assertThat(store.keptFrom()).isEqualTo(T.minus(Duration.ofDays(30)));
      store.compact(); // folds minute rows older than 2 days, then prunes
      // what must stay: every row whose span ends after keptFrom, as it was
      long keptCalls =
          Fixtures.count(
              ds,
              "SELECT COALESCE(SUM(calls), 0) FROM "
                  + rollup
                  + " WHERE bucket_start + grain * 60 > ?",
              keptFrom);
      assertThat(keptCalls).isPositive();

      AtomicBoolean done = new AtomicBoolean();
      AtomicLong appended = new AtomicLong();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      Thread appender =
          new Thread(
              () -> {
                try {
                  while (!done.get()) {
                    stats.record("t", "key-9", "m", 1, 1);
                    appended.incrementAndGet();
                    stats.flush();
                    stats.query(
                        UsageQuery.builder()
                            .from(T.minus(Duration.ofDays(40)))
                            .to(T.plus(Duration.ofHours(1)))
                            .granularity(Granularity.DAY)
                            .build());
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      // a month later than the data, so more rows pass their age while appends run; set before
      // the appender starts, so none of its calls lands at T, inside the report's last day below
      clock.set(T.plus(Duration.ofDays(5)));
      appender.start();
      long newKeptFrom = store.keptFrom().getEpochSecond();
      long expectDeleted =
          Fixtures.count(
              ds,
              "SELECT COUNT(*) FROM " + rollup + " WHERE bucket_start + grain * 60 <= ?",
              newKeptFrom);
      long stays =
          Fixtures.count(
              ds,
              "SELECT COALESCE(SUM(calls), 0) FROM "
                  + rollup
                  + " WHERE grain = 15 AND bucket_start + 900 > ?",
              newKeptFrom);
      assertThat(store.prune()).isEqualTo(expectDeleted);
      done.set(true);
      appender.join();
      assertThat(failures).isEmpty();
      assertThat(
              Fixtures.count(
                  ds,
                  "SELECT COUNT(*) FROM "
                      + rollup
                      + " WHERE grain = 15 AND bucket_start + 900 <= ?",
                  newKeptFrom))
          .isZero();
      assertThat(
              Fixtures.count(
                  ds,
                  "SELECT COALESCE(SUM(calls), 0) FROM "
                      + rollup
                      + " WHERE grain = 15 AND bucket_start + 900 > ?",
                  newKeptFrom))
          .isEqualTo(stays);
      // the appended minute rows are recent: none deleted
      assertThat(
              Fixtures.count(
                  ds, "SELECT COALESCE(SUM(calls), 0) FROM " + rollup + " WHERE api_key = 'key-9'"))
          .isEqualTo(appended.get());

      // a report over a range partly past retention counts what is left: the minute and
      // 15-minute rows left, not the whole day row of the UTC day the cut falls in (it ends after
      // the cut, so it is kept, but a read takes hour and day rows only from keptFrom on); the
      // store says where it is whole from
      long dayStart = Math.floorDiv(newKeptFrom, 86_400) * 86_400;
      assertThat(newKeptFrom - dayStart).isEqualTo(12 * 3600);
      assertThat(
              Fixtures.count(
                  ds,
                  "SELECT COUNT(*) FROM " + rollup + " WHERE grain = 1440 AND bucket_start = ?",
                  dayStart))
          .isPositive();
      var r =
          stats.query(
              UsageQuery.builder()
                  .from(T.minus(Duration.ofDays(50)))
                  .to(T)
                  .granularity(Granularity.DAY)
                  .groupBy(GroupBy.NONE)
                  .build());
      long left =
          Fixtures.count(
              ds,
              "SELECT COALESCE(SUM(calls), 0) FROM "
                  + rollup
                  + " WHERE grain IN (1, 15) AND api_key <> ' ' AND api_key <> 'key-9'");
      assertThat(r.totals().calls()).isEqualTo(left);
      assertThat(store.keptFrom()).isEqualTo(Instant.ofEpochSecond(newKeptFrom));
      // ... and says which part is gone; the rest is exactly the reference's: 3 calls every 3 hours
      Instant kept = T.minus(Duration.ofDays(25));
      assertThat(r.incompleteBefore()).isEqualTo(kept);
      long expected = 0;
      for (Instant t = T.minus(Duration.ofDays(60)); t.isBefore(T); t = t.plus(Duration.ofHours(3)))
        if (!t.isBefore(kept)) expected += 3;
      assertThat(r.totals().calls()).isEqualTo(expected);
      // a report from the kept part on is whole (its hours start on the kept instant)
      assertThat(
              stats
                  .query(
                      UsageQuery.builder()
                          .from(kept)
                          .to(T)
                          .granularity(Granularity.HOUR)
                          .groupBy(GroupBy.NONE)
                          .build())
                  .incompleteBefore())
          .isNull();
    }
  }

  /**
   * Rows of both grains written straight into the store, 30 days of them at random (15-minute rows
   * adding into the hour and day rows of the UTC grids), and pruned with a retention per grain
   * while recent rows are appended and read: what is left is exactly the reference's rows whose
   * span ends after their grain's cutoff, the edges included.
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void prune_perGrain_deletesExactlyTheRowsPastTheirGrainsAge(Db db) throws Exception {
    DataSource ds = db.dataSource();
    TestClock clock = TestClock.of(T);
    Duration minuteKeep = Duration.ofDays(4);
    Duration quarterKeep = Duration.ofDays(20);
    JdbcUsageStore store =
        JdbcUsageStore.builder(ds)
            .tablePrefix(prefix(ds))
            .createSchema(true)
            .clock(clock)
            .compactAfter(Duration.ofDays(2))
            .retention(Grain.MINUTE, minuteKeep)
            .retention(Grain.QUARTER_HOUR, quarterKeep)
            .build();
    try (store) {
      // minute rows are folded before their retention: only quarter hours lose usage
      assertThat(store.keptFrom()).isEqualTo(T.minus(quarterKeep));
      Map<List<Object>, Long> reference = new HashMap<>();
      // one delta per key: a batch holds each row once
      Map<List<Object>, UsageDelta> unique = new java.util.LinkedHashMap<>();
      java.util.Random random = new java.util.Random(13);
      for (int i = 0; i < 3000; i++) {
        Grain g = random.nextBoolean() ? Grain.MINUTE : Grain.QUARTER_HOUR;
        long start = T.getEpochSecond() - 1 - random.nextInt(30 * 86_400);
        UsageDelta d =
            delta(g, start - Math.floorMod(start, g.seconds()), "k" + random.nextInt(5), 1);
        unique.putIfAbsent(List.of(g, d.start(), d.key()), d);
      }
      List<UsageDelta> deltas = new ArrayList<>(unique.values());
      // the edges: spans that end on the cutoff go, spans that end a step later stay
      long minuteCut = T.minus(minuteKeep).getEpochSecond();
      long quarterCut = T.minus(quarterKeep).getEpochSecond();
      deltas.add(delta(Grain.MINUTE, minuteCut - 60, "edge", 1));
      deltas.add(delta(Grain.MINUTE, minuteCut, "edge", 1));
      deltas.add(delta(Grain.QUARTER_HOUR, quarterCut - 900, "edge", 1));
      deltas.add(delta(Grain.QUARTER_HOUR, quarterCut, "edge", 1));
      for (int i = 0; i < deltas.size(); i += 250) {
        List<UsageDelta> part = deltas.subList(i, Math.min(deltas.size(), i + 250));
        store.append(new UsageBatch("old-" + i, "n", part));
        for (UsageDelta d : part) {
          long start = d.start().getEpochSecond();
          reference.merge(
              List.of(d.grain().minutes(), start, d.key().apiKey()), d.totals().calls(), Long::sum);
          if (d.grain() == Grain.QUARTER_HOUR) {
            // and into the rows of the default grids, UTC's hours and days
            reference.merge(
                List.of(60, start - Math.floorMod(start, 3600), d.key().apiKey()),
                d.totals().calls(),
                Long::sum);
            reference.merge(
                List.of(1440, start - Math.floorMod(start, 86_400), d.key().apiKey()),
                d.totals().calls(),
                Long::sum);
          }
        }
      }

      AtomicBoolean done = new AtomicBoolean();
      AtomicLong appended = new AtomicLong();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      Thread appender =
          new Thread(
              () -> {
                try {
                  for (int n = 0; !done.get() || n < 5; n++) {
                    long minute = T.getEpochSecond() - 3600 + (n % 60) * 60L;
                    store.append(
                        new UsageBatch(
                            "new-" + n, "n", List.of(delta(Grain.MINUTE, minute, "recent", 1))));
                    appended.incrementAndGet();
                    store.read(
                        new StoreRead(
                            List.of(T.minus(Duration.ofDays(30)), T),
                            ZoneOffset.UTC,
                            Granularity.MONTH,
                            null,
                            Set.of(),
                            Set.of(),
                            Set.of()));
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      appender.start();
      long deleted = store.prune();
      done.set(true);
      appender.join();
      assertThat(failures).isEmpty();

      Map<List<Object>, Long> expected = new HashMap<>();
      long expectDeleted = 0;
      java.util.Set<List<Object>> spansDeleted = new java.util.HashSet<>();
      for (Map.Entry<List<Object>, Long> e : reference.entrySet()) {
        int minutes = (Integer) e.getKey().get(0);
        long end = (Long) e.getKey().get(1) + minutes * 60L;
        // hour and day rows go by the 15-minute retention
        long cut = minutes == 1 ? minuteCut : quarterCut;
        if (end > cut) {
          expected.put(e.getKey(), e.getValue());
        } else {
          expectDeleted++;
          spansDeleted.add(e.getKey().subList(0, 2));
        }
      }
      // with each span's two model sums: model m's and all usage's
      expectDeleted += 2L * spansDeleted.size();
      assertThat(deleted).isEqualTo(expectDeleted);
      assertThat(rows(ds, store.rollupTable(), "recent")).isEqualTo(expected);
      assertThat(expected)
          .containsKeys(List.of(1, minuteCut, "edge"), List.of(15, quarterCut, "edge"));
      assertThat(expected)
          .doesNotContainKeys(
              List.of(1, minuteCut - 60, "edge"), List.of(15, quarterCut - 900, "edge"));
      assertThat(
              Fixtures.count(
                  ds,
                  "SELECT COALESCE(SUM(calls), 0) FROM "
                      + store.rollupTable()
                      + " WHERE api_key = 'recent'"))
          .isEqualTo(appended.get());
      // a read says from when the store is whole
      StoreResult read =
          store.read(
              new StoreRead(
                  List.of(T.minus(Duration.ofDays(30)), T),
                  ZoneOffset.UTC,
                  Granularity.MONTH,
                  null,
                  Set.of(),
                  Set.of(),
                  Set.of()));
      assertThat(read.keptFrom()).isEqualTo(T.minus(quarterKeep));
    }
  }

  private static UsageDelta delta(Grain g, long startSecond, String apiKey, long calls) {
    return new UsageDelta(
        new SeriesKey("t", apiKey, "m"),
        Instant.ofEpochSecond(startSecond),
        new UsageTotals(calls, 0, 10 * calls, 2 * calls, 0, 0, 0),
        g);
  }

  /** Calls per (grain minutes, bucket_start, api key) in the table, but {@code except}'s. */
  private static Map<List<Object>, Long> rows(DataSource ds, String table, String except)
      throws SQLException {
    Map<List<Object>, Long> out = new HashMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT grain, bucket_start, api_key, calls FROM "
                    + table
                    + " WHERE api_key <> ? AND api_key <> ' '")) {
      ps.setString(1, except);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.merge(
              List.of((int) rs.getShort(1), rs.getLong(2), rs.getString(3)),
              rs.getLong(4),
              Long::sum);
        }
      }
    }
    return out;
  }

  @Test
  void keptFrom_onlyGrainsThatLoseUsage() {
    Instant now = T.plusSeconds(7 * 60 + 13);
    TestClock clock = TestClock.of(now);
    Instant quarter = T; // the quarter hour at or before now
    assertThat(h2(clock).build().keptFrom()).isNull();
    assertThat(h2(clock).retention(Grain.MINUTE, Duration.ofDays(7)).build().keptFrom()).isNull();
    assertThat(h2(clock).retention(Duration.ofDays(30)).build().keptFrom())
        .isEqualTo(quarter.minus(Duration.ofDays(30)));
    assertThat(
            h2(clock)
                .retention(Duration.ofDays(400))
                .retention(Grain.QUARTER_HOUR, Duration.ofDays(90))
                .build()
                .keptFrom())
        .isEqualTo(quarter.minus(Duration.ofDays(90)));
    // a finer grain kept longer than the one it folds into is fine
    assertThat(
            h2(clock)
                .retention(Grain.MINUTE, Duration.ofDays(30))
                .retention(Grain.QUARTER_HOUR, Duration.ofDays(7))
                .build()
                .keptFrom())
        .isEqualTo(quarter.minus(Duration.ofDays(7)));
    // minute rows kept no shorter than compactAfter
    assertThat(h2(clock).retention(Grain.MINUTE, Duration.ofDays(2)).build().keptFrom()).isNull();
  }

  private JdbcUsageStore.Builder h2(TestClock clock) {
    DataSource ds = Db.H2.dataSource();
    return JdbcUsageStore.builder(ds)
        .tablePrefix(prefix(ds))
        .createSchema(true)
        .clock(clock)
        .compactAfter(Duration.ofDays(2));
  }

  @Test
  void build_minuteRetentionShorterThanCompactAfter_refused() {
    assertThatThrownBy(
            () ->
                JdbcUsageStore.builder(Db.H2.dataSource())
                    .tablePrefix(Db.uniquePrefix())
                    .compactAfter(Duration.ofDays(2))
                    .retention(Grain.MINUTE, Duration.ofHours(47))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "retention of MINUTE must be >= compactAfter (PT48H), so its rows are folded into"
                + " coarser rows before they go: PT47H");
  }

  @Test
  void build_defaultRetentionShorterThanCompactAfter_refusedForMinuteRows() {
    assertThatThrownBy(
            () ->
                JdbcUsageStore.builder(Db.H2.dataSource())
                    .tablePrefix(Db.uniquePrefix())
                    .compactAfter(Duration.ofDays(3))
                    .retention(Duration.ofDays(2))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "retention (which MINUTE rows take: they have no retention of their own) must be >="
                + " compactAfter (PT72H), so its rows are folded into coarser rows before they go:"
                + " PT48H");
    // with minute rows' own retention long enough, a shorter default is fine
    JdbcUsageStore.builder(Db.H2.dataSource())
        .tablePrefix(prefix(Db.H2.dataSource()))
        .createSchema(true)
        .compactAfter(Duration.ofDays(3))
        .retention(Duration.ofDays(2))
        .retention(Grain.MINUTE, Duration.ofDays(3))
        .build()
        .close();
  }

  @Test
  void retention_grainShorterThanAnHour_refused() {
    assertThatThrownBy(
            () ->
                JdbcUsageStore.builder(Db.H2.dataSource())
                    .retention(Grain.QUARTER_HOUR, Duration.ofMinutes(59)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retention of QUARTER_HOUR must be >= PT1H: PT59M");
  }
}
