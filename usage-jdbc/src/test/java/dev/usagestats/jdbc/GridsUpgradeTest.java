package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.Granularity;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import dev.usagestats.jdbc.Fixtures.Reference;
import dev.usagestats.jdbc.Zones.At;
import dev.usagestats.jdbc.Zones.Sums;
import dev.usagestats.spi.KeyDetail;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.testing.TestClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Schema version 4 over a version 3 database with rows: the upgrade adds the grid table, and the
 * store builds hour and day rows from the 15-minute rows already there (peaks unknown where a row's
 * is), so reads over the old rows equal the 15-minute plan and the reference, before and after the
 * minute rows left are folded.
 */
class GridsUpgradeTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  private static final SeriesKey A = new SeriesKey("acme", "key-a", "public/deepseek-r1");
  private static final SeriesKey B = new SeriesKey("globex", "key-b", "gpt-x");
  private static final ZoneId KTM = ZoneId.of("Asia/Kathmandu");

  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() {
    cleanup.forEach(Runnable::run);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void createSchema_overV3WithRows_buildsGridRowsFromQuarterRows(Db db) throws Exception {
    DataSource ds = db.dataSource();
    String prefix = Db.uniquePrefix();
    cleanup.add(
        () -> {
          try {
            Db.drop(ds, prefix);
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
    List<String> scripts = Dialect.valueOf(db.name()).migrations();
    for (String script : scripts.subList(0, 3)) {
      SchemaUpgradeTest.runScript(
          ds, SchemaUpgradeTest.resource(script), prefix, Integer.MAX_VALUE);
    }
    // two days as a version 3 store leaves them: 15-minute rows (peaks known, or unknown), and
    // minute rows compaction has not reached
    Reference ref = new Reference();
    Random rnd = new Random(1);
    for (Instant q = T0; q.isBefore(T0.plus(Duration.ofDays(2))); q = q.plusSeconds(900)) {
      for (SeriesKey k : new SeriesKey[] {A, B}) {
        long calls = 1 + rnd.nextInt(9);
        Long peak = rnd.nextInt(10) == 0 ? null : calls;
        insert(ds, prefix, k, q, 15, calls, peak);
        ref.add(k, q, calls, 0, 10 * calls, calls);
      }
      if (rnd.nextInt(8) == 0) {
        insert(ds, prefix, B, q.plusSeconds(120), 1, 2, null);
        ref.add(B, q.plusSeconds(120), 2, 0, 20, 2);
      }
    }
    TestClock clock = TestClock.of(T0.plus(Duration.ofDays(10)));
    assertThatThrownBy(() -> builder(ds, prefix, clock).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("schema version 3 found, 6 required: run the V4 to V6 scripts");

    try (JdbcUsageStore s =
        builder(ds, prefix, clock).createSchema(true).reportZones(ZoneOffset.UTC, KTM).build()) {
      // through every step: the grids (V4), the latency table (V5), empty, and the model sums (V6)
      assertThat(Fixtures.count(ds, "SELECT COUNT(*) FROM " + prefix + "schema_version"))
          .isEqualTo(Migration.CURRENT);
      assertThat(Fixtures.count(ds, "SELECT COUNT(*) FROM " + prefix + "latency")).isZero();
      assertThat(Fixtures.count(ds, "SELECT COUNT(*) FROM " + s.gridTable() + " WHERE grain > 0"))
          .isEqualTo(4);
      // per series: 48 UTC hours and 2 UTC days; 49 Kathmandu hours and 3 Kathmandu days
      assertThat(
              Fixtures.count(ds, "SELECT COUNT(*) FROM " + s.rollupTable() + " WHERE grain = 60"))
          .isEqualTo(2 * (48 + 49));
      assertThat(
              Fixtures.count(ds, "SELECT COUNT(*) FROM " + s.rollupTable() + " WHERE grain = 1440"))
          .isEqualTo(2 * (2 + 3));
      assertExact(s, ref);
      assertThat(s.compact()).isPositive();
      assertExact(s, ref);
    }
    try (JdbcUsageStore s = builder(ds, prefix, clock).reportZones(KTM).build()) {
      assertExact(s, ref);
    }
  }

  private static JdbcUsageStore.Builder builder(DataSource ds, String prefix, TestClock clock) {
    return JdbcUsageStore.builder(ds).tablePrefix(prefix).clock(clock);
  }

  private static void assertExact(JdbcUsageStore s, Reference ref) {
    for (ZoneId z : List.of(ZoneOffset.UTC, KTM, ZoneId.of("America/New_York"))) {
      for (Granularity g : new Granularity[] {Granularity.HOUR, Granularity.DAY}) {
        List<Instant> bounds = Zones.bounds(z, g, T0, T0.plus(Duration.ofDays(2)));
        StoreRead read = Zones.read(bounds, z, g, KeyDetail.SERIES);
        Map<At, Sums> coarse = Zones.rows(s.read(read));
        assertThat(coarse).as("%s %s", z, g).isEqualTo(Zones.rows(s.readFine(read)));
        Map<Fixtures.Cell, UsageTotals> sums = new HashMap<>();
        coarse.forEach(
            (at, x) ->
                sums.merge(
                    new Fixtures.Cell(at.key(), bounds.get(at.bucket()).toEpochMilli()),
                    x.totals(),
                    UsageTotals::plus));
        assertThat(sums).as("%s %s", z, g).isEqualTo(ref.sums(bounds));
      }
    }
  }

  /** A row as a version 3 store wrote it: input 10 tokens and output 1 per call. */
  private static void insert(
      DataSource ds, String prefix, SeriesKey k, Instant at, int grain, long calls, Long peak)
      throws SQLException {
    String sql =
        "INSERT INTO "
            + prefix
            + "rollup (bucket_start, series_hash, grain, tenant, api_key, model, calls, errors,"
            + " input_tokens, output_tokens, cached_input_tokens, reasoning_tokens,"
            + " cache_creation_input_tokens, peak_calls, peak_tokens)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 0, 0, 0, ?, ?)";
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, at.getEpochSecond());
      ps.setBytes(2, Keys.seriesHash(k));
      ps.setShort(3, (short) grain);
      ps.setString(4, k.tenant());
      ps.setString(5, k.apiKey());
      ps.setString(6, k.model());
      ps.setLong(7, calls);
      ps.setLong(8, 10 * calls);
      ps.setLong(9, calls);
      if (peak == null || grain == 1) {
        ps.setNull(10, Types.BIGINT);
        ps.setNull(11, Types.BIGINT);
      } else {
        ps.setLong(10, peak);
        ps.setLong(11, 11 * peak);
      }
      ps.executeUpdate();
    }
  }
}
