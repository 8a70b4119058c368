package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.PeakAccuracy;
import dev.usagestats.Peaks;
import dev.usagestats.SeriesKey;
import dev.usagestats.TrendPoint;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.testing.TestClock;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Peaks through a real database: dense traffic drained and written in parts (flushes mid-minute),
 * read back at every granularity in zones with 30- and 45-minute offsets, equal to an in-memory
 * engine's report (which core checks against per-minute sums of the raw events) and, where exact,
 * to the maximum of per-minute sums computed here; the same after minute rows are compacted; and a
 * store upgraded from schema version 2 says its old rows' peaks are unknown.
 */
class PeaksTest {
  private static final Instant T = Instant.parse("2026-03-10T12:00:00Z");
  private static final String[] TENANTS = {"acme", "globex"};
  private static final String[] KEYS = {"key-a", "key-b", "key-c"};
  private static final String[] MODELS = {"public/deepseek-r1", "public/qwen3", "m3"};

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
  void peaks_fromStoreBeforeAndAfterCompaction_equalMemoryAndPerMinuteSums(Db db) {
    DataSource ds = db.dataSource();
    String prefix = prefix(ds);
    Instant start = T.minus(Duration.ofDays(4));
    TestClock clock = TestClock.of(start);
    JdbcUsageStore store =
        JdbcUsageStore.builder(ds)
            .tablePrefix(prefix)
            .createSchema(true)
            .clock(clock)
            .compactAfter(Duration.ofDays(1))
            .build();
    List<UsageEvent> events = new ArrayList<>();
    try (UsageStats stored =
            UsageStats.builder().clock(clock).store(store).flushInterval(Duration.ZERO).build();
        UsageStats memory =
            UsageStats.builder()
                .clock(clock)
                .flushInterval(Duration.ZERO)
                .minuteRetention(Duration.ofDays(10))
                .build()) {
      Random rnd = new Random(7);
      for (int i = 0; i < 3_000; i++) {
        clock.advance(Duration.ofMillis(rnd.nextInt(14_000)));
        UsageEvent e =
            UsageEvent.of(
                clock.instant(),
                TENANTS[rnd.nextInt(TENANTS.length)],
                KEYS[rnd.nextInt(KEYS.length)],
                MODELS[rnd.nextInt(MODELS.length)],
                rnd.nextInt(5_000),
                rnd.nextInt(900));
        events.add(e);
        stored.record(e);
        memory.record(e);
        if (rnd.nextInt(15) == 0) stored.flush(); // minutes written in parts
      }
      stored.flush();
      Instant from = start.minus(Duration.ofHours(1));
      Instant to = clock.instant().plus(Duration.ofHours(1));
      compare(stored, memory, events, from, to, true);
      clock.set(T);
      assertThat(store.compact()).isPositive();
      compare(stored, memory, events, from, to, false);
    }
  }

  private static void compare(
      UsageStats stored,
      UsageStats memory,
      List<UsageEvent> events,
      Instant from,
      Instant to,
      boolean withMinutes) {
    for (ZoneId zone :
        List.of(ZoneId.of("Asia/Kathmandu"), ZoneId.of("Asia/Kolkata"), ZoneId.of("UTC"))) {
      for (Granularity g : Granularity.values()) {
        if (g == Granularity.AUTO || (g == Granularity.MINUTE && !withMinutes)) continue;
        for (GroupBy groupBy : GroupBy.values()) {
          for (int filter = 0; filter < 3; filter++) {
            UsageQuery.Builder b =
                UsageQuery.builder().zone(zone).from(from).to(to).granularity(g).groupBy(groupBy);
            if (filter == 1) b.tenant("acme");
            if (filter == 2) b.model("m3");
            UsageQuery q = b.build();
            UsageReport want = memory.query(q);
            UsageReport got = stored.query(q);
            String what = zone + " " + g + " " + groupBy + " filter " + filter;
            assertThat(got.series()).as(what).isEqualTo(want.series());
            assertThat(got.peaks()).as(what).isEqualTo(want.peaks());
            if (got.peaks().accuracy() == PeakAccuracy.EXACT) {
              long[] exact = exactPeak(events, q);
              assertThat(got.peaks().callsPerMinute()).as(what).isEqualTo(exact[0]);
              assertThat(got.peaks().tokensPerMinute()).as(what).isEqualTo(exact[1]);
            }
          }
        }
      }
    }
  }

  /** The most calls and tokens of the selected events in one UTC minute. */
  private static long[] exactPeak(List<UsageEvent> events, UsageQuery q) {
    Map<Long, long[]> sums = new TreeMap<>();
    for (UsageEvent e : events) {
      if (q.tenant() != null && !q.tenant().equals(e.tenant())) continue;
      if (!q.models().isEmpty() && !q.models().contains(e.model())) continue;
      long[] s = sums.computeIfAbsent(e.timestamp().getEpochSecond() / 60, k -> new long[2]);
      s[0]++;
      s[1] += e.inputTokens() + e.outputTokens();
    }
    long[] max = new long[2];
    for (long[] s : sums.values()) {
      max[0] = Math.max(max[0], s[0]);
      max[1] = Math.max(max[1], s[1]);
    }
    return max;
  }

  /**
   * A database at schema version 2 with minute and 15-minute rows is upgraded to version 3: a
   * report over the old rows says their peaks are unknown (never 0), per group and overall; rows
   * written after the upgrade have exact peaks.
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void upgradeFromV2_oldRowsPeaksUnknown_newRowsExact(Db db) throws Exception {
    DataSource ds = db.dataSource();
    String prefix = prefix(ds);
    Dialect d = Dialect.valueOf(db.name());
    String dialect = db.name().toLowerCase(Locale.ROOT);
    runScript(ds, resource("released/v1/schema-" + dialect + ".sql"), prefix);
    runScript(ds, resource(d.migrations().get(1)), prefix);
    SeriesKey a = new SeriesKey("acme", "key-a", "m3");
    Instant old = Instant.parse("2026-03-01T10:00:00Z");
    insertV2(ds, prefix, a, old, 1, 5, 500, 50); // a minute row
    insertV2(ds, prefix, a, old.plus(Duration.ofHours(2)), 15, 9, 900, 90); // compacted
    TestClock clock = TestClock.of(old.plus(Duration.ofDays(1)));
    JdbcUsageStore store =
        JdbcUsageStore.builder(ds).tablePrefix(prefix).createSchema(true).clock(clock).build();
    try (UsageStats stats =
        UsageStats.builder().clock(clock).store(store).flushInterval(Duration.ZERO).build()) {
      UsageQuery byModel =
          stats
              .newQuery()
              .from(old.minus(Duration.ofHours(1)))
              .to(old.plus(Duration.ofHours(5)))
              .granularity(Granularity.HOUR)
              .build();
      UsageReport r = stats.query(byModel);
      assertThat(r.totals().calls()).isEqualTo(14);
      assertThat(r.peaks()).isEqualTo(Peaks.unknown());
      assertThat(r.series())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.peaks()).isEqualTo(Peaks.unknown());
                for (TrendPoint p : s.points()) {
                  if (p.calls() > 0) assertThat(p.peakTokensPerMinute()).isEqualTo(-1);
                  else assertThat(p.peakTokensPerMinute()).isZero();
                }
              });
      // Per series (a tenant filter): a minute row's peak is its own sums; a compacted row's is
      // not known.
      UsageQuery oneTenant =
          stats
              .newQuery()
              .tenant("acme")
              .from(old)
              .to(old.plus(Duration.ofHours(1)))
              .granularity(Granularity.HOUR)
              .build();
      assertThat(stats.query(oneTenant).peaks()).isEqualTo(new Peaks(5, 550, PeakAccuracy.EXACT));
      UsageQuery compacted =
          stats
              .newQuery()
              .tenant("acme")
              .from(old.plus(Duration.ofHours(2)))
              .to(old.plus(Duration.ofHours(3)))
              .granularity(Granularity.HOUR)
              .build();
      assertThat(stats.query(compacted).peaks()).isEqualTo(Peaks.unknown());

      for (int i = 0; i < 3; i++)
        stats.record(UsageEvent.of(clock.instant(), "acme", "k1", "m3", 10, 1));
      stats.record(UsageEvent.of(clock.instant(), "acme", "k2", "m3", 100, 1));
      stats.flush();
      UsageReport fresh =
          stats.query(
              stats
                  .newQuery()
                  .from(clock.instant().minus(Duration.ofHours(1)))
                  .to(clock.instant().plus(Duration.ofHours(1)))
                  .granularity(Granularity.HOUR)
                  .build());
      assertThat(fresh.peaks()).isEqualTo(new Peaks(4, 134, PeakAccuracy.EXACT));
    }
  }

  private static void insertV2(
      DataSource ds,
      String prefix,
      SeriesKey k,
      Instant at,
      int grain,
      long calls,
      long in,
      long out)
      throws SQLException {
    String sql =
        "INSERT INTO "
            + prefix
            + "rollup (bucket_start, series_hash, grain, tenant, api_key, model, calls, errors,"
            + " input_tokens, output_tokens, cached_input_tokens, reasoning_tokens,"
            + " cache_creation_input_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 0, 0, 0)";
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, at.getEpochSecond());
      ps.setBytes(2, Keys.seriesHash(k));
      ps.setShort(3, (short) grain);
      ps.setString(4, k.tenant());
      ps.setString(5, k.apiKey());
      ps.setString(6, k.model());
      ps.setLong(7, calls);
      ps.setLong(8, in);
      ps.setLong(9, out);
      ps.executeUpdate();
    }
  }

  private static String resource(String path) throws Exception {
    try (InputStream in = PeaksTest.class.getClassLoader().getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** Runs a script as a migration tool would: comment lines dropped, split at ';'. */
  private static void runScript(DataSource ds, String script, String prefix) throws SQLException {
    StringBuilder clean = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.trim().startsWith("--")) clean.append(line).append('\n');
    }
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      for (String sql : clean.toString().replace("${prefix}", prefix).split(";")) {
        if (!sql.isBlank()) st.execute(sql);
      }
    }
  }
}
