package dev.usagestats.jdbc;

import dev.usagestats.spi.Grain;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Deletes rollup rows past retention, per grain: a row of grain {@code g} goes once its whole span
 * ended more than {@code keep(g)} ago. Called by {@link JdbcUsageStore#prune()} (and after each
 * {@link JdbcUsageStore#compact()}), from the host's scheduler or the store's own background
 * thread.
 *
 * <p>Thread-safe: immutable; every slice runs in its own transaction on its own connection, through
 * the compactor's {@link Transactions} (its statement timeout, its classification of failures).
 *
 * <pre>
 * Design notes
 *
 * Per grain, generically. `keep` maps each grain that has a retention to it (a grain absent is
 * kept for ever); prune() walks Tables.GRAINS, so a new grain is pruned by its entry alone. The
 * grids' hour and day rows take the 15-minute rows' retention (retainedAs): they are sums of
 * 15-minute rows, and a read takes either, so they must not outlive them by more than their span;
 * a read takes them only from keptFrom on (RollupReader), where their 15-minute rows are whole.
 * The latency rows of a grain's spans (minute and 15-minute only) go with its rollup rows.
 * `foldAfter` maps each grain that compaction folds into a coarser one to the age it does so
 * (minute rows: compactAfter). A grain folded before its retention (the builder requires that of
 * minute rows) never loses usage to it: its rows that old are already folded, so its retention
 * only deletes rows compaction has not reached (a late event older than the retention, or all of
 * them while compaction does not run). Any other grain with a retention loses usage older than
 * it for good, since its rows never reach a coarser grain.
 *
 * keptFrom. The usage of [t, now) is whole when every grain that loses usage keeps rows of spans
 * ending after t, so keptFrom is the quarter hour at or before now minus the shortest such
 * retention: a bound, since rows go only when prune() runs.
 *
 * Small transactions. Rows go slice by slice in key order (bucket_start first), each slice one
 * DELETE of one grain and a bucket_start range in its own READ COMMITTED transaction; a slice
 * starts at 6 hours, doubles (up to a day) after one of under 12,500 rows and halves after one of
 * over 100,000, like compaction. A slice touches only rows far older than anything an append
 * writes (appends add into recent minutes), so appends never wait on it; a late event for a span
 * already past retention lands in a new row that the next pass deletes.
 * </pre>
 */
final class Retention {
  private static final long FIRST_SLICE_S = 6 * 3600;
  private static final long QUARTER_S = Grain.QUARTER_HOUR.seconds();

  private final Tables tables;
  private final Transactions tx;
  private final Map<Grain, Duration> keep;
  private final @Nullable Duration shortestLossy;

  /**
   * @param keep the retention of each grain that has one
   * @param foldAfter the age at which compaction folds a grain into a coarser one
   */
  Retention(
      Tables tables, Transactions tx, Map<Grain, Duration> keep, Map<Grain, Duration> foldAfter) {
    this.tables = tables;
    this.tx = tx;
    this.keep = keep.isEmpty() ? Map.of() : new EnumMap<>(keep);
    Duration shortest = null;
    for (Map.Entry<Grain, Duration> e : this.keep.entrySet()) {
      Duration folded = foldAfter.get(e.getKey());
      if (folded != null && folded.compareTo(e.getValue()) <= 0) continue;
      if (shortest == null || e.getValue().compareTo(shortest) < 0) shortest = e.getValue();
    }
    this.shortestLossy = shortest;
  }

  /**
   * The first instant from which every row is kept at {@code now} (on a quarter-hour step), or null
   * if no usage is ever deleted: rows holding usage before it are deleted.
   */
  @Nullable Instant keptFrom(Instant now) {
    if (shortestLossy == null) return null;
    return Instant.ofEpochSecond(floorQuarter(now.minus(shortestLossy).getEpochSecond()));
  }

  /** Deletes the rows past retention at {@code now}, slice by slice; the number deleted. */
  long prune(Instant now) {
    long deleted = 0;
    for (int minutes : Tables.GRAINS) {
      Duration k = keep.get(retainedAs(minutes));
      if (k == null) continue;
      long from = floorQuarter(now.minus(k).getEpochSecond());
      // rows whose span [start, start + grain) ends at or before `from`
      deleted += prune(minutes, from - minutes * 60L + 1);
    }
    return deleted;
  }

  /**
   * The grain whose retention rows of {@code minutes} take: their own for minute and 15-minute
   * rows; the 15-minute rows' for the hour and day rows of the grids, which hold the sums of
   * 15-minute rows and so go with them (a grid row goes once its whole span is past that retention,
   * like a 15-minute row).
   */
  static Grain retainedAs(int minutes) {
    return minutes == Grain.MINUTE.minutes() ? Grain.MINUTE : Grain.QUARTER_HOUR;
  }

  private long prune(int minutes, long cutoff) {
    // latency rows exist at the minute and 15-minute grains only: grid rows carry no latency
    String[] from =
        minutes <= Grain.QUARTER_HOUR.minutes()
            ? new String[] {tables.rollup(), tables.latency()}
            : new String[] {tables.rollup()};
    long deleted = 0;
    long slice = FIRST_SLICE_S;
    while (true) {
      Long oldest = oldest(from, minutes, cutoff);
      if (oldest == null) return deleted;
      long start = oldest;
      long end = Math.min(start + slice, cutoff);
      long rows =
          tx.run(
              "prune " + minutes + "-minute rows at " + Instant.ofEpochSecond(start),
              Connection.TRANSACTION_READ_COMMITTED,
              c -> {
                long n = 0;
                // the rollup rows and the latency rows of the same spans, in one transaction
                for (String table : from) {
                  try (PreparedStatement ps =
                      tx.prepare(
                          c,
                          "DELETE FROM "
                              + table
                              + " WHERE grain = ? AND bucket_start >= ? AND bucket_start < ?")) {
                    ps.setShort(1, (short) minutes);
                    ps.setLong(2, start);
                    ps.setLong(3, end);
                    n += ps.executeUpdate();
                  }
                }
                return n;
              });
      deleted += rows;
      slice = Compactor.nextSlice(slice, rows);
    }
  }

  private @Nullable Long oldest(String[] from, int minutes, long cutoff) {
    return tx.run(
        "prune",
        Connection.TRANSACTION_READ_COMMITTED,
        c -> {
          Long oldest = null;
          // the older of the tables' oldest rows: latency rows may outlive their rollup rows'
          for (String table : from) {
            try (PreparedStatement ps =
                tx.prepare(
                    c,
                    "SELECT MIN(bucket_start) FROM "
                        + table
                        + " WHERE grain = ? AND bucket_start < ?")) {
              ps.setShort(1, (short) minutes);
              ps.setLong(2, cutoff);
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long v = rs.getLong(1);
                if (!rs.wasNull()) oldest = oldest == null ? v : Math.min(oldest, v);
              }
            }
          }
          return oldest;
        });
  }

  private static long floorQuarter(long epochSecond) {
    return Math.floorDiv(epochSecond, QUARTER_S) * QUARTER_S;
  }

  /**
   * The retention settings of {@link JdbcUsageStore.Builder}: a default, and per grain. Not
   * thread-safe; the builder checks each value before it gets here.
   */
  static final class Settings {
    private @Nullable Duration byDefault;
    private final Map<Grain, Duration> perGrain = new EnumMap<>(Grain.class);

    void byDefault(Duration keep) {
      this.byDefault = keep;
    }

    void of(Grain grain, Duration keep) {
      perGrain.put(grain, keep);
    }

    /** Each grain's retention: its own, else the default; grains kept for ever are absent. */
    Map<Grain, Duration> keep() {
      Map<Grain, Duration> out = new EnumMap<>(Grain.class);
      for (Grain g : Grain.values()) {
        Duration keep = perGrain.getOrDefault(g, byDefault);
        if (keep != null) out.put(g, keep);
      }
      return out;
    }

    /**
     * Checks that rows of {@code grain} are kept at least until compaction folds them, at {@code
     * foldAfter} (the builder's {@code setting}).
     *
     * @throws IllegalStateException naming the retention, the setting and both values otherwise
     */
    void checkFoldedFirst(Grain grain, Duration foldAfter, String setting) {
      Duration keep = keep().get(grain);
      if (keep == null || keep.compareTo(foldAfter) >= 0) return;
      String field =
          perGrain.containsKey(grain)
              ? "retention of " + grain
              : "retention (which " + grain + " rows take: they have no retention of their own)";
      throw new IllegalStateException(
          field
              + " must be >= "
              + setting
              + " ("
              + foldAfter
              + "), so its rows are folded into coarser rows before they go: "
              + keep);
    }
  }
}
