package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.ApiKeyPolicy;
import dev.usagestats.EngineStats;
import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageListener;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageStats;
import dev.usagestats.micrometer.MicrometerUsageListener;
import dev.usagestats.micrometer.UsageStatsMetrics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A canary: a secret passed as the API key id, under each {@link ApiKeyPolicy}, through an engine
 * with a JDBC store and Micrometer meters, while everything that logs or throws is made to happen
 * (a failing listener, a row the database refuses, the store down, pending rows full, a query that
 * cannot reach the store). Then the store's tables (every column of every row), the log output,
 * every meter (name and tags) and every exception message (causes and next exceptions included) are
 * searched for the secret and for its middle, the part no redacted form shows.
 *
 * <p>REFUSE and FINGERPRINT: the secret appears nowhere. ALLOW: only in the rollup table's {@code
 * api_key} column and the meters' {@code api_key} tag (turned on here), never in logs or messages.
 */
class SecretsCanaryTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) cleanup.get(i).close();
  }

  static Stream<Arguments> policies() {
    List<Arguments> out = new ArrayList<>();
    for (Db db : Db.values()) {
      for (ApiKeyPolicy p : ApiKeyPolicy.values()) out.add(Arguments.of(db, p));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("policies")
  void secretAsApiKey_neverInLogsOrMessages_storedOnlyIfAllowed(Db db, ApiKeyPolicy policy)
      throws Exception {
    String secret = secret();
    // What the redacted form (sk-...abcd) never shows: a message holding it leaked the secret.
    String middle = secret.substring(8, secret.length() - 4);

    DataSource direct = db.dataSource();
    String prefix = Db.uniquePrefix();
    cleanup.add(() -> Db.drop(direct, prefix));
    AtomicBoolean down = new AtomicBoolean();
    DataSource ds = failing(direct, down);
    JdbcUsageStore store =
        JdbcUsageStore.builder(ds).tablePrefix(prefix).createSchema(true).build();
    try (Connection c = direct.getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "ALTER TABLE "
              + prefix
              + "rollup ADD CONSTRAINT "
              + prefix
              + "no_poison CHECK (model <> 'poison')");
    }

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MicrometerUsageListener meters =
        MicrometerUsageListener.builder(registry).apiKeyTag(true).build();
    UsageListener failingListener =
        key -> {
          UsageListener.SeriesListener inner = meters.forSeries(key);
          return (in, out, cached, created, reasoning, outcome) -> {
            inner.onRecord(in, out, cached, created, reasoning, outcome);
            throw new IllegalStateException("listener fails on purpose");
          };
        };

    List<Throwable> thrown = new ArrayList<>();
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    PrintStream err = System.err;
    System.setErr(new PrintStream(new Tee(err, logs), true, StandardCharsets.UTF_8));
    Instant at = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(20));
    EngineStats health;
    try {
      UsageStats stats =
          UsageStats.builder()
              .store(store)
              .listener(failingListener)
              .apiKeyPolicy(policy)
              .maxPendingRows(4)
              .flushInterval(Duration.ZERO)
              .closeTimeout(Duration.ofSeconds(2))
              .build();
      new UsageStatsMetrics(stats).bindTo(registry);

      // a good row, and one the database refuses for good (logged with the driver's exception)
      // (every event also under a plain id, so each path runs under REFUSE too; one refused row per
      // batch, so the database's message names the secret's row)
      for (String key : List.of(secret, "key-plain")) {
        attempt(thrown, () -> stats.record(UsageEvent.of(at, "acme", key, "m", 10, 5)));
        attempt(thrown, () -> stats.record(UsageEvent.of(at, "acme", key, "poison", 1, 1)));
        attempt(thrown, stats::flush);
      }

      // the store goes down: failed writes are logged, a query fails, pending rows fill up
      down.set(true);
      for (int i = 0; i < 8; i++) {
        Instant t = at.plus(Duration.ofMinutes(i));
        String model = "m-" + i;
        for (String key : List.of(secret, "key-plain")) {
          attempt(thrown, () -> stats.record(UsageEvent.of(t, "acme", key, model, 2, 1)));
        }
        attempt(thrown, stats::flush);
      }
      attempt(thrown, () -> stats.query(query(stats, at)));
      down.set(false);
      attempt(thrown, stats::flush);
      attempt(thrown, () -> stats.query(query(stats, at)));
      attempt(thrown, stats::close);

      health = stats.stats();
    } finally {
      System.setErr(err);
    }

    String logText = logs.toString(StandardCharsets.UTF_8);
    assertThat(logText).as("captured logs").isNotEmpty();
    for (String needle : List.of(secret, middle)) {
      assertThat(logText).as("logs").doesNotContain(needle);
      for (Throwable t : thrown) {
        for (String m : messages(t)) assertThat(m).as("exception message").doesNotContain(needle);
      }
    }

    List<String> storeHits = new ArrayList<>();
    for (String table : List.of("rollup", "latency", "ledger", "schema_version")) {
      storeHits.addAll(find(direct, prefix + table, middle));
    }
    assertThat(storeHits)
        .as("store cells holding the secret")
        .allSatisfy(
            hit ->
                assertThat(hit)
                    .matches(
                        h ->
                            h.startsWith(prefix + "rollup.api_key=")
                                || h.startsWith(prefix + "latency.api_key="),
                        "an api_key cell"));
    if (policy == ApiKeyPolicy.ALLOW) {
      assertThat(storeHits).contains(prefix + "rollup.api_key=" + secret);
    } else {
      assertThat(storeHits).isEmpty();
    }

    List<String> meterHits = new ArrayList<>();
    for (Meter m : registry.getMeters()) {
      Meter.Id id = m.getId();
      for (String s : new String[] {id.getName(), id.getDescription(), id.getBaseUnit()}) {
        if (s != null && s.contains(middle)) meterHits.add("name " + s);
      }
      for (Tag tag : id.getTags()) {
        if (tag.getKey().contains(middle)) meterHits.add("tag key " + tag.getKey());
        if (tag.getValue().contains(middle)) meterHits.add(tag.getKey() + "=" + tag.getValue());
      }
    }
    if (policy == ApiKeyPolicy.ALLOW) {
      assertThat(meterHits)
          .isNotEmpty()
          .allSatisfy(h -> assertThat(h).isEqualTo("api_key=" + secret));
    } else {
      assertThat(meterHits).as("meters holding the secret").isEmpty();
    }

    // every path that logs ran
    assertThat(health.listenerFailures()).as("listener failures").isPositive();
    assertThat(health.droppedCalls()).as("calls dropped at the pending cap").isPositive();
    if (policy != ApiKeyPolicy.REFUSE) {
      assertThat(health.refusedRows()).as("refused rows").isEqualTo(2);
    } else {
      assertThat(health.refusedRows()).as("refused rows").isEqualTo(1);
      assertThat(health.rejectedEvents()).as("rejected events").isEqualTo(10);
    }
  }

  private static UsageQuery query(UsageStats stats, Instant at) {
    return stats
        .newQuery()
        .from(at.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1)))
        .to(at.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(2)))
        .granularity(Granularity.HOUR)
        .groupBy(GroupBy.API_KEY)
        .build();
  }

  /** {@code sk-live-} and 40 random letters and digits, mixing cases: what a provider issues. */
  private static String secret() {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder sb = new StringBuilder("sk-live-Ab3");
    while (sb.length() < 48) sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    return sb.toString();
  }

  private static void attempt(List<Throwable> thrown, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      thrown.add(e);
    }
  }

  /** Every message and toString in {@code t}'s chain: causes, suppressed, next exceptions. */
  private static List<String> messages(Throwable t) {
    List<String> out = new ArrayList<>();
    IdentityHashMap<Throwable, Boolean> seen = new IdentityHashMap<>();
    List<Throwable> todo = new ArrayList<>(List.of(t));
    while (!todo.isEmpty()) {
      Throwable x = todo.remove(todo.size() - 1);
      if (x == null || seen.put(x, true) != null) continue;
      out.add(String.valueOf(x.getMessage()));
      out.add(x.toString());
      todo.add(x.getCause());
      todo.addAll(List.of(x.getSuppressed()));
      if (x instanceof SQLException s) todo.add(s.getNextException());
    }
    return out;
  }

  /** {@code table.column=value} for every cell of the table whose text holds {@code needle}. */
  private static List<String> find(DataSource ds, String table, String needle) throws SQLException {
    List<String> hits = new ArrayList<>();
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        for (int i = 1; i <= md.getColumnCount(); i++) {
          String v = rs.getString(i);
          if (v != null && v.contains(needle)) {
            hits.add(table + "." + md.getColumnName(i).toLowerCase() + "=" + v);
          }
        }
      }
    }
    return hits;
  }

  /** {@code direct}, except that while {@code down} no connection can be had. */
  private static DataSource failing(DataSource direct, AtomicBoolean down) {
    return (DataSource)
        Proxy.newProxyInstance(
            SecretsCanaryTest.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (p, m, args) -> {
              if (m.getName().equals("getConnection") && down.get()) {
                throw new SQLException("connection refused", "08001");
              }
              try {
                return m.invoke(direct, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int x) throws java.io.IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
