package dev.usagestats.jdbc;

import dev.usagestats.LatencyTotals;
import dev.usagestats.SeriesKey;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The latency rows of one read ({@link LatencyTable#readSql}), merged per series and bucket as they
 * stream, keyed as the read's rollup rows are: where the read sums rollup rows across tenants or
 * API keys it does not need (in SQL on PostgreSQL, in Java otherwise), their names become the empty
 * string here too (the engine's peak aggregates keep theirs). Used by {@link RollupReader}, which
 * pairs each sum with its rollup row.
 *
 * <p>Not thread-safe: one per read, on the thread that runs it.
 */
final class LatencyMerge {
  /** Where a stored row goes. */
  @FunctionalInterface
  interface Tiling {
    /**
     * The bucket of a row starting at {@code startSecond}, {@code grainMinutes} long; -1 if it lies
     * outside the read.
     *
     * @throws IllegalArgumentException if a bucket bound splits the row
     */
    int bucketOf(long startSecond, int grainMinutes);
  }

  /** A series in a bucket of the read. */
  record Cell(SeriesKey key, int bucket) {}

  private final Map<Cell, LatencySum> sums = new HashMap<>();
  private final Tiling tiling;
  private final boolean allTenants;
  private final boolean allKeys;
  private final String aggregate;
  private final long maxRows;
  private long rows;

  /**
   * @param tiling the read's buckets
   * @param allTenants whether to merge across tenants (the name becomes {@code ""})
   * @param allKeys whether to merge across API keys (likewise)
   * @param aggregate the tenant and API key of the engine's peak aggregates: kept, never counted
   * @param maxRows the most rows of usage to take
   */
  LatencyMerge(Tiling tiling, boolean allTenants, boolean allKeys, String aggregate, long maxRows) {
    this.tiling = tiling;
    this.allTenants = allTenants;
    this.allKeys = allKeys;
    this.aggregate = aggregate;
    this.maxRows = maxRows;
  }

  /**
   * Adds the current row of {@code rs}.
   *
   * @throws IllegalArgumentException past {@code maxRows} rows, if a bucket bound splits the row,
   *     or if a merged count or sum would pass {@link Long#MAX_VALUE}
   */
  void add(ResultSet rs) throws SQLException {
    String tenant = rs.getString(1);
    String apiKey = rs.getString(2);
    if (!aggregate.equals(tenant) && ++rows > maxRows) {
      throw new IllegalArgumentException(
          "store read must return at most maxReadRows ("
              + maxRows
              + ") latency rows: the query's range and filters match more; narrow the range or"
              + " the filters, or raise JdbcUsageStore.Builder.maxReadRows");
    }
    int bucket = tiling.bucketOf(rs.getLong(4), rs.getInt(5));
    if (bucket < 0) return;
    if (allTenants) tenant = aggregate.equals(tenant) ? aggregate : "";
    if (allKeys) apiKey = aggregate.equals(apiKey) ? aggregate : "";
    SeriesKey key = new SeriesKey(tenant, apiKey, rs.getString(3));
    LatencySum sum = sums.computeIfAbsent(new Cell(key, bucket), k -> new LatencySum());
    try {
      sum.add(LatencyTable.latencyAt(rs, LatencyTable.READ_FIRST_VALUE));
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "query must select sums within "
              + Long.MAX_VALUE
              + ": the stored latency of "
              + key
              + " in bucket "
              + bucket
              + " would pass it; narrow the range or group finer",
          e);
    }
  }

  /** The merged latency of {@code key} in {@code bucket}, taken out; empty if none. */
  LatencyTotals take(SeriesKey key, int bucket) {
    LatencySum s = sums.remove(new Cell(key, bucket));
    return s == null ? LatencyTotals.empty() : s.totals();
  }

  /** What {@link #take} left. */
  void forEachLeft(BiConsumer<Cell, LatencyTotals> action) {
    sums.forEach((cell, sum) -> action.accept(cell, sum.totals()));
  }
}
