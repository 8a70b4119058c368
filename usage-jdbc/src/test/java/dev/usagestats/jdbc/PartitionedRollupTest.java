package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.spi.Grain;
import dev.usagestats.testing.TestClock;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's opt-in for PostgreSQL: a rollup table the host creates partitioned by month of
 * {@code bucket_start} before the first start works with the store unchanged (schema upgrade,
 * appends, compaction, reads, retention), and dropping a month's partition is retention: a report
 * says the part is gone and counts exactly the rest.
 */
class PartitionedRollupTest {
  private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");
  private static final Instant MAY = Instant.parse("2026-05-01T00:00:00Z");
  private static final Instant JUNE = Instant.parse("2026-06-01T00:00:00Z");
  private static final Instant JULY = Instant.parse("2026-07-01T00:00:00Z");
  private static final Instant NOW = Instant.parse("2026-06-10T12:00:00Z");

  private final DataSource ds = Db.POSTGRESQL.dataSource();
  private final String prefix = Db.uniquePrefix();

  @AfterEach
  void drop() throws Exception {
    Db.drop(ds, prefix); // dropping the parent drops its partitions
  }

  @Test
  void partitionedByMonth_storeWorksUnchanged_andADroppedMonthIsPastRetention() throws Exception {
    String rollup = prefix + "rollup";
    // The README's DDL, with this test's prefix.
    sql(
        "CREATE TABLE "
            + rollup
            + " (bucket_start BIGINT NOT NULL, series_hash BYTEA NOT NULL, grain SMALLINT NOT NULL,"
            + " tenant VARCHAR(256) NOT NULL, api_key VARCHAR(256) NOT NULL,"
            + " model VARCHAR(256) NOT NULL, calls BIGINT NOT NULL, errors BIGINT NOT NULL,"
            + " input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL,"
            + " cached_input_tokens BIGINT NOT NULL, reasoning_tokens BIGINT NOT NULL,"
            + " PRIMARY KEY (bucket_start, series_hash, grain)) PARTITION BY RANGE (bucket_start)",
        month(rollup, "2026_04", APRIL, MAY),
        month(rollup, "2026_05", MAY, JUNE),
        month(rollup, "2026_06", JUNE, JULY),
        "CREATE TABLE " + rollup + "_default PARTITION OF " + rollup + " DEFAULT");

    TestClock clock = TestClock.of(APRIL);
    List<Instant> events = new ArrayList<>();
    JdbcUsageStore store =
        JdbcUsageStore.builder(ds)
            .tablePrefix(prefix)
            .createSchema(true) // version 1 found (a rollup table): V1 to V3 complete it
            .clock(clock)
            .compactAfter(Duration.ofDays(2))
            .build();
    try (UsageStats stats =
        UsageStats.builder().clock(clock).store(store).flushInterval(Duration.ZERO).build()) {
      while (clock.instant().isBefore(NOW)) {
        stats.record(UsageEvent.of(clock.instant(), "t", "k1", "m", 10, 2));
        events.add(clock.instant());
        clock.advance(Duration.ofMinutes(97));
        if (events.size() % 15 == 0) stats.flush();
      }
      stats.flush();
      clock.set(NOW);
      assertThat(store.compact()).isPositive();
      assertThat(count("SELECT COUNT(*) FROM " + rollup + "_2026_04 WHERE grain = 15"))
          .isPositive();
      assertThat(count("SELECT COUNT(*) FROM " + rollup + "_default")).isZero();
      UsageReport all = stats.query(query(APRIL));
      assertThat(all.totals().calls()).isEqualTo(events.size());
      assertThat(all.incompleteBefore()).isNull();
    }

    // Retention as a partition drop, with the store's retention set to match.
    sql(
        "ALTER TABLE " + rollup + " DETACH PARTITION " + rollup + "_2026_04",
        "DROP TABLE " + rollup + "_2026_04");
    JdbcUsageStore kept =
        JdbcUsageStore.builder(ds)
            .tablePrefix(prefix)
            .clock(TestClock.of(NOW))
            .compactAfter(Duration.ofDays(2))
            .retention(Grain.QUARTER_HOUR, Duration.between(MAY, NOW))
            .build();
    try (UsageStats stats =
        UsageStats.builder()
            .clock(TestClock.of(NOW))
            .store(kept)
            .flushInterval(Duration.ZERO)
            .build()) {
      assertThat(kept.keptFrom()).isEqualTo(MAY);
      assertThat(kept.prune()).isZero(); // the month went with its partition
      UsageReport r = stats.query(query(APRIL));
      assertThat(r.incompleteBefore()).isEqualTo(MAY);
      assertThat(r.totals().calls())
          .isEqualTo(events.stream().filter(t -> !t.isBefore(MAY)).count());
    }
  }

  private static UsageQuery query(Instant from) {
    return UsageQuery.builder()
        .from(from)
        .to(NOW)
        .granularity(Granularity.DAY)
        .groupBy(GroupBy.NONE)
        .build();
  }

  private static String month(String rollup, String suffix, Instant from, Instant to) {
    return "CREATE TABLE "
        + rollup
        + "_"
        + suffix
        + " PARTITION OF "
        + rollup
        + " FOR VALUES FROM ("
        + from.getEpochSecond()
        + ") TO ("
        + to.getEpochSecond()
        + ")";
  }

  private void sql(String... statements) throws Exception {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      for (String s : statements) st.execute(s);
    }
  }

  private long count(String sql) throws Exception {
    return Fixtures.count(ds, sql);
  }
}
