package dev.usagestats.jdbc;

import dev.usagestats.spi.Grain;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Deletes rollup rows past retention: a row goes once its whole span ended more than {@code keep}
 * ago, whatever its grain (minute rows are folded into quarter-hour rows at compactAfter, so only a
 * minute row compaction has not reached yet is that old). Called by {@link JdbcUsageStore#prune()}
 * (and after each {@link JdbcUsageStore#compact()}), from the host's scheduler or the store's own
 * background thread.
 *
 * <p>Thread-safe: immutable; every slice runs in its own transaction on its own connection, through
 * the compactor's {@link Transactions} (its statement timeout, its classification of failures).
 *
 * <pre>
 * Design notes
 *
 * Small transactions. Rows go slice by slice in key order (bucket_start first), each slice one
 * DELETE of one grain and a bucket_start range in its own READ COMMITTED transaction; a slice
 * starts at 6 hours, doubles (up to a day) after one of under 12,500 rows and halves after one of
 * over 100,000, like compaction. A slice touches only rows far older than anything an append
 * writes (appends add into recent minutes), so appends never wait on it; a late event for a span
 * already past retention lands in a new row that the next pass deletes.
 *
 * Minute rows need no retention of their own: compaction folds them into quarter-hour rows at
 * compactAfter, which the builder requires to be shorter than the retention.
 * </pre>
 */
final class Retention {
  private static final long FIRST_SLICE_S = 6 * 3600;

  private final Tables tables;
  private final Transactions tx;
  private final Clock clock;
  private final @Nullable Duration keep;

  Retention(Tables tables, Transactions tx, Clock clock, @Nullable Duration keep) {
    this.tables = tables;
    this.tx = tx;
    this.clock = clock;
    this.keep = keep;
  }

  /**
   * The first instant from which every row is kept (on a quarter-hour step), or null if rows are
   * kept for ever: rows of spans that ended before it are deleted.
   */
  @Nullable Instant keptFrom() {
    if (keep == null) return null;
    long q = Grain.QUARTER_HOUR.seconds();
    return Instant.ofEpochSecond(
        Math.floorDiv(clock.instant().minus(keep).getEpochSecond(), q) * q);
  }

  /** Deletes the rows past retention, slice by slice; the number of rows deleted. */
  long prune() {
    Instant from = keptFrom();
    if (from == null) return 0;
    long deleted = 0;
    for (int minutes : Tables.GRAINS) {
      // rows whose span [start, start + grain) ends at or before `from`
      long cutoff = from.getEpochSecond() - minutes * 60L + 1;
      long slice = FIRST_SLICE_S;
      while (true) {
        Long oldest = oldest(minutes, cutoff);
        if (oldest == null) break;
        long start = oldest;
        long end = Math.min(start + slice, cutoff);
        long rows =
            tx.run(
                "prune " + minutes + "-minute rows at " + Instant.ofEpochSecond(start),
                Connection.TRANSACTION_READ_COMMITTED,
                c -> {
                  try (PreparedStatement ps =
                      tx.prepare(
                          c,
                          "DELETE FROM "
                              + tables.rollup()
                              + " WHERE grain = ? AND bucket_start >= ? AND bucket_start < ?")) {
                    ps.setShort(1, (short) minutes);
                    ps.setLong(2, start);
                    ps.setLong(3, end);
                    return (long) ps.executeUpdate();
                  }
                });
        deleted += rows;
        slice = Compactor.nextSlice(slice, rows);
      }
    }
    return deleted;
  }

  private @Nullable Long oldest(int minutes, long cutoff) {
    return tx.run(
        "prune",
        Connection.TRANSACTION_READ_COMMITTED,
        c -> {
          try (PreparedStatement ps =
              tx.prepare(
                  c,
                  "SELECT MIN(bucket_start) FROM "
                      + tables.rollup()
                      + " WHERE grain = ? AND bucket_start < ?")) {
            ps.setShort(1, (short) minutes);
            ps.setLong(2, cutoff);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              long v = rs.getLong(1);
              return rs.wasNull() ? null : v;
            }
          }
        });
  }
}
