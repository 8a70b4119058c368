package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageStoreException;
import dev.usagestats.jdbc.Fixtures.HookedStore;
import dev.usagestats.jdbc.Fixtures.Reference;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Faults between the store and the database. PostgreSQL and MariaDB are reached through a loopback
 * {@link TcpProxy} the test controls; embedded H2 has no wire, so its connections are wrapped to
 * fail the same way (refused while down; COMMIT executed, then the call fails as if the reply was
 * lost).
 */
class FaultInjectionTest {
  private static final SeriesKey K = new SeriesKey("acme", "key-1", "model-1");

  private AutoCloseable faults;
  private String prefix;

  @AfterEach
  void tearDown() throws Exception {
    if (faults != null) faults.close();
  }

  /** What a test can break. */
  private interface Faults extends AutoCloseable {
    DataSource dataSource();

    void down(boolean down);

    void cutAfterNextCommit();

    int cuts();
  }

  private Faults faults(Db db) throws Exception {
    DataSource direct = db.dataSource();
    prefix = Db.uniquePrefix();
    Faults f = db == Db.H2 ? new WrappedFaults(direct) : new ProxyFaults(db);
    String p = prefix;
    faults =
        () -> {
          f.close();
          Db.drop(direct, p);
        };
    return f;
  }

  private static final class ProxyFaults implements Faults {
    final TcpProxy proxy;
    final HikariDataSource ds;

    ProxyFaults(Db db) throws Exception {
      proxy = new TcpProxy(Db.HOST, db.port);
      String url = db.url(Db.HOST, proxy.port());
      // Unnamed statements, so every COMMIT travels as text the proxy can see.
      if (db == Db.POSTGRESQL) url += "&prepareThreshold=0";
      ds = Db.pool(url, 4, 500);
    }

    @Override
    public DataSource dataSource() {
      return ds;
    }

    @Override
    public void down(boolean down) {
      proxy.down(down);
    }

    @Override
    public void cutAfterNextCommit() {
      proxy.cutAfterNextCommit();
    }

    @Override
    public int cuts() {
      return proxy.commitsCut.get();
    }

    @Override
    public void close() throws Exception {
      ds.close();
      proxy.close();
    }
  }

  private static final class WrappedFaults implements Faults {
    final DataSource ds;
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicBoolean cut = new AtomicBoolean();
    final AtomicInteger cuts = new AtomicInteger();

    WrappedFaults(DataSource direct) {
      ds =
          (DataSource)
              Proxy.newProxyInstance(
                  getClass().getClassLoader(),
                  new Class<?>[] {DataSource.class},
                  (p, m, args) -> {
                    if (m.getName().equals("getConnection")) {
                      if (down.get()) throw new SQLException("connection refused", "08001");
                      return wrap((Connection) m.invoke(direct, args));
                    }
                    return invoke(direct, m, args);
                  });
    }

    private Connection wrap(Connection c) {
      return (Connection)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {Connection.class},
              (p, m, args) -> {
                if (m.getName().equals("commit") && cut.compareAndSet(true, false)) {
                  c.commit();
                  cuts.incrementAndGet();
                  throw new SQLException("connection reset after COMMIT was sent", "08006");
                }
                return invoke(c, m, args);
              });
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args)
        throws Throwable {
      try {
        return m.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }

    @Override
    public DataSource dataSource() {
      return ds;
    }

    @Override
    public void down(boolean d) {
      down.set(d);
    }

    @Override
    public void cutAfterNextCommit() {
      cut.set(true);
    }

    @Override
    public int cuts() {
      return cuts.get();
    }

    @Override
    public void close() {}
  }

  private static UsageQuery around(UsageStats stats, Instant at) {
    return stats
        .newQuery()
        .from(at.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2)))
        .to(at.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(2)))
        .granularity(Granularity.HOUR)
        .groupBy(GroupBy.NONE)
        .build();
  }

  private void record(UsageStats stats, Reference ref, Instant at, int n) {
    for (int i = 0; i < n; i++) {
      Instant t = at.minusSeconds(60L * (i % 7));
      stats.record(UsageEvent.of(t, K.tenant(), K.apiKey(), K.model(), 11, 3));
      ref.add(K, t, 1, 0, 11, 3);
    }
  }

  private void assertStoreMatches(Db db, Reference ref, Instant at, HookedStore hooked)
      throws Exception {
    DataSource direct = db.dataSource();
    try (JdbcUsageStore check = JdbcUsageStore.builder(direct).tablePrefix(prefix).build()) {
      List<Instant> minutes =
          Fixtures.steps(at.minus(Duration.ofHours(1)), at.plus(Duration.ofMinutes(5)), 1);
      assertThat(Fixtures.read(check, minutes)).isEqualTo(ref.sums(minutes));
      for (String id : new HashSet<>(hooked.attempts)) {
        assertThat(
                Fixtures.count(
                    direct,
                    "SELECT COUNT(*) FROM " + check.ledgerTable() + " WHERE batch_id = ?",
                    id))
            .as("ledger rows of batch %s", id)
            .isEqualTo(1);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void databaseUnreachableForAWhile_nothingLostNoDuplicate(Db db) throws Exception {
    Faults f = faults(db);
    Instant at = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    Reference ref = new Reference();
    HookedStore hooked =
        new HookedStore(
            JdbcUsageStore.builder(f.dataSource()).tablePrefix(prefix).createSchema(true).build());
    try (UsageStats stats =
        UsageStats.builder()
            .store(hooked)
            .flushInterval(Duration.ofMillis(20))
            .closeTimeout(Duration.ofSeconds(30))
            .build()) {
      record(stats, ref, at, 1000);
      stats.flush();
      assertThat(stats.stats().pendingRows()).isZero();

      f.down(true);
      for (int round = 0; round < 4; round++) {
        record(stats, ref, at, 700);
        stats.flush();
        Thread.sleep(100);
      }
      assertThat(stats.stats().failedFlushes()).isPositive();
      assertThat(stats.stats().pendingRows()).isPositive();
      // a query needs the store: it fails loudly rather than answer short
      assertThatThrownBy(() -> stats.query(around(stats, at)))
          .isInstanceOf(UsageStoreException.class);

      f.down(false);
      record(stats, ref, at, 500);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (stats.stats().pendingRows() > 0 && System.nanoTime() < deadline) {
        stats.flush();
        Thread.sleep(50);
      }
      assertThat(stats.stats().pendingRows()).isZero();
      assertThat(stats.query(around(stats, at)).totals().calls()).isEqualTo(ref.calls());
    }
    assertStoreMatches(db, ref, at, hooked);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void connectionCutAfterCommitSent_batchAppliedOnce(Db db) throws Exception {
    Faults f = faults(db);
    Instant at = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    Reference ref = new Reference();
    HookedStore hooked =
        new HookedStore(
            JdbcUsageStore.builder(f.dataSource()).tablePrefix(prefix).createSchema(true).build());
    try (UsageStats stats =
        UsageStats.builder().store(hooked).flushInterval(Duration.ZERO).build()) {
      record(stats, ref, at, 500);
      f.cutAfterNextCommit();
      stats.flush();
      assertThat(f.cuts()).isEqualTo(1);
      assertThat(stats.stats().failedFlushes()).isEqualTo(1);
      assertThat(stats.stats().pendingRows()).isPositive();
      Thread.sleep(400);
      // the commit happened: the ledger says so, and the query does not add the batch again
      assertThat(stats.query(around(stats, at)).totals().calls()).isEqualTo(500);

      stats.flush();
      assertThat(stats.stats().pendingRows()).isZero();
      assertThat(hooked.attempts).hasSize(2);
      assertThat(hooked.attempts.get(0)).isEqualTo(hooked.attempts.get(1));
      assertThat(stats.query(around(stats, at)).totals().calls()).isEqualTo(500);
    }
    assertStoreMatches(db, ref, at, hooked);
  }
}
