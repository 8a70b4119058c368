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
import dev.usagestats.jdbc.Fixtures.Reference;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.KeyDetail;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every measure, cache-creation input tokens included, goes into each database and comes back
 * exact: through append and read (summed in SQL and in Java), through compaction, and end to end
 * through the engine.
 */
class CacheCreationTokensTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  private static final SeriesKey A = new SeriesKey("acme", "key-a", "claude-x");
  private static final SeriesKey B = new SeriesKey("globex", "key-b", "claude-x");

  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() {
    cleanup.forEach(Runnable::run);
  }

  private JdbcUsageStore store(Db db, TestClock clock) {
    DataSource ds = db.dataSource();
    String prefix = Db.uniquePrefix();
    JdbcUsageStore s =
        JdbcUsageStore.builder(ds).tablePrefix(prefix).createSchema(true).clock(clock).build();
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

  /** Distinct values per measure, so a swapped column shows. */
  private static UsageTotals totals(Random rnd) {
    long in = 10_000 + rnd.nextInt(90_000);
    long cached = rnd.nextInt((int) in / 3);
    long creation = rnd.nextInt((int) in / 3);
    long out = 1_000 + rnd.nextInt(9_000);
    long calls = 1 + rnd.nextInt(9);
    return new UsageTotals(
        calls, rnd.nextInt((int) calls + 1), in, out, cached, creation, rnd.nextInt((int) out));
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void append_everyMeasure_readBackExact(Db db) {
    JdbcUsageStore s = store(db, TestClock.of(T0));
    UsageTotals a = new UsageTotals(7, 2, 9000, 800, 1500, 2500, 300);
    UsageTotals b = new UsageTotals(3, 1, 4000, 600, 0, 3999, 599);
    UsageTotals q = new UsageTotals(5, 0, 5000, 500, 50, 4900, 0);
    s.append(
        new UsageBatch(
            UUID.randomUUID().toString(),
            "n",
            List.of(
                new UsageDelta(A, T0, a),
                new UsageDelta(B, T0.plusSeconds(60), b),
                new UsageDelta(A, T0.plusSeconds(900), q, Grain.QUARTER_HOUR))));
    Reference ref = new Reference();
    ref.add(A, T0, a);
    ref.add(B, T0.plusSeconds(60), b);
    ref.add(A, T0.plusSeconds(900), q);
    // quarter-aligned bounds: summed in SQL where the dialect can; minute bounds: summed in Java
    List<Instant> quarters = Fixtures.steps(T0, T0.plusSeconds(3600), 15);
    assertThat(Fixtures.read(s, quarters)).isEqualTo(ref.sums(quarters));
    List<Instant> minutes = Fixtures.steps(T0, T0.plusSeconds(900), 1);
    assertThat(Fixtures.read(s, minutes)).isEqualTo(ref.sums(minutes));

    StoreResult byModel =
        s.read(
            new StoreRead(
                List.of(T0, T0.plusSeconds(3600)),
                ZoneOffset.UTC,
                Granularity.HOUR,
                null,
                Set.of(),
                Set.of(),
                Set.of(),
                KeyDetail.MODEL));
    assertThat(
            byModel.rows().stream()
                .filter(r -> !Keys.isModelSum(r.key()))
                .map(StoreResult.Row::totals)
                .reduce(UsageTotals.empty(), UsageTotals::plus))
        .isEqualTo(a.plus(b).plus(q));
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void compact_everyMeasure_keptExact(Db db) throws Exception {
    TestClock clock = TestClock.of(T0.plus(Duration.ofDays(10)));
    JdbcUsageStore s = store(db, clock);
    Random rnd = new Random(11);
    Reference ref = new Reference();
    SeriesKey[] keys = {A, B, new SeriesKey("initech", "k", "m")};
    for (int batch = 0; batch < 10; batch++) {
      Map<Fixtures.Cell, UsageTotals> rows = new java.util.HashMap<>();
      for (int i = 0; i < 200; i++) {
        SeriesKey k = keys[rnd.nextInt(keys.length)];
        Instant m = T0.plusSeconds(60L * rnd.nextInt(2 * 24 * 60));
        UsageTotals t = totals(rnd);
        rows.merge(new Fixtures.Cell(k, m.toEpochMilli()), t, UsageTotals::plus);
        ref.add(k, m, t);
      }
      List<UsageDelta> deltas = new ArrayList<>();
      rows.forEach(
          (c, t) -> deltas.add(new UsageDelta(c.key(), Instant.ofEpochMilli(c.bucketMillis()), t)));
      s.append(new UsageBatch(UUID.randomUUID().toString(), "n", deltas));
    }
    List<Instant> ktmDays =
        Fixtures.days(ZoneId.of("Asia/Kathmandu"), LocalDate.of(2026, 2, 28), 4);
    List<Instant> quarters = Fixtures.steps(T0, T0.plus(Duration.ofDays(2)), 15);
    assertThat(Fixtures.read(s, ktmDays)).isEqualTo(ref.sums(ktmDays));

    // every series' minute rows, and their model sums' (per model and of all usage)
    long minuteRows =
        Fixtures.count(
            db.dataSource(), "SELECT COUNT(*) FROM " + s.rollupTable() + " WHERE grain = 1");
    assertThat(minuteRows).isGreaterThan(ref.cells.size());
    assertThat(s.compact()).isEqualTo(minuteRows);
    assertThat(
            Fixtures.count(
                db.dataSource(), "SELECT COUNT(*) FROM " + s.rollupTable() + " WHERE grain = 1"))
        .isZero();
    assertThat(Fixtures.read(s, ktmDays)).isEqualTo(ref.sums(ktmDays));
    assertThat(Fixtures.read(s, quarters)).isEqualTo(ref.sums(quarters));
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void engine_cacheCreationTokens_recordedFlushedAndQueried(Db db) {
    TestClock clock = TestClock.of(T0.plusSeconds(3600));
    JdbcUsageStore s = store(db, clock);
    long creation = 0;
    long cached = 0;
    long input = 0;
    try (UsageStats stats =
        UsageStats.builder().store(s).flushInterval(Duration.ZERO).clock(clock).build()) {
      for (int i = 0; i < 50; i++) {
        UsageEvent e =
            UsageEvent.builder()
                .timestamp(T0.plusSeconds(37L * i))
                .tenant("acme")
                .apiKey(i % 2 == 0 ? "key-a" : "key-b")
                .model("claude-x")
                .inputTokens(4000 + i)
                .outputTokens(100)
                .cachedInputTokens(1000)
                .cacheCreationInputTokens(2000 + i)
                .outcome(i % 10 == 0 ? Outcome.ERROR : Outcome.SUCCESS)
                .build();
        stats.record(e);
        creation += 2000 + i;
        cached += 1000;
        input += 4000 + i;
      }
      stats.flush();
      assertThat(stats.stats().pendingRows()).isZero();
    }
    // a fresh engine sees only what the store holds
    try (UsageStats fresh =
        UsageStats.builder()
            .store(
                JdbcUsageStore.builder(db.dataSource())
                    .tablePrefix(s.rollupTable().replace("rollup", ""))
                    .build())
            .flushInterval(Duration.ZERO)
            .clock(clock)
            .build()) {
      UsageQuery q =
          fresh
              .newQuery()
              .from(T0)
              .to(T0.plusSeconds(3600))
              .granularity(Granularity.HOUR)
              .groupBy(GroupBy.API_KEY)
              .build();
      UsageTotals t = fresh.query(q).totals();
      assertThat(t.calls()).isEqualTo(50);
      assertThat(t.errors()).isEqualTo(5);
      assertThat(t.inputTokens()).isEqualTo(input);
      assertThat(t.cachedInputTokens()).isEqualTo(cached);
      assertThat(t.cacheCreationInputTokens()).isEqualTo(creation);
    }
  }
}
