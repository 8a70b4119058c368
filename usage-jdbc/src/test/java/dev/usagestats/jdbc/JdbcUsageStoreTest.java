package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import dev.usagestats.jdbc.Fixtures.Cell;
import dev.usagestats.jdbc.Fixtures.Reference;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JdbcUsageStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  private static final SeriesKey A = new SeriesKey("acme", "key-a", "public/deepseek-r1");
  private static final SeriesKey B = new SeriesKey("acme", "key-b", "gpt-x");

  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() {
    cleanup.forEach(Runnable::run);
  }

  private JdbcUsageStore store(Db db, TestClock clock) {
    DataSource ds = db.dataSource();
    String prefix = Db.uniquePrefix();
    JdbcUsageStore s =
        JdbcUsageStore.builder(ds)
            .tablePrefix(prefix)
            .createSchema(true)
            .clock(clock)
            .compactAfter(Duration.ofDays(2))
            .build();
    cleanup.add(
        () -> {
          s.close();
          try {
            Db.drop(ds, prefix);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    return s;
  }

  private static UsageBatch batch(UsageDelta... deltas) {
    return new UsageBatch(UUID.randomUUID().toString(), "node-1", List.of(deltas));
  }

  private static UsageDelta delta(SeriesKey k, Instant minute, long calls, long in, long out) {
    return new UsageDelta(k, minute, new UsageTotals(calls, 0, in, out, 0, 0, 0));
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void build_detectsDialect(Db db) {
    JdbcUsageStore s = store(db, TestClock.of(T0));
    assertThat(s.dialect().name()).isEqualTo(db.name());
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void append_sameBatchTwice_appliedOnce(Db db) throws Exception {
    JdbcUsageStore s = store(db, TestClock.of(T0));
    UsageBatch b = batch(delta(A, T0, 2, 100, 10), delta(B, T0.plusSeconds(60), 1, 5, 5));
    s.append(b);
    s.append(b);
    Map<Cell, UsageTotals> got = Fixtures.read(s, List.of(T0, T0.plusSeconds(3600)));
    assertThat(got.get(new Cell(A, T0.toEpochMilli())))
        .isEqualTo(new UsageTotals(2, 0, 100, 10, 0, 0, 0));
    assertThat(got.get(new Cell(B, T0.toEpochMilli())))
        .isEqualTo(new UsageTotals(1, 0, 5, 5, 0, 0, 0));
    assertThat(
            Fixtures.count(
                db.dataSource(),
                "SELECT COUNT(*) FROM " + s.ledgerTable() + " WHERE batch_id = ?",
                b.id()))
        .isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void read_reportsAppliedBatchIds(Db db) {
    JdbcUsageStore s = store(db, TestClock.of(T0));
    UsageBatch b = batch(delta(A, T0, 1, 1, 1));
    s.append(b);
    var r =
        s.read(
            new StoreRead(
                List.of(T0, T0.plusSeconds(60)),
                ZoneOffset.UTC,
                Granularity.MINUTE,
                null,
                Set.of(),
                Set.of(),
                Set.of(b.id(), "never-sent")));
    assertThat(r.appliedBatchIds()).containsExactly(b.id());
    assertThat(r.rows()).filteredOn(row -> !Keys.isModelSum(row.key())).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void read_filtersTenantKeysModels(Db db) {
    JdbcUsageStore s = store(db, TestClock.of(T0));
    SeriesKey other = new SeriesKey("globex", "key-a", "public/deepseek-r1");
    s.append(batch(delta(A, T0, 1, 10, 1), delta(B, T0, 2, 20, 2), delta(other, T0, 4, 40, 4)));
    var r =
        s.read(
            new StoreRead(
                List.of(T0, T0.plusSeconds(900)),
                ZoneOffset.UTC,
                Granularity.HOUR,
                "acme",
                Set.of("key-a", "key-b"),
                Set.of("public/deepseek-r1"),
                Set.of()));
    assertThat(r.rows()).hasSize(1);
    assertThat(r.rows().get(0).key()).isEqualTo(A);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void append_lateDeltaForFlushedBucket_addsToIt(Db db) {
    JdbcUsageStore s = store(db, TestClock.of(T0));
    s.append(batch(delta(A, T0, 1, 100, 10)));
    s.append(batch(delta(A, T0, 3, 300, 30)));
    Map<Cell, UsageTotals> got = Fixtures.read(s, List.of(T0, T0.plusSeconds(60)));
    assertThat(got)
        .containsExactly(
            Map.entry(new Cell(A, T0.toEpochMilli()), new UsageTotals(4, 0, 400, 40, 0, 0, 0)));
  }

  /** A coarsened (15-minute) delta is stored as a 15-minute row, never as its first minute. */
  @ParameterizedTest
  @EnumSource(Db.class)
  void append_quarterHourDelta_storedAsQuarterRow(Db db) {
    JdbcUsageStore s = store(db, TestClock.of(T0));
    SeriesKey k = new SeriesKey("t", "k", "m");
    s.append(
        batch(new UsageDelta(k, T0, new UsageTotals(4, 0, 40, 8, 0, 0, 0), Grain.QUARTER_HOUR)));
    List<Instant> hour = List.of(T0, T0.plusSeconds(3600));
    assertThat(Fixtures.read(s, hour).values())
        .containsExactly(new UsageTotals(4, 0, 40, 8, 0, 0, 0));
    List<Instant> minutes = List.of(T0, T0.plusSeconds(60), T0.plusSeconds(120));
    assertThatThrownBy(() -> Fixtures.read(s, minutes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("15-minute rows");
  }

  /** Names that differ only in case or trailing spaces are different series on every database. */
  @ParameterizedTest
  @EnumSource(Db.class)
  void names_differingInCaseOrTrailingSpace_keptApartAndFilteredExactly(Db db) {
    JdbcUsageStore s = store(db, TestClock.of(T0));
    List<String> names = List.of("acme", "acme ", "ACME", "acme  ");
    try (UsageStats stats =
        UsageStats.builder()
            .store(s)
            .flushInterval(Duration.ZERO)
            .clock(TestClock.of(T0.plusSeconds(3600)))
            .build()) {
      for (int i = 0; i < names.size(); i++) {
        String n = names.get(i);
        stats.record(UsageEvent.of(T0, n, n, n, 10L << i, 1));
      }
      stats.flush();
      for (int i = 0; i < names.size(); i++) {
        String n = names.get(i);
        for (UsageQuery q :
            List.of(
                stats.newQuery().from(T0).to(T0.plusSeconds(3600)).tenant(n).build(),
                stats.newQuery().from(T0).to(T0.plusSeconds(3600)).apiKey(n).build(),
                stats
                    .newQuery()
                    .from(T0)
                    .to(T0.plusSeconds(3600))
                    .model(n)
                    .groupBy(GroupBy.API_KEY_AND_MODEL)
                    .build())) {
          UsageReport r = stats.query(q);
          assertThat(r.totals().inputTokens()).as("'" + n + "' " + q).isEqualTo(10L << i);
        }
      }
      assertThat(
              stats
                  .query(stats.newQuery().from(T0).to(T0.plusSeconds(3600)).build())
                  .distribution())
          .hasSize(4);
    }
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void names_injectionShaped_storedVerbatim(Db db) throws Exception {
    JdbcUsageStore s = store(db, TestClock.of(T0));
    List<String> names =
        List.of(
            "o'brien",
            "'; DROP TABLE " + s.rollupTable() + "; --",
            "\"quoted\" \\ back`tick`",
            "Robert'); DELETE FROM " + s.ledgerTable() + ";--",
            "emoji \uD83D\uDE80\uD83E\uDD16 模型",
            "x".repeat(256),
            "\uD83D\uDE80".repeat(128),
            "%_ like wildcards");
    Reference ref = new Reference();
    try (UsageStats stats =
        UsageStats.builder()
            .store(s)
            .flushInterval(Duration.ZERO)
            .clock(TestClock.of(T0.plusSeconds(3600)))
            .build()) {
      for (String n : names) {
        stats.record(UsageEvent.of(T0, n, n, n, 7, 3));
        ref.add(new SeriesKey(n, n, n), T0, 1, 0, 7, 3);
      }
      assertThatThrownBy(() -> stats.record(UsageEvent.of(T0, "nul\0byte", "k", "m", 1, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("control characters");
      assertThatThrownBy(() -> UsageEvent.of(T0, "x".repeat(257), "k", "m", 1, 1))
          .isInstanceOf(IllegalArgumentException.class);
      stats.flush();
      UsageReport r =
          stats.query(
              stats
                  .newQuery()
                  .from(T0)
                  .to(T0.plusSeconds(3600))
                  .model(names.get(1))
                  .groupBy(GroupBy.MODEL)
                  .build());
      assertThat(r.totals().calls()).isEqualTo(1);
      List<Instant> bounds = List.of(T0, T0.plusSeconds(3600));
      assertThat(Fixtures.read(s, bounds)).isEqualTo(ref.sums(bounds));
    }
    assertThat(Fixtures.count(db.dataSource(), "SELECT COUNT(*) FROM " + s.ledgerTable()))
        .isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void compact_keepsTotalsExact_includingKathmanduDays(Db db) throws Exception {
    TestClock clock = TestClock.of(T0.plus(Duration.ofDays(3)));
    JdbcUsageStore s = store(db, clock);
    Random rnd = new Random(42);
    Reference ref = new Reference();
    SeriesKey[] keys = {A, B, new SeriesKey("globex", "k", "m")};
    for (int batch = 0; batch < 20; batch++) {
      Map<Cell, long[]> rows = new java.util.HashMap<>();
      for (int i = 0; i < 300; i++) {
        SeriesKey k = keys[rnd.nextInt(keys.length)];
        Instant m = T0.plusSeconds(60L * rnd.nextInt(3 * 24 * 60));
        long[] v = rows.computeIfAbsent(new Cell(k, m.toEpochMilli()), x -> new long[4]);
        long in = rnd.nextInt(5000);
        long out = rnd.nextInt(900);
        v[0]++;
        v[2] += in;
        v[3] += out;
        ref.add(k, m, 1, 0, in, out);
      }
      List<UsageDelta> deltas = new ArrayList<>();
      rows.forEach(
          (c, v) ->
              deltas.add(delta(c.key(), Instant.ofEpochMilli(c.bucketMillis()), v[0], v[2], v[3])));
      s.append(new UsageBatch(UUID.randomUUID().toString(), "n", deltas));
    }
    ZoneId ktm = ZoneId.of("Asia/Kathmandu");
    List<Instant> ktmDays = Fixtures.days(ktm, LocalDate.of(2026, 2, 28), 5);
    List<Instant> utcHours = Fixtures.steps(T0, T0.plus(Duration.ofDays(3)), 60);
    List<Instant> kolkataDays =
        Fixtures.days(ZoneId.of("Asia/Kolkata"), LocalDate.of(2026, 2, 28), 5);
    assertThat(Fixtures.read(s, ktmDays)).isEqualTo(ref.sums(ktmDays));

    clock.set(T0.plus(Duration.ofDays(10)));
    long folded = s.compact();
    assertThat(folded).isGreaterThan(0);
    assertThat(
            Fixtures.count(
                db.dataSource(), "SELECT COUNT(*) FROM " + s.rollupTable() + " WHERE grain = 1"))
        .isZero();
    assertThat(Fixtures.read(s, ktmDays)).isEqualTo(ref.sums(ktmDays));
    assertThat(Fixtures.read(s, utcHours)).isEqualTo(ref.sums(utcHours));
    assertThat(Fixtures.read(s, kolkataDays)).isEqualTo(ref.sums(kolkataDays));

    // a late event for a compacted range adds to it, and folds exactly on the next pass
    Instant late = T0.plus(Duration.ofHours(30)).plusSeconds(420);
    s.append(batch(delta(A, late, 5, 500, 50)));
    ref.add(A, late, 5, 0, 500, 50);
    assertThat(Fixtures.read(s, ktmDays)).isEqualTo(ref.sums(ktmDays));
    // its minute row, and its model's and all usage's
    assertThat(s.compact()).isEqualTo(3);
    assertThat(Fixtures.read(s, ktmDays)).isEqualTo(ref.sums(ktmDays));
    assertThat(Fixtures.read(s, utcHours)).isEqualTo(ref.sums(utcHours));

    // MINUTE buckets over compacted rows cannot be answered
    assertThatThrownBy(() -> Fixtures.read(s, Fixtures.steps(T0, T0.plusSeconds(3600), 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("15-minute");
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void compact_whileBatchesAppend_totalsExact(Db db) throws Exception {
    TestClock clock = TestClock.of(T0.plus(Duration.ofDays(10)));
    JdbcUsageStore s = store(db, clock);
    Reference ref = new Reference();
    SeriesKey[] keys = {A, B};
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong folded = new java.util.concurrent.atomic.AtomicLong();
    Thread compactor =
        new Thread(
            () -> {
              while (!done.get()) folded.addAndGet(Fixtures.untilDone(s::compact));
            });
    compactor.start();
    Random rnd = new Random(7);
    try {
      for (int batch = 0; batch < 150; batch++) {
        Map<Cell, long[]> rows = new java.util.HashMap<>();
        for (int i = 0; i < 40; i++) {
          SeriesKey k = keys[rnd.nextInt(keys.length)];
          // all within one day, so appends and compaction keep meeting on the same rows
          Instant m = T0.plusSeconds(60L * rnd.nextInt(24 * 60));
          long[] v = rows.computeIfAbsent(new Cell(k, m.toEpochMilli()), x -> new long[4]);
          v[0]++;
          v[2] += 100;
          v[3] += 10;
          ref.add(k, m, 1, 0, 100, 10);
        }
        List<UsageDelta> deltas = new ArrayList<>();
        rows.forEach(
            (c, v) ->
                deltas.add(
                    delta(c.key(), Instant.ofEpochMilli(c.bucketMillis()), v[0], v[2], v[3])));
        UsageBatch b = new UsageBatch(UUID.randomUUID().toString(), "n", deltas);
        Fixtures.untilDone(
            () -> {
              s.append(b);
              return null;
            });
      }
    } finally {
      done.set(true);
      compactor.join();
    }
    s.compact();
    assertThat(folded.get()).isPositive();
    List<Instant> ktmDays =
        Fixtures.days(ZoneId.of("Asia/Kathmandu"), LocalDate.of(2026, 2, 28), 3);
    List<Instant> quarters = Fixtures.steps(T0, T0.plus(Duration.ofDays(1)), 15);
    assertThat(Fixtures.read(s, ktmDays)).isEqualTo(ref.sums(ktmDays));
    assertThat(Fixtures.read(s, quarters)).isEqualTo(ref.sums(quarters));
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void compact_prunesOldLedgerRows(Db db) throws Exception {
    TestClock clock = TestClock.of(T0);
    JdbcUsageStore s = store(db, clock);
    s.append(batch(delta(A, T0, 1, 1, 1)));
    clock.set(T0.plus(Duration.ofDays(8)));
    s.compact();
    assertThat(Fixtures.count(db.dataSource(), "SELECT COUNT(*) FROM " + s.ledgerTable())).isZero();
    assertThat(Fixtures.read(s, List.of(T0, T0.plusSeconds(900))).values())
        .containsExactly(new UsageTotals(1, 0, 1, 1, 0, 0, 0));
  }

  @Test
  void tablePrefix_invalid_rejected() {
    JdbcUsageStore.Builder b = JdbcUsageStore.builder(Db.H2.dataSource());
    assertThatThrownBy(() -> b.tablePrefix("usage; DROP TABLE x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tablePrefix must match");
    assertThatThrownBy(() -> b.tablePrefix("1abc")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.tablePrefix("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.compactAfter(Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void append_afterClose_fails() {
    JdbcUsageStore s = store(Db.H2, TestClock.of(T0));
    s.close();
    s.close();
    assertThatThrownBy(() -> s.append(batch(delta(A, T0, 1, 1, 1))))
        .isInstanceOf(dev.usagestats.UsageStoreException.class);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void read_storedSumsPassingLongMax_refusedNotWrapped(Db db) {
    JdbcUsageStore s = store(db, TestClock.of(T0));
    UsageTotals big = new UsageTotals(1, 0, 1L << 62, 0, 0, 0, 0);
    // Two minute rows of one series, each within a long, whose sum is not: rows add up across
    // runs and nodes, so the read must check what it sums.
    s.append(
        new UsageBatch(
            "b1",
            "n",
            List.of(new UsageDelta(A, T0, big), new UsageDelta(A, T0.plusSeconds(60), big))));
    for (Granularity g : List.of(Granularity.HOUR, Granularity.MINUTE)) {
      List<Instant> bounds =
          g == Granularity.HOUR
              ? List.of(T0, T0.plusSeconds(3600))
              : List.of(T0, T0.plusSeconds(60), T0.plusSeconds(120));
      StoreRead read =
          new StoreRead(
              bounds,
              java.time.ZoneOffset.UTC,
              g,
              null,
              Set.of(),
              Set.of(),
              Set.of(),
              dev.usagestats.spi.KeyDetail.MODEL);
      if (g == Granularity.HOUR) {
        assertThatThrownBy(() -> s.read(read))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("query must select sums within 9223372036854775807");
      } else {
        assertThat(s.read(read).rows()).filteredOn(r -> !Keys.isModelSum(r.key())).hasSize(2);
      }
    }
  }
}
