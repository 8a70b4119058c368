package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases tests run on: embedded H2, and the PostgreSQL and MariaDB servers on this machine.
 * A server that cannot be reached skips its tests, or fails them when {@code CI=true}.
 */
enum Db {
  H2(null, 0),
  POSTGRESQL("jdbc:postgresql://%s:%d/test?user=postgres", 5432),
  MARIADB("jdbc:mariadb://%s:%d/test?user=root", 3306);

  static final String HOST = "127.0.0.1";
  private static final Map<Db, HikariDataSource> POOLS = new ConcurrentHashMap<>();
  private static final String H2_URL =
      "jdbc:h2:mem:usagestats-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000";

  private final String urlPattern;
  final int port;

  Db(String urlPattern, int port) {
    this.urlPattern = urlPattern;
    this.port = port;
  }

  /** A JDBC URL to this database through {@code host:port} (a proxy, for fault tests). */
  String url(String host, int port) {
    if (this == H2) return H2_URL;
    return String.format(urlPattern, host, port);
  }

  /** The shared pool for this database; skips (or fails under CI) if the server is down. */
  DataSource dataSource() {
    requireReachable();
    return POOLS.computeIfAbsent(this, d -> pool(d.url(HOST, d.port), 8, 30_000));
  }

  static HikariDataSource pool(String url, int size, long connectionTimeoutMs) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setMaximumPoolSize(size);
    c.setConnectionTimeout(connectionTimeoutMs);
    c.setPoolName("test-" + UUID.randomUUID().toString().substring(0, 8));
    return new HikariDataSource(c);
  }

  void requireReachable() {
    if (this == H2) return;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, port), 1000);
    } catch (Exception e) {
      String why = name() + " is not reachable at " + HOST + ":" + port + ": " + e;
      if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(why);
      Assumptions.abort(why);
    }
  }

  /** A table prefix no other test uses. */
  static String uniquePrefix() {
    return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "_";
  }

  /** Drops a store's tables. */
  static void drop(DataSource ds, String prefix) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + prefix + "rollup");
      st.execute("DROP TABLE IF EXISTS " + prefix + "latency");
      st.execute("DROP TABLE IF EXISTS " + prefix + "ledger");
      st.execute("DROP TABLE IF EXISTS " + prefix + "schema_version");
      st.execute("DROP TABLE IF EXISTS " + prefix + "grid");
      st.execute("DROP TABLE IF EXISTS " + prefix + "model_sums");
    }
  }
}
