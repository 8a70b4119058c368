package dev.usagestats.jdbc;

import dev.usagestats.spi.Grain;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Folds minute rows older than {@code compactAfter} into quarter-hour rows and into the rows of the
 * store's grids (hour and day rows, see {@link Grids}), and minute latency rows into quarter-hour
 * latency rows (grids carry no latency), and prunes ledger rows older than {@code ledgerRetention}.
 * Called by {@link JdbcUsageStore#compact()}, from the host's scheduler or the store's own
 * background thread.
 *
 * <p>Thread-safe: immutable; every slice runs in its own transaction on its own connection. Any
 * number of compactions (on this node or others) may run at once and while batches are appended.
 *
 * <pre>
 * Design notes
 *
 * Set-based. A slice of minute rows is folded by the dialect's statements in one transaction:
 * the rows summed per series and quarter hour, and per series and span of every grid, by the
 * database (INSERT ... SELECT ... GROUP BY ... UNION ALL ..., merged with the additive upsert), then
 * deleted by the same key range. No row travels to the store and back.
 *
 * Grids. The transaction first takes the grid lock shared and reads the grids (Grids#lockShared),
 * so a grid registered meanwhile is either in the fold or built after it: its rows never miss
 * what the fold moved. The statements are made once per set of grids.
 *
 * Slices. The first is 2 hours; the next doubles (up to a day) after a slice of under 12,500
 * rows and halves (down to 15 minutes) after one of over 100,000, so sparse history takes a few
 * transactions, not hundreds, and dense history keeps each transaction's locks short.
 *
 * No lost row. The rows deleted are exactly the rows added into quarter rows (and into each grid's
 * rows), whatever appends do meanwhile; each dialect gets there its own way (DialectSql#foldSlice):
 *   PostgreSQL  one statement: DELETE ... RETURNING feeds the upsert, so what is folded is what was
 *               deleted; a concurrently updated row is waited for and deleted with its new sums.
 *   MariaDB     REPEATABLE READ, SELECT ... FOR UPDATE over the slice first: next-key locks keep
 *               any append from changing or adding a row in the range until commit.
 *   H2          REPEATABLE READ, the upsert reads OLD TABLE (DELETE ...); a row changed after the
 *               snapshot fails the delete with a serialization error, and the slice is retried.
 * A late event for a slice being folded either waits and then lands in a new minute row, or
 * lands before and is folded; a later pass folds any new minute row. It is never deleted unread.
 *
 * Latency. In the same transaction, after the rollup rows, the slice's latency rows are folded
 * into one quarter-hour row per series and quarter hour (LatencyTable#fold: a locking read, merged
 * in Java, deleted by key, one row inserted), so a read sees the slice before or after, never half.
 * The next slice's size follows the larger row count of the two tables.
 *
 * Exact afterwards. Every real zone offset is a multiple of 15 minutes, so quarter rows still
 * rebuild any local hour, day, week or month exactly.
 * </pre>
 */
final class Compactor {
  private static final long QUARTER_S = Grain.QUARTER_HOUR.seconds();
  private static final long FIRST_SLICE_S = 2 * 3600;
  private static final long MAX_SLICE_S = 24 * 3600;
  private static final long TARGET_ROWS = 50_000;

  private final Tables tables;
  private final DialectSql sql;
  private final Transactions tx;
  private final Clock clock;
  private final Duration compactAfter;
  private final Duration ledgerRetention;
  private final Grids grids;
  private final Map<List<Grid>, List<DialectSql.FoldStep>> folds = new ConcurrentHashMap<>();
  private final LatencyTable latency;

  Compactor(
      Tables tables,
      DialectSql sql,
      Transactions tx,
      Clock clock,
      Duration compactAfter,
      Duration ledgerRetention,
      Grids grids,
      LatencyTable latency) {
    this.tables = tables;
    this.sql = sql;
    this.tx = tx;
    this.clock = clock;
    this.compactAfter = compactAfter;
    this.ledgerRetention = ledgerRetention;
    this.grids = grids;
    this.latency = latency;
  }

  /** Folds old minute rows slice by slice, then prunes the ledger; the number of rows folded. */
  long compact() {
    return compact(clock.instant());
  }

  /** {@link #compact()} with the ages taken at {@code now}. */
  long compact(Instant now) {
    long cutoffS = floorQuarter(now.minus(compactAfter).getEpochSecond());
    long folded = 0;
    long low = Long.MIN_VALUE;
    long slice = FIRST_SLICE_S;
    while (true) {
      @Nullable Long oldest = oldestMinute(low, cutoffS);
      if (oldest == null) break;
      long start = floorQuarter(oldest);
      long end = Math.min(start + slice, cutoffS);
      long[] rows =
          tx.run(
              "compact slice at " + Instant.ofEpochSecond(start),
              sql.foldIsolation(),
              c -> new long[] {foldSlice(c, start, end), latency.fold(c, tx, start, end)});
      folded += rows[0];
      slice = nextSlice(slice, Math.max(rows[0], rows[1]));
      // Whatever reaches [low, end) from now on is a late event; the next pass folds it.
      low = end;
    }
    pruneLedger(now);
    return folded;
  }

  /** The start of the oldest minute row in the range, of either table; null if none. */
  private @Nullable Long oldestMinute(long fromS, long cutoffS) {
    String where = " WHERE grain = 1 AND bucket_start >= ? AND bucket_start < ?";
    return tx.run(
        "compact",
        Connection.TRANSACTION_READ_COMMITTED,
        c -> {
          try (PreparedStatement ps =
              tx.prepare(
                  c,
                  "SELECT MIN(m) FROM (SELECT MIN(bucket_start) AS m FROM "
                      + tables.rollup()
                      + where
                      + " UNION ALL SELECT MIN(bucket_start) AS m FROM "
                      + tables.latency()
                      + where
                      + ") oldest")) {
            ps.setLong(1, fromS);
            ps.setLong(2, cutoffS);
            ps.setLong(3, fromS);
            ps.setLong(4, cutoffS);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              long v = rs.getLong(1);
              return rs.wasNull() ? null : v;
            }
          }
        });
  }

  private long foldSlice(Connection c, long startS, long endS) throws SQLException {
    List<Grid> g = grids.lockShared(c);
    List<DialectSql.FoldStep> fold = folds.computeIfAbsent(g, k -> sql.foldSlice(tables, k));
    long folded = 0;
    for (DialectSql.FoldStep step : fold) {
      try (PreparedStatement ps = tx.prepare(c, step.sql())) {
        int params = step.parameters();
        for (int p = 1; p + 1 <= params; p += 2) {
          ps.setLong(p, startS);
          ps.setLong(p + 1, endS);
        }
        if (step.kind() == DialectSql.FoldStep.Kind.COUNT) {
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            folded = rs.getLong(1);
          }
          if (folded == 0) return 0;
        } else {
          ps.executeUpdate();
        }
      }
    }
    return folded;
  }

  private void pruneLedger(Instant now) {
    long keepFrom = now.toEpochMilli() - ledgerRetention.toMillis();
    tx.run(
        "prune ledger",
        Connection.TRANSACTION_READ_COMMITTED,
        c -> {
          try (PreparedStatement ps =
              tx.prepare(c, "DELETE FROM " + tables.ledger() + " WHERE applied_at < ?")) {
            ps.setLong(1, keepFrom);
            return ps.executeUpdate();
          }
        });
  }

  /**
   * The next slice's length: doubled (up to a day) while slices hold few rows, so sparse history is
   * not folded in hundreds of tiny transactions; halved (down to 15 minutes) while they hold many,
   * so a transaction's locks stay short. Always a whole number of quarter hours.
   */
  static long nextSlice(long slice, long rows) {
    if (rows < TARGET_ROWS / 4) return Math.min(slice * 2, MAX_SLICE_S);
    if (rows > TARGET_ROWS * 2) return Math.max(floorQuarter(slice / 2), QUARTER_S);
    return slice;
  }

  private static long floorQuarter(long epochSecond) {
    return Math.floorDiv(epochSecond, QUARTER_S) * QUARTER_S;
  }
}
