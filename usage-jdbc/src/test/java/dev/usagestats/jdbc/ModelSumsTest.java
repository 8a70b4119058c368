package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.Granularity;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import dev.usagestats.jdbc.Zones.At;
import dev.usagestats.jdbc.Zones.Sums;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.KeyDetail;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import dev.usagestats.testing.TestClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The model sums (schema version 6) on every database: the store forms them from each batch's
 * series rows (dropping whatever rows a batch sent under their keys), keeps them through compaction
 * and grids, and a read over all keys by model takes them alone and equals the read of the series
 * rows and the reference model, in whole-hour and quarter-past zones, at every granularity.
 */
class ModelSumsTest {
  private static final Instant T0 = Instant.parse("2026-10-01T00:00:00Z");
  private static final int DAYS = 12;

  private static final SeriesKey[] KEYS = {
    new SeriesKey("acme", "key-a", "public/deepseek-r1"),
    new SeriesKey("acme", "key-b", "public/deepseek-r1"),
    new SeriesKey("acme", "key-b", "gpt-x"),
    new SeriesKey("globex", "key-c", "gpt-x"),
    new SeriesKey("globex", "key-d", "qwen-max")
  };

  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() {
    cleanup.forEach(Runnable::run);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void readOverAllKeys_equalsSeriesRowsAndReference(Db db) {
    JdbcUsageStore s = store(db, Db.uniquePrefix());
    Random rnd = new Random(db.ordinal() * 17L + 3);
    // per model and UTC hour: the reference the sums must equal
    Map<List<Object>, UsageTotals> ref = new HashMap<>();
    // one delta per key, start and grain in a batch, as the engine sends them
    Map<List<Object>, UsageDelta> batch = new HashMap<>();
    for (int i = 0; i < 6_000; i++) {
      SeriesKey k = KEYS[rnd.nextInt(KEYS.length)];
      Instant at = T0.plusSeconds(60L * rnd.nextInt(DAYS * 1440));
      UsageTotals t = totals(rnd);
      Grain g = rnd.nextInt(5) == 0 ? Grain.QUARTER_HOUR : Grain.MINUTE;
      if (g == Grain.QUARTER_HOUR) at = Instant.ofEpochSecond(at.getEpochSecond() / 900 * 900);
      if (batch.putIfAbsent(List.of(k, at, g), new UsageDelta(k, at, t, g)) != null) continue;
      ref.merge(List.of(k.model(), hour(at)), t, UsageTotals::plus);
      if (rnd.nextInt(50) == 0) {
        // a row under a model sum's key: the store forms its own, so this one must not count
        SeriesKey m = Keys.modelSum(k.model());
        batch.putIfAbsent(List.of(m, at, g), new UsageDelta(m, at, t, g));
      }
      if (batch.size() >= 500) {
        append(s, new ArrayList<>(batch.values()));
        batch.clear();
      }
    }
    append(s, new ArrayList<>(batch.values()));
    assertThat(s.compact()).isPositive();

    for (ZoneId z : List.of(ZoneOffset.UTC, ZoneId.of("Asia/Kathmandu"))) {
      // compacted: no minute rows to read MINUTE buckets from
      for (Granularity g :
          List.of(Granularity.HOUR, Granularity.DAY, Granularity.WEEK, Granularity.MONTH)) {
        List<Instant> bounds =
            Zones.bounds(z, g, T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(DAYS - 1)));
        StoreRead read = Zones.read(bounds, z, g, KeyDetail.MODEL);
        Map<At, Sums> sums = Zones.rows(s.read(read));
        assertThat(Zones.planIndependent(sums))
            .as("%s %s", z, g)
            .isEqualTo(Zones.planIndependent(Zones.rows(s.readFine(read))));
        if (z.equals(ZoneOffset.UTC) && g == Granularity.HOUR) {
          Map<List<Object>, UsageTotals> got = new HashMap<>();
          sums.forEach(
              (at, v) -> {
                if (!at.key().tenant().equals(ReadSql.AGGREGATE)) {
                  got.put(List.of(at.key().model(), bounds.get(at.bucket())), v.totals());
                }
              });
          Map<List<Object>, UsageTotals> want = new HashMap<>(ref);
          want.keySet().removeIf(k -> !inside(bounds, (Instant) k.get(1)));
          assertThat(got).isEqualTo(want);
        }
      }
    }
  }

  /**
   * A read over all keys by model reads the model sums alone: with the series rows gone, it still
   * counts everything, while a read per key, or filtered by key, counts nothing.
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void readOverAllKeys_readsModelSumsOnly(Db db) throws Exception {
    String prefix = Db.uniquePrefix();
    JdbcUsageStore s = store(db, prefix);
    UsageTotals t = new UsageTotals(2, 0, 300, 40, 0, 0, 5);
    List<UsageDelta> deltas = new ArrayList<>();
    for (SeriesKey k : KEYS) deltas.add(new UsageDelta(k, T0.plusSeconds(120), t));
    append(s, deltas);
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      // the model sums' keys lead with two zero bytes: a span's sums lie together, first
      int sums = 0;
      try (ResultSet rs =
          st.executeQuery("SELECT series_hash FROM " + prefix + "rollup WHERE tenant = ' '")) {
        while (rs.next()) {
          assertThat(rs.getBytes(1)).hasSize(16).startsWith(0, 0);
          sums++;
        }
      }
      assertThat(sums).isEqualTo(4); // three models' and all usage's
      st.execute("DELETE FROM " + prefix + "rollup WHERE tenant <> ' '");
    }
    List<Instant> bounds = List.of(T0, T0.plusSeconds(3600));
    StoreRead byModel = Zones.read(bounds, ZoneOffset.UTC, Granularity.HOUR, KeyDetail.MODEL);
    Map<String, Long> calls = callsByModel(s.read(byModel));
    assertThat(calls)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("public/deepseek-r1", 4L, "gpt-x", 4L, "qwen-max", 2L));
    assertThat(callsByModel(s.readFine(byModel))).isEmpty();
    StoreRead byKey = Zones.read(bounds, ZoneOffset.UTC, Granularity.HOUR, KeyDetail.SERIES);
    assertThat(callsByModel(s.read(byKey))).isEmpty();
    StoreRead oneKey =
        new StoreRead(
            bounds,
            ZoneOffset.UTC,
            Granularity.HOUR,
            null,
            Set.of("key-a"),
            Set.of(),
            Set.of(),
            KeyDetail.MODEL);
    assertThat(callsByModel(s.read(oneKey))).isEmpty();
  }

  private JdbcUsageStore store(Db db, String prefix) {
    JdbcUsageStore s =
        JdbcUsageStore.builder(db.dataSource())
            .tablePrefix(prefix)
            .createSchema(true)
            .clock(TestClock.of(T0.plus(Duration.ofDays(40))))
            .compactAfter(Duration.ofDays(2))
            .reportZones(ZoneOffset.UTC, ZoneId.of("Asia/Kathmandu"))
            .build();
    cleanup.add(
        () -> {
          s.close();
          try {
            Db.drop(db.dataSource(), prefix);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    return s;
  }

  /** Calls per model of the rows a read keeps for series (not the peak aggregates'). */
  private static Map<String, Long> callsByModel(StoreResult r) {
    Map<String, Long> out = new HashMap<>();
    for (StoreResult.Row row : r.rows()) {
      if (row.key().tenant().equals(ReadSql.AGGREGATE) || row.totals().calls() == 0) continue;
      out.merge(row.key().model(), row.totals().calls(), Long::sum);
    }
    return out;
  }

  private static List<UsageDelta> append(JdbcUsageStore s, List<UsageDelta> deltas) {
    s.append(new UsageBatch(UUID.randomUUID().toString(), "n", deltas));
    return new ArrayList<>();
  }

  private static UsageTotals totals(Random rnd) {
    long in = rnd.nextInt(4000);
    long out = rnd.nextInt(800);
    return new UsageTotals(1 + rnd.nextInt(5), rnd.nextInt(2), in, out, in / 4, in / 9, out / 3);
  }

  private static Instant hour(Instant at) {
    return Instant.ofEpochSecond(at.getEpochSecond() / 3600 * 3600);
  }

  private static boolean inside(List<Instant> bounds, Instant at) {
    return !at.isBefore(bounds.get(0)) && at.isBefore(bounds.get(bounds.size() - 1));
  }
}
