package dev.usagestats.jdbc;

import dev.usagestats.UsageStoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work in a transaction on a connection of its own, and reruns it from the start when the
 * dialect says the failure is transient (deadlocks, serialization failures, H2's merge races).
 * Shared by the store's writer, reader and compactor.
 *
 * <p>Thread-safe: holds no state but the data source and dialect; every call borrows its own
 * connection and gives it back with its auto-commit and isolation settings restored.
 *
 * <p>Any other failure, a failed commit included, is thrown as {@link UsageStoreException}: the
 * engine keeps the batch and retries it, and the ledger makes that retry a no-op if the commit had
 * happened.
 */
final class Transactions {
  private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);
  private static final int MAX_ATTEMPTS = 20;

  private final DataSource dataSource;
  private final DialectSql sql;

  Transactions(DataSource dataSource, DialectSql sql) {
    this.dataSource = dataSource;
    this.sql = sql;
  }

  /** Work on a connection inside a transaction; may run more than once. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} at {@code isolation} and commits, rerunning it on transient failures (up to
   * 20 times, with jitter).
   *
   * @param what for the message of a failure: "append batch 42"
   * @throws UsageStoreException if the work or its commit fails for good
   */
  <T> T run(String what, int isolation, Work<T> work) {
    SQLException last = null;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try (Connection c = dataSource.getConnection()) {
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
          } catch (SQLException e) {
            LOG.debug("could not restore connection settings", e);
          }
        }
      } catch (SQLException e) {
        last = e;
        if (!sql.isTransient(e) || attempt == MAX_ATTEMPTS) break;
        if (!pause(attempt)) break;
      }
    }
    throw new UsageStoreException(
        "usage store could not " + what + ": " + (last == null ? "interrupted" : last), last);
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
