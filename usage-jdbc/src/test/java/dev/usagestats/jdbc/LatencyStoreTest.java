package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.Granularity;
import dev.usagestats.LatencyHistogram;
import dev.usagestats.LatencyTotals;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageStoreException;
import dev.usagestats.UsageTotals;
import dev.usagestats.jdbc.Fixtures.Cell;
import dev.usagestats.jdbc.LatencyFixtures.LatencyReference;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.KeyDetail;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import dev.usagestats.testing.TestClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Latency histograms through each database: what a read returns equals the deltas' latency merged
 * in memory ({@link LatencyReference}), exactly, over many series, buckets and zones, filtered and
 * summed across key parts, after compaction, for a batch appended twice, for extreme histograms,
 * and never for calls without latency.
 */
class LatencyStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  private static final ZoneId KATHMANDU = ZoneId.of("Asia/Kathmandu");
  private static final List<SeriesKey> SERIES = LatencyFixtures.series(3, 3, 3);

  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) cleanup.get(i).close();
  }

  private JdbcUsageStore store(Db db, Instant now) {
    DataSource ds = db.dataSource();
    String prefix = Db.uniquePrefix();
    cleanup.add(() -> Db.drop(ds, prefix));
    JdbcUsageStore s =
        JdbcUsageStore.builder(ds)
            .tablePrefix(prefix)
            .createSchema(true)
            .clock(TestClock.of(now))
            .build();
    cleanup.add(s);
    return s;
  }

  private static long count(JdbcUsageStore s, Db db, String where) throws SQLException {
    return Fixtures.count(
        db.dataSource(), "SELECT COUNT(*) FROM " + s.latencyTable() + " WHERE " + where);
  }

  /**
   * 30 batches of 40 rows over 27 series and 30 hours, minute and quarter-hour rows, one in five
   * without latency: read by UTC hour, by Kathmandu day (+05:45: quarter-hour tiles at the edges),
   * by minute, summed across tenants and keys, and filtered.
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void read_manySeriesBucketsAndZones_equalsMergedDeltas(Db db) {
    JdbcUsageStore s = store(db, T0.plus(Duration.ofDays(1)));
    Random rnd = new Random(11);
    LatencyReference ref = new LatencyReference();
    for (int b = 0; b < 30; b++) {
      // quarter-hour rows only from hour 6 on, so the minute window below splits none
      boolean quarters = b % 3 == 0;
      Instant from = quarters ? T0.plus(Duration.ofHours(6)) : T0;
      UsageBatch batch =
          LatencyFixtures.randomBatch(rnd, "b-" + b, SERIES, from, 24 * 60, 40, quarters ? 6 : 0);
      s.append(batch);
      ref.add(batch);
    }
    List<Instant> hours = Fixtures.steps(T0, T0.plus(Duration.ofHours(31)), 60);
    assertThat(LatencyFixtures.latency(s, LatencyFixtures.read(hours)))
        .hasSizeGreaterThan(300)
        .isEqualTo(ref.sums(hours));

    List<Instant> days = Fixtures.days(KATHMANDU, LocalDate.of(2026, 2, 28), 4);
    for (KeyDetail detail : KeyDetail.values()) {
      StoreRead read =
          new StoreRead(
              days, KATHMANDU, Granularity.DAY, null, Set.of(), Set.of(), Set.of(), detail);
      assertThat(LatencyFixtures.latency(s, read))
          .as("%s", detail)
          .isEqualTo(ref.sums(days, detail, k -> true));
    }

    List<Instant> minutes =
        Fixtures.steps(T0.plus(Duration.ofHours(1)), T0.plus(Duration.ofHours(3)), 1);
    assertThat(LatencyFixtures.latency(s, LatencyFixtures.read(minutes)))
        .isNotEmpty()
        .isEqualTo(ref.sums(minutes));

    Set<String> keys = Set.of("key-1-0", "key-1-2", "key-2-1");
    Set<String> models = Set.of("model-0", "model-2");
    StoreRead filtered =
        new StoreRead(
            hours,
            ZoneOffset.UTC,
            Granularity.HOUR,
            "tenant-1",
            keys,
            models,
            Set.of(),
            KeyDetail.MODEL);
    assertThat(LatencyFixtures.latency(s, filtered))
        .isNotEmpty()
        .isEqualTo(
            ref.sums(
                hours,
                KeyDetail.MODEL,
                k ->
                    k.tenant().equals("tenant-1")
                        && keys.contains(k.apiKey())
                        && models.contains(k.model())));
  }

  /** A batch appended twice (a retry after its commit) adds its histograms once. */
  @ParameterizedTest
  @EnumSource(Db.class)
  void append_sameBatchTwice_appliedOnce(Db db) throws Exception {
    JdbcUsageStore s = store(db, T0.plus(Duration.ofDays(1)));
    UsageBatch batch = LatencyFixtures.randomBatch(new Random(3), "once", SERIES, T0, 90, 60, 5);
    s.append(batch);
    s.append(batch);
    LatencyReference ref = new LatencyReference();
    ref.add(batch);
    List<Instant> hours = Fixtures.steps(T0, T0.plus(Duration.ofHours(2)), 60);
    assertThat(LatencyFixtures.latency(s, LatencyFixtures.read(hours))).isEqualTo(ref.sums(hours));
    assertThat(count(s, db, "1 = 1")).isEqualTo(ref.spans.size());
  }

  /**
   * Compaction folds the latency rows of a series in a quarter hour into one (also rows of other
   * nodes' batches and late events, also quarter-hour rows), and every read over quarter-hour steps
   * stays exact; MINUTE buckets over folded rows are refused.
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void compact_foldsIntoOneRowPerSeriesAndQuarter_exact(Db db) throws Exception {
    JdbcUsageStore s = store(db, T0.plus(Duration.ofDays(10)));
    Random rnd = new Random(5);
    LatencyReference ref = new LatencyReference();
    List<SeriesKey> few = SERIES.subList(0, 6); // many rows per series and quarter hour
    for (int b = 0; b < 12; b++) {
      UsageBatch batch = LatencyFixtures.randomBatch(rnd, "b-" + b, few, T0, 8 * 60, 40, 8);
      s.append(batch);
      ref.add(batch);
    }
    long before = count(s, db, "1 = 1");
    assertThat(s.compact()).isPositive();
    assertThat(count(s, db, "grain = 1")).isZero();
    assertThat(count(s, db, "1 = 1")).isLessThan(before);
    assertThat(duplicateGroups(s, db)).isZero();
    assertExact(s, ref);
    assertThatThrownBy(
            () ->
                s.read(
                    LatencyFixtures.read(Fixtures.steps(T0, T0.plus(Duration.ofMinutes(30)), 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("granularity must allow 15-minute rows");

    // late events into folded quarters, then folded again
    for (int b = 0; b < 3; b++) {
      UsageBatch late = LatencyFixtures.randomBatch(rnd, "late-" + b, few, T0, 8 * 60, 30, 4);
      s.append(late);
      ref.add(late);
    }
    assertThat(count(s, db, "grain = 1")).isPositive();
    assertExact(s, ref);
    s.compact();
    assertThat(count(s, db, "grain = 1")).isZero();
    assertThat(duplicateGroups(s, db)).isZero();
    assertExact(s, ref);
  }

  private static void assertExact(JdbcUsageStore s, LatencyReference ref) {
    List<Instant> hours = Fixtures.steps(T0, T0.plus(Duration.ofHours(9)), 60);
    assertThat(LatencyFixtures.latency(s, LatencyFixtures.read(hours))).isEqualTo(ref.sums(hours));
    List<Instant> quarters = Fixtures.steps(T0, T0.plus(Duration.ofHours(9)), 15);
    assertThat(LatencyFixtures.latency(s, LatencyFixtures.read(quarters)))
        .isEqualTo(ref.sums(quarters));
    List<Instant> days = Fixtures.days(KATHMANDU, LocalDate.of(2026, 2, 28), 3);
    StoreRead byModel = LatencyFixtures.read(days, KeyDetail.MODEL, Set.of());
    assertThat(LatencyFixtures.latency(s, byModel))
        .isEqualTo(ref.sums(days, KeyDetail.MODEL, k -> true));
  }

  /** Series and quarter hours with more than one latency row. */
  private static long duplicateGroups(JdbcUsageStore s, Db db) throws SQLException {
    return Fixtures.count(
        db.dataSource(),
        "SELECT COUNT(*) FROM (SELECT bucket_start, series_hash FROM "
            + s.latencyTable()
            + " GROUP BY bucket_start, series_hash HAVING COUNT(*) > 1) d");
  }

  /**
   * Extreme histograms round-trip exactly: every one of the 2,048 bins with a random 51-bit count
   * (about the longest encoding: deflate finds little to shorten), the smallest and largest values,
   * time to first token without duration.
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void read_extremeHistograms_roundTripExactly(Db db) {
    JdbcUsageStore s = store(db, T0.plus(Duration.ofDays(1)));
    Random rnd = new Random(7);
    LatencyHistogram.Builder every = new LatencyHistogram.Builder();
    for (int bin = 0; bin <= LatencyHistogram.MAX_BIN; bin++) {
      every.addBin(bin, 1 + (rnd.nextLong() >>> 13));
    }
    LatencyHistogram full = every.build();
    assertThat(full.encode().length).isGreaterThan(14_000).isLessThan(65_535);
    List<LatencyTotals> cases =
        List.of(
            new LatencyTotals(full, full, Long.MAX_VALUE / 2, Long.MAX_VALUE / 3),
            new LatencyTotals(
                LatencyHistogram.of(0, LatencyHistogram.MAX_MILLIS),
                LatencyHistogram.of(0),
                1,
                LatencyHistogram.MAX_MILLIS),
            new LatencyTotals(LatencyHistogram.empty(), LatencyHistogram.of(250, 251, 9999), 7, 0),
            new LatencyTotals(LatencyHistogram.of(1), LatencyHistogram.empty(), 0, 0));
    LatencyReference ref = new LatencyReference();
    List<UsageDelta> deltas = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      // large, and within a long when the store sums the series per model and of all usage
      UsageTotals t = new UsageTotals(Long.MAX_VALUE / 4, 0, 0, 0, 0, 0, 0);
      deltas.add(new UsageDelta(SERIES.get(i), T0, t, Grain.MINUTE, cases.get(i)));
    }
    UsageBatch batch = new UsageBatch("extreme", "n", deltas);
    s.append(batch);
    ref.add(batch);
    List<Instant> hour = List.of(T0, T0.plus(Duration.ofHours(1)));
    Map<Cell, LatencyTotals> got = LatencyFixtures.latency(s, LatencyFixtures.read(hour));
    assertThat(got).isEqualTo(ref.sums(hour));
    assertThat(got.get(new Cell(SERIES.get(0), T0.toEpochMilli())).duration().toHdrHistogram())
        .isEqualTo(full.toHdrHistogram());
  }

  /** Calls without latency write no latency row, and read as {@link LatencyTotals#empty()}. */
  @ParameterizedTest
  @EnumSource(Db.class)
  void append_withoutLatency_writesNoLatencyRow(Db db) throws Exception {
    JdbcUsageStore s = store(db, T0.plus(Duration.ofDays(1)));
    UsageTotals t = new UsageTotals(4, 0, 400, 40, 0, 0, 0);
    s.append(
        new UsageBatch(
            "plain",
            "n",
            List.of(new UsageDelta(SERIES.get(0), T0, t), new UsageDelta(SERIES.get(1), T0, t))));
    assertThat(count(s, db, "1 = 1")).isZero();
    StoreResult r = s.read(LatencyFixtures.read(List.of(T0, T0.plus(Duration.ofHours(1)))));
    assertThat(r.rows()).allMatch(row -> row.latency().equals(LatencyTotals.empty()));
    assertThat(r.rows()).filteredOn(row -> !Keys.isModelSum(row.key())).hasSize(2);
  }

  /** Retention deletes latency rows with the rollup rows of the same spans, and only those. */
  @ParameterizedTest
  @EnumSource(Db.class)
  void prune_deletesLatencyRowsPastRetention(Db db) throws Exception {
    DataSource ds = db.dataSource();
    String prefix = Db.uniquePrefix();
    cleanup.add(() -> Db.drop(ds, prefix));
    TestClock clock = TestClock.of(T0.plus(Duration.ofDays(10)));
    JdbcUsageStore s =
        JdbcUsageStore.builder(ds)
            .tablePrefix(prefix)
            .createSchema(true)
            .clock(clock)
            .retention(Duration.ofDays(5))
            .build();
    cleanup.add(s);
    UsageTotals t = new UsageTotals(3, 0, 300, 30, 0, 0, 0);
    LatencyTotals l =
        new LatencyTotals(LatencyHistogram.of(120, 900, 4000), LatencyHistogram.of(50), 30, 800);
    List<UsageDelta> deltas = new java.util.ArrayList<>();
    for (int day = 0; day < 10; day++) {
      deltas.add(
          new UsageDelta(SERIES.get(0), T0.plus(Duration.ofDays(day)), t, Grain.QUARTER_HOUR, l));
    }
    s.append(new UsageBatch("days", "n", deltas));
    assertThat(count(s, db, "1 = 1")).isEqualTo(10);
    s.prune();
    // rows of spans ended more than 5 days before now go: days 0 to 4
    assertThat(count(s, db, "1 = 1")).isEqualTo(5);
    StoreResult r =
        s.read(LatencyFixtures.read(List.of(T0.plus(Duration.ofDays(5)), clock.instant())));
    LatencyTotals all = LatencyTotals.empty();
    for (StoreResult.Row row : r.rows()) all = all.plus(row.latency());
    assertThat(all.duration().count()).isEqualTo(15);
  }

  /** A stored histogram this release cannot decode fails the read, naming the row. */
  @ParameterizedTest
  @EnumSource(Db.class)
  void read_corruptHistogram_failsNamingTheRow(Db db) throws Exception {
    JdbcUsageStore s = store(db, T0.plus(Duration.ofDays(1)));
    UsageTotals t = new UsageTotals(1, 0, 1, 1, 0, 0, 0);
    LatencyTotals l = new LatencyTotals(LatencyHistogram.of(5), LatencyHistogram.empty(), 0, 0);
    s.append(
        new UsageBatch("c", "n", List.of(new UsageDelta(SERIES.get(0), T0, t, Grain.MINUTE, l))));
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement("UPDATE " + s.latencyTable() + " SET duration_histogram = ?")) {
      ps.setBytes(1, new byte[] {9, 9});
      ps.executeUpdate();
    }
    assertThatThrownBy(() -> s.read(LatencyFixtures.read(List.of(T0, T0.plusSeconds(3600)))))
        .isInstanceOf(UsageStoreException.class)
        .hasMessageContaining("latency row at bucket_start " + T0.getEpochSecond())
        .hasMessageContaining("not an encoded latency histogram");
  }
}
