package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.zaxxer.hikari.HikariDataSource;
import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageStoreException;
import dev.usagestats.jdbc.Fixtures.Reference;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The store's parts of the engine's reliability promises, on every database: a row the database
 * refuses for good is set aside while the rest lands; a hung network fails calls within their
 * timeouts and keeps {@code close()} near {@code closeTimeout}; filters larger than any parameter
 * limit work; reads are capped.
 */
class StoreReliabilityTest {
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) cleanup.get(i).close();
  }

  private String prefix(DataSource ds) {
    String p = Db.uniquePrefix();
    cleanup.add(() -> Db.drop(ds, p));
    return p;
  }

  private static void execute(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static Instant minute() {
    return Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(30));
  }

  private static UsageQuery around(UsageStats stats, Instant at, GroupBy groupBy) {
    return stats
        .newQuery()
        .from(at.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2)))
        .to(at.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(2)))
        .granularity(Granularity.HOUR)
        .groupBy(groupBy)
        .build();
  }

  /**
   * A CHECK constraint, added below the engine's own checks, refuses one row of a batch of 1,001:
   * the store says so for good, the engine finds and sets aside that row, the 1,000 others land
   * exactly, the refused one is counted, and later batches flow; nothing counts twice.
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void append_oneRowRefusedByTheDatabase_setAsideAndTheRestLands(Db db) throws Exception {
    DataSource ds = db.dataSource();
    String prefix = prefix(ds);
    JdbcUsageStore store =
        JdbcUsageStore.builder(ds).tablePrefix(prefix).createSchema(true).build();
    execute(
        ds,
        "ALTER TABLE "
            + prefix
            + "rollup ADD CONSTRAINT "
            + prefix
            + "no_poison CHECK (model <> 'poison')");
    Instant at = minute();
    Reference ref = new Reference();
    try (UsageStats stats =
        UsageStats.builder().store(store).flushInterval(Duration.ZERO).build()) {
      for (int i = 0; i < 1000; i++) {
        SeriesKey k = new SeriesKey("acme", "key-" + i, "m-" + (i % 5));
        stats.record(UsageEvent.of(at, k.tenant(), k.apiKey(), k.model(), 10 + i, 3));
        ref.add(k, at, 1, 0, 10 + i, 3);
      }
      for (int i = 0; i < 3; i++) stats.record(UsageEvent.of(at, "acme", "key-7", "poison", 5, 5));
      stats.flush();

      assertThat(stats.stats().pendingRows()).isZero();
      assertThat(stats.stats().refusedRows()).isEqualTo(1);
      assertThat(stats.stats().refusedCalls()).isEqualTo(3);

      // later batches flow
      Instant later = at.plus(Duration.ofMinutes(1));
      for (int i = 0; i < 500; i++) {
        SeriesKey k = new SeriesKey("acme", "key-" + i, "m-" + (i % 5));
        stats.record(UsageEvent.of(later, k.tenant(), k.apiKey(), k.model(), 1, 1));
        ref.add(k, later, 1, 0, 1, 1);
      }
      stats.flush();
      assertThat(stats.stats().pendingRows()).isZero();
      assertThat(stats.stats().refusedRows()).isEqualTo(1);
      assertThat(stats.query(around(stats, at, GroupBy.NONE)).totals().calls())
          .isEqualTo(ref.calls());
    }
    try (JdbcUsageStore check = JdbcUsageStore.builder(ds).tablePrefix(prefix).build()) {
      List<Instant> minutes =
          Fixtures.steps(at.minus(Duration.ofMinutes(5)), at.plus(Duration.ofMinutes(5)), 1);
      assertThat(Fixtures.read(check, minutes)).isEqualTo(ref.sums(minutes));
    }
  }

  /**
   * The network stops carrying bytes after the connections were used: a query fails with {@link
   * UsageStoreException} within its statement timeout (plus a margin), and {@code close()} returns
   * within {@code closeTimeout} plus the engine's margin, counting what it could not write. (H2 is
   * embedded here; its TCP driver has no network timeout.)
   */
  @ParameterizedTest
  @EnumSource(
      value = Db.class,
      names = {"POSTGRESQL", "MARIADB"})
  void networkHangsAfterUse_queryFailsAndCloseReturnsInTime(Db db) throws Exception {
    DataSource direct = db.dataSource();
    String prefix = prefix(direct);
    TcpProxy proxy = new TcpProxy(Db.HOST, db.port);
    HikariDataSource pool = Db.pool(db.url(Db.HOST, proxy.port()), 2, 1000);
    pool.setValidationTimeout(500);
    cleanup.add(pool);
    cleanup.add(proxy);
    Duration statementTimeout = Duration.ofSeconds(1);
    Duration closeTimeout = Duration.ofSeconds(2);
    JdbcUsageStore store =
        JdbcUsageStore.builder(pool)
            .tablePrefix(prefix)
            .createSchema(true)
            .statementTimeout(statementTimeout)
            .build();
    Instant at = minute();
    UsageStats stats =
        UsageStats.builder()
            .store(store)
            .flushInterval(Duration.ZERO)
            .closeTimeout(closeTimeout)
            .build();
    for (int i = 0; i < 100; i++) stats.record(UsageEvent.of(at, "acme", "key-1", "m", 2, 1));
    stats.flush();
    assertThat(stats.stats().pendingRows()).isZero();
    assertThat(stats.query(around(stats, at, GroupBy.NONE)).totals().calls()).isEqualTo(100);

    proxy.hang();
    for (int i = 0; i < 40; i++) stats.record(UsageEvent.of(at, "acme", "key-2", "m", 2, 1));

    long t0 = System.nanoTime();
    assertThatThrownBy(
            () ->
                assertTimeoutPreemptively(
                    Duration.ofSeconds(30), () -> stats.query(around(stats, at, GroupBy.NONE))))
        .isInstanceOf(UsageStoreException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isLessThan(statementTimeout.plusSeconds(5));

    long t1 = System.nanoTime();
    assertTimeoutPreemptively(Duration.ofSeconds(30), stats::close);
    assertThat(Duration.ofNanos(System.nanoTime() - t1)).isLessThan(closeTimeout.plusSeconds(5));
    assertThat(stats.stats().droppedCalls()).isEqualTo(40);
  }

  /**
   * A filter of 70,000 API keys (over PostgreSQL's 65,535 parameters) and one of 6,000 models (more
   * than one IN list on MariaDB and H2) give the in-memory engine's answer.
   */
  @ParameterizedTest
  @EnumSource(Db.class)
  void query_70000ApiKeys_equalsInMemoryEngine(Db db) {
    DataSource ds = db.dataSource();
    String prefix = prefix(ds);
    JdbcUsageStore store =
        JdbcUsageStore.builder(ds).tablePrefix(prefix).createSchema(true).build();
    Instant at = minute();
    try (UsageStats stored =
            UsageStats.builder().store(store).flushInterval(Duration.ZERO).build();
        UsageStats memory = UsageStats.builder().flushInterval(Duration.ZERO).build()) {
      for (int i = 0; i < 300; i++) {
        UsageEvent e =
            UsageEvent.of(at.minusSeconds(60L * (i % 90)), "acme", "key-" + i, "m-" + i % 4, i, 7);
        stored.record(e);
        memory.record(e);
      }
      stored.flush();
      assertThat(stored.stats().pendingRows()).isZero();
      Set<String> keys = new LinkedHashSet<>();
      for (int i = 0; keys.size() < 70_000; i += 2) keys.add("key-" + i);
      Set<String> models = new LinkedHashSet<>(List.of("m-0", "m-1", "m-3"));
      for (int i = 0; models.size() < 6_000; i++) models.add("other-" + i);
      for (UsageStats s : List.of(stored, memory)) s.flush();
      UsageReport fromStore = stored.query(filtered(stored, at, keys, models));
      UsageReport fromMemory = memory.query(filtered(memory, at, keys, models));
      // even keys of models m-0, m-1, m-3: i % 4 == 0
      assertThat(fromStore.totals().calls()).isEqualTo(75);
      assertThat(fromStore.totals()).isEqualTo(fromMemory.totals());
      assertThat(fromStore.series()).isEqualTo(fromMemory.series());
    }
  }

  private static UsageQuery filtered(
      UsageStats stats, Instant at, Set<String> keys, Set<String> models) {
    return stats
        .newQuery()
        .from(at.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3)))
        .to(at.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(2)))
        .granularity(Granularity.HOUR)
        .groupBy(GroupBy.API_KEY)
        .apiKeys(keys)
        .models(models)
        .build();
  }

  /** A read over {@code maxReadRows} is refused naming the cap; one at the cap is answered. */
  @ParameterizedTest
  @EnumSource(Db.class)
  void read_overMaxReadRows_refusedNamingTheCap(Db db) {
    DataSource ds = db.dataSource();
    String prefix = prefix(ds);
    Instant at = minute();
    try (JdbcUsageStore writer =
        JdbcUsageStore.builder(ds).tablePrefix(prefix).createSchema(true).build()) {
      try (UsageStats stats =
          UsageStats.builder().store(writer).flushInterval(Duration.ZERO).build()) {
        for (int i = 0; i < 150; i++)
          stats.record(UsageEvent.of(at, "acme", "key-" + i, "m", 1, 1));
      }
    }
    List<Instant> hours =
        List.of(
            at.truncatedTo(ChronoUnit.HOURS),
            at.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1)));
    try (JdbcUsageStore capped =
        JdbcUsageStore.builder(ds).tablePrefix(prefix).maxReadRows(149).build()) {
      assertThatThrownBy(() -> Fixtures.read(capped, hours))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxReadRows (149)");
    }
    try (JdbcUsageStore atCap =
        JdbcUsageStore.builder(ds).tablePrefix(prefix).maxReadRows(150).build()) {
      assertThat(Fixtures.read(atCap, hours)).hasSize(150);
    }
  }

  @Test
  void builder_badTimeoutsAndCaps_refused() {
    JdbcUsageStore.Builder b = JdbcUsageStore.builder(Db.H2.dataSource());
    assertThatThrownBy(() -> b.statementTimeout(Duration.ofMillis(500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("statementTimeout must be between PT1S and P1D: PT0.5S");
    assertThatThrownBy(() -> b.compactTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("compactTimeout must be between PT1S and P1D: PT0S");
    assertThatThrownBy(() -> b.maxReadRows(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxReadRows must be >= 1: 0");
  }
}
