package dev.usagestats.jdbc;

import dev.usagestats.UsageStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work in a transaction on a connection of its own, with timeouts, and reruns it from the
 * start when the dialect says the failure passes at once (deadlocks, serialization failures, H2's
 * merge races). Shared by the store's writer and reader; the compactor has one of its own with a
 * longer timeout.
 *
 * <p>Thread-safe: holds no state but the data source, dialect and timeout; every call borrows its
 * own connection and gives it back with its auto-commit, isolation and network timeout restored.
 *
 * <pre>
 * Design notes
 *
 * Timeouts. Every statement gets Statement.setQueryTimeout(timeout), which the database enforces
 * (PostgreSQL cancels, MariaDB's max_statement_time, H2's own), and the connection gets
 * Connection.setNetworkTimeout(timeout + 1 s): a socket that stops answering, also one the pool
 * handed back after an earlier use, fails the call instead of blocking its thread forever.
 * Reruns stop once the timeout has passed since the first attempt, so one call takes at most about
 * twice the timeout plus the pool's wait for a connection.
 *
 * Failures. A failure is thrown as UsageStoreException, permanent (isPermanent) only when the
 * dialect says the database refused the content (a constraint, a value out of range, data too
 * long): then nothing was committed and the same rows would be refused again, so the engine splits
 * the batch and sets the refused rows aside. Everything else (connection, timeout, deadlock, a
 * missing table or permission, a failed commit) is passing: the engine keeps the batch and retries
 * it, and the ledger makes that retry a no-op if the commit had happened.
 *
 * No secrets in messages. Drivers echo values in their messages (PostgreSQL's "Failing row
 * contains (...)" detail and its batch entries with parameters inline, H2's "Value too long ...
 * 'value'"). The exception thrown carries a scrubbed copy of the driver's exception chain: the first
 * line of each message only, statement text cut, and every API key id of the call redacted.
 * </pre>
 */
final class Transactions {
  private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);
  private static final int MAX_ATTEMPTS = 20;

  /** Runs the drivers' aborts of timed-out connections; threads end when idle. */
  private static final ExecutorService ABORTS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "usagestats-jdbc-abort");
            t.setDaemon(true);
            return t;
          });

  private final DataSource dataSource;
  private final DialectSql sql;
  private final long timeoutNanos;
  private final int queryTimeoutSeconds;
  private final int networkTimeoutMillis;

  Transactions(DataSource dataSource, DialectSql sql, Duration timeout) {
    this.dataSource = dataSource;
    this.sql = sql;
    this.timeoutNanos = timeout.toNanos();
    this.queryTimeoutSeconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
    this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis() + 1000);
  }

  /** Work on a connection inside a transaction; may run more than once. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** {@link #run(String, int, Collection, Work)} for work that binds no API key id. */
  <T> T run(String what, int isolation, Work<T> work) {
    return run(what, isolation, Set.of(), work);
  }

  /**
   * Runs {@code work} at {@code isolation} and commits, rerunning it on failures that pass at once
   * (up to 20 times, with jitter, while within the timeout).
   *
   * @param what for the message of a failure: "append batch 42"
   * @param apiKeys the API key ids the work binds, redacted wherever a message would show them
   * @throws UsageStoreException if the work or its commit fails; {@link
   *     UsageStoreException#isPermanent()} if the database refused the content for good
   */
  <T> T run(String what, int isolation, Collection<String> apiKeys, Work<T> work) {
    SQLException last = null;
    long start = System.nanoTime();
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        // first: PostgreSQL's getTransactionIsolation() already asks the server
        int network = networkTimeout(c, networkTimeoutMillis);
        boolean auto = c.getAutoCommit();
        int iso = c.getTransactionIsolation();
        try {
          c.setAutoCommit(false);
          if (iso != isolation) c.setTransactionIsolation(isolation);
          T out = work.run(c);
          c.commit();
          return out;
        } catch (SQLException | RuntimeException e) {
          try {
            c.rollback();
          } catch (SQLException r) {
            e.addSuppressed(r);
          }
          throw e;
        } finally {
          try {
            if (iso != isolation) c.setTransactionIsolation(iso);
            c.setAutoCommit(auto);
            if (network >= 0) networkTimeout(c, network);
          } catch (SQLException e) {
            LOG.debug("could not restore connection settings");
          }
        }
      } catch (SQLException e) {
        last = e;
        if (!sql.isTransient(e) || attempt == MAX_ATTEMPTS) break;
        if (System.nanoTime() - start - timeoutNanos >= 0) break;
        if (!pause(attempt)) break;
      }
    }
    if (last == null) {
      throw new UsageStoreException("usage store could not " + what + ": interrupted");
    }
    boolean permanent = sql.isPermanent(last);
    SQLException scrubbed = SafeMessages.scrub(last, apiKeys);
    throw new UsageStoreException(
        "usage store could not "
            + what
            + (permanent ? " (refused for good: " : " (may pass: ")
            + DialectSql.describe(last)
            + "): "
            + scrubbed.getMessage(),
        scrubbed,
        permanent);
  }

  /** Prepares a statement with this instance's query timeout. */
  PreparedStatement prepare(Connection c, String text) throws SQLException {
    PreparedStatement ps = c.prepareStatement(text);
    ps.setQueryTimeout(queryTimeoutSeconds);
    return ps;
  }

  /** Binds one row's parameters from index {@code p} on; returns the next free index. */
  interface Binder<R> {
    int bind(PreparedStatement ps, int p, R row) throws SQLException;
  }

  /**
   * Writes rows with a multi-row statement of {@code chunk} rows ({@code sql} gives the text for a
   * number of rows), the full chunks as one JDBC batch and the rest as one statement.
   */
  <R> void inChunks(
      Connection c, List<R> rows, int chunk, IntFunction<String> sql, Binder<R> binder)
      throws SQLException {
    int full = rows.size() / chunk;
    if (full > 0) {
      try (PreparedStatement ps = prepare(c, sql.apply(chunk))) {
        for (int i = 0; i < full; i++) {
          int p = 1;
          for (int r = i * chunk; r < (i + 1) * chunk; r++) p = binder.bind(ps, p, rows.get(r));
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    int rest = rows.size() - full * chunk;
    if (rest > 0) {
      try (PreparedStatement ps = prepare(c, sql.apply(rest))) {
        int p = 1;
        for (int r = full * chunk; r < rows.size(); r++) p = binder.bind(ps, p, rows.get(r));
        ps.executeUpdate();
      }
    }
  }

  /**
   * Sets the connection's network timeout; returns the one it had, or -1 if the driver has none.
   */
  private static int networkTimeout(Connection c, int millis) throws SQLException {
    try {
      int before = c.getNetworkTimeout();
      c.setNetworkTimeout(ABORTS, millis);
      return before;
    } catch (java.sql.SQLFeatureNotSupportedException | AbstractMethodError e) {
      return -1;
    }
  }

  /** Sleeps a random 1 to 2 + 2 x attempt milliseconds; false if interrupted. */
  static boolean pause(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, 2L + 2L * attempt));
      return true;
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
