package dev.usagestats.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The grid table: which hour and day rows the store keeps beside its 15-minute rows, and the lock
 * that keeps them equal to the 15-minute rows they stand for. Registers new grids (building their
 * rows from the 15-minute rows), rebuilds every grid's rows, and reads the grids for a read, a fold
 * or an append.
 *
 * <p>Thread-safe: immutable; every call works in the transaction or on the connection it is given,
 * or in its own.
 *
 * <pre>
 * Design notes
 *
 * The invariant. A row of a registered grid holds exactly the sums of the 15-minute rows of its
 * span and series. Whatever changes 15-minute rows changes the grids' rows by the same amounts in
 * the same transaction: compaction (a minute row goes into its quarter row and into a row of every
 * grid), and appends of 15-minute rows (the engine's, when it fell behind). Minute rows are in no
 * coarse row, and reads take them whole. Retention deletes rows of every grain by age, so a coarse
 * row whose span ends after the cut may hold 15-minute rows that are gone (a report over that range
 * counts what is left either way).
 *
 * The lock. A new grid's rows are built from the 15-minute rows in the transaction that registers
 * it. A fold or append that read the grids before the registration committed would leave the new
 * grid's rows short, so both sides take a lock on the table's lock row (grain 0, anchor 0): folds
 * and appends of 15-minute rows a shared one (SELECT ... FOR SHARE; H2, without shared row locks,
 * an exclusive one), registrations an exclusive one by updating the row (its added_at counts
 * registrations). Then the grids are read: PostgreSQL and MariaDB at READ COMMITTED (and MariaDB's
 * first consistent read at REPEATABLE READ) see the registration once it committed; H2 at REPEATABLE
 * READ fails the lock on a row updated after its snapshot and the transaction is retried.
 *
 * Readers take no lock: they read the grids and the rows in one snapshot.
 * </pre>
 */
final class Grids {
  private final Tables tables;
  private final DialectSql sql;
  private final Transactions tx;
  private final Clock clock;

  /**
   * @param tx for registrations and rebuilds: long transactions, with a timeout to match
   */
  Grids(Tables tables, DialectSql sql, Transactions tx, Clock clock) {
    this.tables = tables;
    this.sql = sql;
    this.tx = tx;
    this.clock = clock;
  }

  /** The registered grids, in order, as {@code c}'s transaction sees them; takes no lock. */
  List<Grid> read(Connection c) throws SQLException {
    List<Grid> out = new ArrayList<>();
    try (PreparedStatement ps =
            tx.prepare(
                c,
                "SELECT grain, anchor FROM "
                    + tables.grid()
                    + " WHERE grain > 0 ORDER BY grain, anchor");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) out.add(new Grid(rs.getInt(1), rs.getInt(2)));
    }
    return out;
  }

  /**
   * Takes the lock shared by the writers of 15-minute rows in {@code c}'s transaction, then reads
   * the grids: their rows are to change with the 15-minute rows this transaction changes.
   */
  List<Grid> lockShared(Connection c) throws SQLException {
    try (PreparedStatement ps =
            tx.prepare(
                c,
                "SELECT anchor FROM "
                    + tables.grid()
                    + " WHERE grain = 0 AND anchor = 0"
                    + sql.shareLock());
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) throw missingLockRow();
    }
    return read(c);
  }

  /**
   * Registers the grids of {@code wanted} the table does not hold yet, each with its rows built
   * from the 15-minute rows, in one transaction under the exclusive lock; a no-op, without the
   * lock, if all are there. Safe when several stores start at once.
   *
   * @return the number of rows written
   */
  long register(Collection<Grid> wanted) {
    Set<Grid> want = new TreeSet<>(wanted);
    if (want.isEmpty()) return 0;
    Set<Grid> have =
        tx.run(
            "read grids",
            Connection.TRANSACTION_READ_COMMITTED,
            c -> (Set<Grid>) new TreeSet<>(read(c)));
    if (have.containsAll(want)) return 0;
    return tx.run(
        "register grids " + want,
        Connection.TRANSACTION_READ_COMMITTED,
        c -> {
          lockExclusive(c);
          List<Grid> registered = new ArrayList<>(read(c));
          long rows = 0;
          for (Grid g : want) { // hours first: a day grid may be built from an hour grid's rows
            if (registered.contains(g)) continue;
            try (PreparedStatement ps =
                tx.prepare(
                    c,
                    "INSERT INTO "
                        + tables.grid()
                        + " (grain, anchor, added_at) VALUES (?, ?, ?)")) {
              ps.setInt(1, g.minutes());
              ps.setInt(2, g.anchor());
              ps.setLong(3, clock.millis());
              ps.executeUpdate();
            }
            // rows left by a grid dropped by hand would be counted twice
            delete(c, g.rowsSql());
            rows += build(c, g, registered);
            registered.add(g);
          }
          return rows;
        });
  }

  /**
   * Deletes every hour and day row and builds the registered grids' rows again from the 15-minute
   * rows, in one transaction under the exclusive lock.
   *
   * @return the number of rows written
   */
  long rebuild() {
    return tx.run(
        "rebuild grid rows",
        Connection.TRANSACTION_READ_COMMITTED,
        c -> {
          lockExclusive(c);
          delete(c, "grain IN (" + Grid.HOUR + ", " + Grid.DAY + ")");
          long rows = 0;
          List<Grid> built = new ArrayList<>();
          for (Grid g : read(c)) { // in order, hours first
            rows += build(c, g, built);
            built.add(g);
          }
          return rows;
        });
  }

  private void lockExclusive(Connection c) throws SQLException {
    try (PreparedStatement ps =
        tx.prepare(
            c,
            "UPDATE "
                + tables.grid()
                + " SET added_at = added_at + 1 WHERE grain = 0 AND anchor = 0")) {
      if (ps.executeUpdate() != 1) throw missingLockRow();
    }
  }

  private void delete(Connection c, String where) throws SQLException {
    try (PreparedStatement ps =
        tx.prepare(c, "DELETE FROM " + tables.rollup() + " WHERE " + where)) {
      ps.executeUpdate();
    }
  }

  /**
   * Builds {@code g}'s rows: a day grid from the rows of an hour grid in {@code built} on which its
   * days start (24 rows per day instead of 96), anything else from the 15-minute rows.
   */
  private long build(Connection c, Grid g, List<Grid> built) throws SQLException {
    String from = "grain = 15";
    for (Grid h : built) {
      if (g.minutes() == Grid.DAY && h.minutes() == Grid.HOUR && g.anchor() % 3600 == h.anchor()) {
        from = h.rowsSql();
      }
    }
    try (PreparedStatement ps =
        tx.prepare(
            c,
            "INSERT INTO "
                + tables.rollup()
                + " ("
                + Tables.list(Tables.COLUMNS, "")
                + ") "
                + DialectSql.gridFrom(tables, g, from))) {
      return ps.executeUpdate();
    }
  }

  private IllegalStateException missingLockRow() {
    return new IllegalStateException(
        "table "
            + tables.grid()
            + " must hold its lock row (grain 0, anchor 0): run the V4 script again, or"
            + " createSchema(true)");
  }
}
