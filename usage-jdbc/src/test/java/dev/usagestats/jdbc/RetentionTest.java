package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageStats;
import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
      // 15-minute rows left, and the whole day row of the UTC day the cut falls in, which ends
      // after it (every 3 hours 3 calls, from midnight to the cut); the store says where it is
      // whole from
      long dayStart = Math.floorDiv(newKeptFrom, 86_400) * 86_400;
      long morning = 3 * ((newKeptFrom - dayStart + 3 * 3600 - 1) / (3 * 3600));
      assertThat(newKeptFrom - dayStart).isEqualTo(12 * 3600);
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
      assertThat(r.totals().calls()).isEqualTo(left + morning);
      assertThat(store.keptFrom()).isEqualTo(Instant.ofEpochSecond(newKeptFrom));
    }
  }

  @Test
  void build_retentionNotLongerThanCompactAfter_refused() {
    assertThatThrownBy(
            () ->
                JdbcUsageStore.builder(Db.H2.dataSource())
                    .tablePrefix(Db.uniquePrefix())
                    .compactAfter(Duration.ofDays(2))
                    .retention(Duration.ofDays(2))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "retention must be longer than compactAfter (PT48H), so minute rows are folded before"
                + " rows go: PT48H");
  }
}
