package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.Granularity;
import dev.usagestats.LatencyHistogram;
import dev.usagestats.LatencyTotals;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import dev.usagestats.jdbc.Fixtures.Cell;
import dev.usagestats.jdbc.Fixtures.Reference;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.KeyDetail;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import dev.usagestats.testing.TestClock;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Schema versions: a database created by the first release's scripts (copied verbatim into test
 * resources) upgrades in place with its rows intact, twice is a no-op, nodes starting at once on an
 * empty database all succeed, and a store refuses a schema it cannot use.
 */
class SchemaUpgradeTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  private static final SeriesKey A = new SeriesKey("acme", "key-a", "public/deepseek-r1");
  private static final SeriesKey B = new SeriesKey("globex", "key-b", "gpt-x");
  private static final List<String> V1_COLUMNS =
      List.of(
          "bucket_start",
          "series_hash",
          "grain",
          "tenant",
          "api_key",
          "model",
          "calls",
          "errors",
          "input_tokens",
          "output_tokens",
          "cached_input_tokens",
          "reasoning_tokens");

  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() {
    cleanup.forEach(Runnable::run);
  }

  private String prefix(Db db) {
    String prefix = Db.uniquePrefix();
    DataSource ds = db.dataSource();
    cleanup.add(
        () -> {
          try {
            Db.drop(ds, prefix);
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
    return prefix;
  }

  private static JdbcUsageStore.Builder builder(Db db, String prefix) {
    return JdbcUsageStore.builder(db.dataSource())
        .tablePrefix(prefix)
        .clock(TestClock.of(T0.plus(Duration.ofDays(10))));
  }

  static String resource(String path) throws IOException {
    try (InputStream in = SchemaUpgradeTest.class.getClassLoader().getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static String dialectName(Db db) {
    return db.name().toLowerCase(Locale.ROOT);
  }

  /** Runs a script as a migration tool would: comment lines dropped, split at ';'. */
  static void runScript(DataSource ds, String script, String prefix, int statements)
      throws SQLException {
    StringBuilder clean = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.trim().startsWith("--")) clean.append(line).append('\n');
    }
    int run = 0;
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      for (String sql : clean.toString().replace("${prefix}", prefix).split(";")) {
        if (sql.isBlank() || run++ == statements) continue;
        st.execute(sql);
      }
    }
  }

  /** Creates the first released schema from the verbatim copy in test resources. */
  private static void createReleasedV1(Db db, String prefix) throws Exception {
    String script = resource("released/v1/schema-" + dialectName(db) + ".sql");
    runScript(db.dataSource(), script, prefix, Integer.MAX_VALUE);
  }

  /** Writes a V1 row by plain SQL, as the first release did: no cache-creation column. */
  private static void insertV1(Db db, String prefix, SeriesKey k, Instant at, long... counts)
      throws SQLException {
    String sql =
        "INSERT INTO "
            + prefix
            + "rollup ("
            + String.join(", ", V1_COLUMNS)
            + ") VALUES ("
            + "?, ".repeat(V1_COLUMNS.size() - 1)
            + "?)";
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      int p = 1;
      ps.setLong(p++, at.getEpochSecond());
      ps.setBytes(p++, Keys.seriesHash(k));
      ps.setShort(p++, (short) 1);
      ps.setString(p++, k.tenant());
      ps.setString(p++, k.apiKey());
      ps.setString(p++, k.model());
      for (long v : counts) ps.setLong(p++, v);
      ps.executeUpdate();
    }
  }

  private static long versions(Db db, String prefix) throws SQLException {
    return Fixtures.count(db.dataSource(), "SELECT COUNT(*) FROM " + prefix + "schema_version");
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void createSchema_overReleasedV1_upgradesInPlaceAndKeepsTotals(Db db) throws Exception {
    String prefix = prefix(db);
    createReleasedV1(db, prefix);
    Reference ref = new Reference();
    // calls, errors, input, output, cached input, reasoning: the V1 columns
    insertV1(db, prefix, A, T0, 3, 1, 1200, 300, 200, 50);
    ref.add(A, T0, new UsageTotals(3, 1, 1200, 300, 200, 0, 50));
    insertV1(db, prefix, B, T0.plusSeconds(600), 2, 0, 700, 90, 0, 10);
    ref.add(B, T0.plusSeconds(600), new UsageTotals(2, 0, 700, 90, 0, 0, 10));

    assertThatThrownBy(() -> builder(db, prefix).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("schema version 1 found, 6 required: run the V2 to V6 scripts")
        .hasMessageContaining("or createSchema(true)");

    try (JdbcUsageStore s = builder(db, prefix).createSchema(true).build()) {
      List<Instant> hours = Fixtures.steps(T0, T0.plusSeconds(7200), 60);
      assertThat(Fixtures.read(s, hours)).isEqualTo(ref.sums(hours));
      assertThat(Fixtures.read(s, hours).get(new Cell(A, T0.toEpochMilli())))
          .isEqualTo(new UsageTotals(3, 1, 1200, 300, 200, 0, 50));

      UsageTotals withCache = new UsageTotals(4, 0, 5000, 400, 1000, 2500, 30);
      s.append(
          new UsageBatch(
              UUID.randomUUID().toString(),
              "n",
              List.of(
                  new UsageDelta(A, T0, withCache),
                  new UsageDelta(A, T0.plusSeconds(3600), withCache))));
      ref.add(A, T0, withCache);
      ref.add(A, T0.plusSeconds(3600), withCache);
      assertThat(Fixtures.read(s, hours)).isEqualTo(ref.sums(hours));
      assertThat(Fixtures.read(s, hours).get(new Cell(A, T0.toEpochMilli())))
          .isEqualTo(new UsageTotals(7, 1, 6200, 700, 1200, 2500, 80));

      // the 3 series minute rows, and the appended minutes' model sums: A's model and all usage
      assertThat(s.compact()).isEqualTo(3 + 2 * 2);
      assertThat(Fixtures.read(s, hours)).isEqualTo(ref.sums(hours));
    }
    assertThat(versions(db, prefix)).isEqualTo(Migration.values().length);
    try (JdbcUsageStore s = builder(db, prefix).build()) {
      assertThat(s.rollupTable()).isEqualTo(prefix + "rollup");
    }
  }

  /**
   * A database at version 3 (the scripts of the release before latency) upgrades in place: its rows
   * stay valid and read with empty latency; rows written afterwards carry latency, also in an old
   * row's minute, and keep it through compaction.
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void createSchema_overVersion3_oldRowsReadWithoutLatency(Db db) throws Exception {
    String prefix = prefix(db);
    for (String m : Dialect.valueOf(db.name()).migrations().subList(0, 3)) {
      runScript(db.dataSource(), resource(m), prefix, Integer.MAX_VALUE);
    }
    Reference ref = new Reference();
    insertV1(db, prefix, A, T0, 3, 1, 1200, 300, 200, 50);
    ref.add(A, T0, new UsageTotals(3, 1, 1200, 300, 200, 0, 50));
    insertV1(db, prefix, B, T0.plusSeconds(600), 2, 0, 700, 90, 0, 10);
    ref.add(B, T0.plusSeconds(600), new UsageTotals(2, 0, 700, 90, 0, 0, 10));
    assertThatThrownBy(() -> builder(db, prefix).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("schema version 3 found, 6 required: run the V4 to V6 scripts");

    try (JdbcUsageStore s = builder(db, prefix).createSchema(true).build()) {
      List<Instant> hours = Fixtures.steps(T0, T0.plusSeconds(7200), 60);
      StoreResult old = s.read(LatencyFixtures.read(hours));
      assertThat(old.rows()).hasSize(2).allMatch(r -> r.latency().equals(LatencyTotals.empty()));
      assertThat(Fixtures.read(s, hours)).isEqualTo(ref.sums(hours));

      LatencyTotals l =
          new LatencyTotals(LatencyHistogram.of(120, 900, 4000), LatencyHistogram.of(80), 300, 820);
      UsageTotals t = new UsageTotals(3, 0, 30, 300, 0, 0, 0);
      s.append(
          new UsageBatch("after-upgrade", "n", List.of(new UsageDelta(A, T0, t, Grain.MINUTE, l))));
      ref.add(A, T0, t);
      Map<Cell, LatencyTotals> expected = Map.of(new Cell(A, T0.toEpochMilli()), l);
      assertThat(LatencyFixtures.latency(s, LatencyFixtures.read(hours))).isEqualTo(expected);
      assertThat(Fixtures.read(s, hours)).isEqualTo(ref.sums(hours));

      // A's and B's minute rows, and the appended minute's model sums: A's model and all usage
      assertThat(s.compact()).isEqualTo(2 + 2);
      assertThat(LatencyFixtures.latency(s, LatencyFixtures.read(hours))).isEqualTo(expected);
      assertThat(Fixtures.read(s, hours)).isEqualTo(ref.sums(hours));
    }
    assertThat(versions(db, prefix)).isEqualTo(Migration.values().length);
  }

  /**
   * A database at version 5 upgrades to the model sums. Rows written before it without sums (as
   * engines before version 3 wrote them) are read from the series rows, so a read over all keys by
   * model still counts them: the sums are trusted from a day after the newest row; where a row of
   * all usage shows version 3's engines wrote sums, from two UTC days after the first such row.
   * Batches appended after the upgrade are read from their sums.
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void createSchema_overVersion5_olderRowsReadFromSeriesRows(Db db) throws Exception {
    String prefix = prefix(db);
    for (String m : Dialect.valueOf(db.name()).migrations().subList(0, 5)) {
      runScript(db.dataSource(), resource(m), prefix, Integer.MAX_VALUE);
    }
    insertV1(db, prefix, A, T0, 3, 1, 1200, 300, 200, 50);
    insertV1(db, prefix, B, T0.plusSeconds(600), 2, 0, 700, 90, 0, 10);
    Instant later = T0.plus(Duration.ofDays(3));
    try (JdbcUsageStore s = builder(db, prefix).createSchema(true).build()) {
      assertThat(completeFrom(db, prefix)).isEqualTo(T0.getEpochSecond() + 600 + 86_400);
      List<Instant> hours = Fixtures.steps(T0, T0.plusSeconds(7200), 60);
      StoreRead byModel = Zones.read(hours, ZoneOffset.UTC, Granularity.HOUR, KeyDetail.MODEL);
      Map<Zones.At, Zones.Sums> old = Zones.rows(s.read(byModel));
      assertThat(old).isEqualTo(Zones.rows(s.readFine(byModel)));
      assertThat(old.values().stream().mapToLong(v -> v.totals().calls()).sum()).isEqualTo(5);

      UsageTotals t = new UsageTotals(4, 0, 40, 400, 0, 0, 0);
      s.append(new UsageBatch("after", "n", List.of(new UsageDelta(A, later, t))));
      List<Instant> after = List.of(later, later.plusSeconds(3600));
      StoreRead next = Zones.read(after, ZoneOffset.UTC, Granularity.HOUR, KeyDetail.MODEL);
      assertThat(Zones.rows(s.read(next)).get(new Zones.At(new SeriesKey("", "", A.model()), 0)))
          .isEqualTo(new Zones.Sums(t, 4, 440));
    }

    String prefix2 = prefix(db);
    for (String m : Dialect.valueOf(db.name()).migrations().subList(0, 5)) {
      runScript(db.dataSource(), resource(m), prefix2, Integer.MAX_VALUE);
    }
    insertV1(db, prefix2, A, T0, 3, 1, 1200, 300, 200, 50);
    insertV1(db, prefix2, Keys.ALL_USAGE, later.plusSeconds(5400), 3, 1, 1200, 300, 0, 0);
    try (JdbcUsageStore s = builder(db, prefix2).createSchema(true).build()) {
      assertThat(completeFrom(db, prefix2)).isEqualTo(later.getEpochSecond() + 2 * 86_400);
    }
  }

  private static long completeFrom(Db db, String prefix) throws SQLException {
    return Fixtures.count(
        db.dataSource(), "SELECT complete_from FROM " + prefix + "model_sums WHERE id = 0");
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void createSchema_twice_isNoOp(Db db) throws Exception {
    String prefix = prefix(db);
    createReleasedV1(db, prefix);
    insertV1(db, prefix, A, T0, 1, 0, 10, 5, 0, 0);
    List<Instant> hour = List.of(T0, T0.plusSeconds(3600));
    Map<Cell, UsageTotals> first;
    try (JdbcUsageStore s = builder(db, prefix).createSchema(true).build()) {
      first = Fixtures.read(s, hour);
    }
    try (JdbcUsageStore s = builder(db, prefix).createSchema(true).build()) {
      assertThat(Fixtures.read(s, hour)).isEqualTo(first);
    }
    try (JdbcUsageStore s = builder(db, prefix).createSchema(true).build()) {
      assertThat(Fixtures.read(s, hour)).isEqualTo(first);
    }
    assertThat(first.values()).containsExactly(new UsageTotals(1, 0, 10, 5, 0, 0, 0));
    assertThat(versions(db, prefix)).isEqualTo(Migration.values().length);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void createSchema_concurrentOnEmptyDatabase_allSucceed(Db db) throws Exception {
    String prefix = prefix(db);
    int nodes = 4;
    CyclicBarrier start = new CyclicBarrier(nodes);
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    try {
      List<Future<JdbcUsageStore>> built = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        built.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  return builder(db, prefix).createSchema(true).build();
                }));
      }
      Reference ref = new Reference();
      for (Future<JdbcUsageStore> f : built) {
        try (JdbcUsageStore s = f.get(60, TimeUnit.SECONDS)) {
          UsageTotals t = new UsageTotals(1, 0, 100, 10, 20, 30, 5);
          s.append(new UsageBatch(UUID.randomUUID().toString(), "n", List.of(delta(A, t))));
          ref.add(A, T0, t);
        }
      }
      try (JdbcUsageStore s = builder(db, prefix).build()) {
        List<Instant> hour = List.of(T0, T0.plusSeconds(3600));
        assertThat(Fixtures.read(s, hour)).isEqualTo(ref.sums(hour));
      }
      assertThat(versions(db, prefix)).isEqualTo(Migration.values().length);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Where DDL commits on its own, an upgrade cut short before its version row is finished. */
  @ParameterizedTest
  @EnumSource(Db.class)
  void createSchema_afterUpgradeCutShort_finishesIt(Db db) throws Exception {
    String prefix = prefix(db);
    createReleasedV1(db, prefix);
    insertV1(db, prefix, A, T0, 2, 0, 20, 4, 0, 0);
    String v2 = resource(Dialect.valueOf(db.name()).migrations().get(1));
    runScript(db.dataSource(), v2, prefix, 3); // all but the last statement, the version row
    assertThatThrownBy(() -> builder(db, prefix).build())
        .hasMessageContaining("schema version 1 found, 6 required");
    try (JdbcUsageStore s = builder(db, prefix).createSchema(true).build()) {
      assertThat(Fixtures.read(s, List.of(T0, T0.plusSeconds(60))).values())
          .containsExactly(new UsageTotals(2, 0, 20, 4, 0, 0, 0));
    }
    assertThat(versions(db, prefix)).isEqualTo(Migration.values().length);
  }

  /** The shipped scripts, applied by hand as Flyway would, give a schema the store accepts. */
  @ParameterizedTest
  @EnumSource(Db.class)
  void migrations_appliedInOrder_storeAccepts(Db db) throws Exception {
    String prefix = prefix(db);
    Dialect d = Dialect.valueOf(db.name());
    assertThat(d.migrations())
        .containsExactly(
            d.migrationFolder() + "/V1__rollups.sql",
            d.migrationFolder() + "/V2__cache_creation_tokens.sql",
            d.migrationFolder() + "/V3__peaks.sql",
            d.migrationFolder() + "/V4__grids.sql",
            d.migrationFolder() + "/V5__latency.sql",
            d.migrationFolder() + "/V6__model_sums.sql");
    for (String m : d.migrations()) {
      runScript(db.dataSource(), resource(m), prefix, Integer.MAX_VALUE);
    }
    try (JdbcUsageStore s = builder(db, prefix).build()) {
      UsageTotals t = new UsageTotals(1, 0, 100, 10, 20, 30, 5);
      s.append(new UsageBatch(UUID.randomUUID().toString(), "n", List.of(delta(A, t))));
      assertThat(Fixtures.read(s, List.of(T0, T0.plusSeconds(60))).values()).containsExactly(t);
    }
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void build_withoutSchema_failsNamingTheFix(Db db) {
    String prefix = prefix(db);
    assertThatThrownBy(() -> builder(db, prefix).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no usagestats schema found")
        .hasMessageContaining(prefix + "rollup")
        .hasMessageContaining("createSchema(true)");
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void build_newerSchema_refused(Db db) throws Exception {
    String prefix = prefix(db);
    builder(db, prefix).createSchema(true).build().close();
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "INSERT INTO " + prefix + "schema_version (version, description) VALUES (7, 'future')");
    }
    for (boolean create : new boolean[] {false, true}) {
      assertThatThrownBy(() -> builder(db, prefix).createSchema(create).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("schema version 7 found, this usage-jdbc knows versions up to 6");
    }
  }

  /** Released scripts never change: V1 is byte for byte the first release's script. */
  @ParameterizedTest
  @EnumSource(Db.class)
  void releasedScripts_unchanged(Db db) throws Exception {
    Dialect d = Dialect.valueOf(db.name());
    String released = resource("released/v1/schema-" + dialectName(db) + ".sql");
    assertThat(resource(d.migrations().get(0))).isEqualTo(released);
    @SuppressWarnings("deprecation")
    String legacy = d.schemaResource();
    assertThat(resource(legacy)).isEqualTo(released);
  }

  private static UsageDelta delta(SeriesKey k, UsageTotals t) {
    return new UsageDelta(k, T0, t);
  }
}
