package dev.usagestats.jdbc;

import dev.usagestats.SeriesKey;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.Measure;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Appends batches: the ledger row, the batch's rollup rows and its latency rows in one transaction,
 * the rollup rows merged by the dialect's additive upsert, the latency rows inserted ({@link
 * LatencyTable}). Called by {@link JdbcUsageStore#append} (the engine's flusher).
 *
 * <p>Thread-safe: each append runs in its own transaction on its own connection; the only shared
 * state is caches of statements by row count, concurrent maps.
 *
 * <pre>
 * Design notes
 *
 * Once per batch. The ledger insert comes first and reports whether the batch id is new; a batch
 * already applied writes nothing, latency rows included.
 *
 * 15-minute rows. A delta the engine coarsened to 15 minutes changes a 15-minute row, so its sums
 * also go into the rows of every grid (hour and day rows), in the same transaction, after the grid
 * lock is taken shared (Grids#lockShared): a grid's rows stay equal to its 15-minute rows. Minute
 * deltas change minute rows only, which no grid row holds; they take no lock. Latency rows keep
 * their own grains (minute and 15-minute): grids carry no latency.
 *
 * Retries. Deadlocks, serialization failures and H2's duplicate-key errors rerun the whole
 * transaction, ledger check included.
 *
 * Lock order. Rows are sorted by (bucket_start, series_hash, grain), the primary key's order, so
 * concurrent writers (and compaction, which locks in key order too) take row locks in one order
 * and rarely deadlock. Latency rows come after all rollup rows, as in compaction.
 *
 * Statements. CHUNK rows per statement, full chunks as one JDBC batch: far fewer round trips than
 * a statement per row, and a bounded number of distinct statement texts.
 *
 * Model sums. For each model in the batch, and for all usage, a row of the sums of the batch's
 * series rows per start and grain, under tenant and API key one space (the engine's peak
 * aggregates' keys): written with the rows they sum, so in every snapshot a model's rows hold
 * exactly its series' sums (compaction, grids and retention treat them as any series). The
 * batch's own rows under those keys (the engine's aggregates, equal by construction) are dropped,
 * so the sums hold whatever a caller of append wrote. Reads over all keys use them (RollupReader).
 *
 * Keys. series_hash is 16 bytes of SHA-256 over the three names, which keeps the primary key short
 * on MariaDB (3 x 256 utf8mb4 characters would not fit an InnoDB key).
 * </pre>
 */
final class RollupWriter {
  private static final int CHUNK = 128;

  private final Tables tables;
  private final DialectSql sql;
  private final Transactions tx;
  private final Clock clock;
  private final Grids grids;
  private final LatencyTable latency;
  private final Map<Integer, String> upsertByRows = new ConcurrentHashMap<>();

  RollupWriter(
      Tables tables,
      DialectSql sql,
      Transactions tx,
      Clock clock,
      Grids grids,
      LatencyTable latency) {
    this.tables = tables;
    this.sql = sql;
    this.tx = tx;
    this.clock = clock;
    this.grids = grids;
    this.latency = latency;
  }

  /** Applies the batch once: ledger row, rollup rows and latency rows in one transaction. */
  void append(UsageBatch batch) {
    List<Row> rows = new ArrayList<>(batch.deltas().size());
    Map<CoarseKey, long[]> modelSums = new HashMap<>();
    for (UsageDelta d : batch.deltas()) {
      // the model sums are formed here, from the series rows they sum (a batch's own are dropped)
      if (Keys.isModelSum(d.key())) continue;
      // A coarsened delta (15 minutes) goes in as a 15-minute row, as compaction would write it,
      // so a MINUTE query over it fails clearly instead of showing it in its first minute.
      Row row =
          new Row(
              d.start().getEpochSecond(),
              d.grain().minutes(),
              d.key(),
              Keys.seriesHash(d.key()),
              Measure.counts(d.totals()));
      rows.add(row);
      addModelSums(modelSums, row);
    }
    modelSums.forEach(
        (k, counts) -> rows.add(new Row(k.start, k.grain, k.key, Keys.seriesHash(k.key), counts)));
    rows.sort(Row.ORDER);
    List<LatencyTable.Row> latencyRows = LatencyTable.rowsOf(batch);
    boolean quarters = false;
    for (UsageDelta d : batch.deltas()) quarters |= d.grain() != Grain.MINUTE;
    boolean lock = quarters;
    Set<String> apiKeys = new HashSet<>();
    for (UsageDelta d : batch.deltas()) apiKeys.add(d.key().apiKey());
    long now = clock.millis();
    tx.run(
        "append batch " + batch.id(),
        Connection.TRANSACTION_READ_COMMITTED,
        apiKeys,
        c -> {
          if (insertLedger(c, batch, now)) {
            upsert(c, lock ? withGrids(rows, grids.lockShared(c)) : rows);
            latency.insert(c, tx, latencyRows);
          }
          return null;
        });
  }

  /**
   * {@code rows} and, for each 15-minute row, its sums in a row of each grid: rows of one key
   * merged (by each measure's rule), all in key order.
   */
  private static List<Row> withGrids(List<Row> rows, List<Grid> grids) {
    if (grids.isEmpty()) return rows;
    Map<CoarseKey, Row> coarse = new HashMap<>();
    for (Row r : rows) {
      if (r.grain != Grain.QUARTER_HOUR.minutes()) continue;
      for (Grid g : grids) {
        Row row = new Row(g.floor(r.start), g.minutes(), r.key, r.hash, r.counts.clone());
        Row had = coarse.putIfAbsent(new CoarseKey(row.start, r.key, row.grain), row);
        if (had != null) Measure.add(had.counts, row.counts);
      }
    }
    List<Row> out = new ArrayList<>(rows.size() + coarse.size());
    out.addAll(rows);
    out.addAll(coarse.values());
    out.sort(Row.ORDER);
    return out;
  }

  private record CoarseKey(long start, SeriesKey key, int grain) {}

  /**
   * Adds a series row's sums into its model's row and into the row of all usage.
   *
   * @throws IllegalArgumentException if a sum would pass {@link Long#MAX_VALUE}
   */
  private static void addModelSums(Map<CoarseKey, long[]> sums, Row r) {
    for (SeriesKey k : List.of(Keys.modelSum(r.key.model()), Keys.ALL_USAGE)) {
      long[] had = sums.putIfAbsent(new CoarseKey(r.start, k, r.grain), r.counts.clone());
      if (had == null) continue;
      try {
        Measure.add(had, r.counts);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            "batch must keep each model's sums within "
                + Long.MAX_VALUE
                + ": those of model "
                + (k == Keys.ALL_USAGE ? "(all usage)" : "'" + k.model() + "'")
                + " at "
                + Instant.ofEpochSecond(r.start)
                + " would pass it",
            e);
      }
    }
  }

  /** Inserts the ledger row; false if the batch was applied before. */
  private boolean insertLedger(Connection c, UsageBatch batch, long now) throws SQLException {
    try (PreparedStatement ps = tx.prepare(c, sql.ledgerInsert(tables))) {
      ps.setString(1, batch.id());
      ps.setString(2, batch.nodeId());
      ps.setLong(3, now);
      return ps.executeUpdate() == 1;
    }
  }

  /** Adds rows with an additive upsert, CHUNK rows per statement, full chunks as a JDBC batch. */
  private void upsert(Connection c, List<Row> rows) throws SQLException {
    tx.inChunks(c, rows, CHUNK, this::upsertSql, RollupWriter::bind);
  }

  private static int bind(PreparedStatement ps, int p, Row row) throws SQLException {
    ps.setLong(p++, row.start);
    ps.setBytes(p++, row.hash);
    ps.setShort(p++, (short) row.grain);
    ps.setString(p++, row.key.tenant());
    ps.setString(p++, row.key.apiKey());
    ps.setString(p++, row.key.model());
    for (Measure m : Measure.all()) {
      // A minute row's peaks are derived from its sums when read; a quarter-hour delta (the
      // engine coarsened it) carries none: NULL, unknown.
      if (m.isPeak()) ps.setNull(p++, Types.BIGINT);
      else ps.setLong(p++, row.counts[m.ordinal()]);
    }
    return p;
  }

  private String upsertSql(int rows) {
    return upsertByRows.computeIfAbsent(
        rows,
        n -> {
          StringBuilder values = new StringBuilder("VALUES ");
          for (int r = 0; r < n; r++) values.append(r > 0 ? ", " : "").append(sql.valuesRow());
          return sql.additiveUpsert(tables, values.toString());
        });
  }

  /** One rollup row to write; counts indexed by {@link Measure#ordinal()}. */
  private record Row(long start, int grain, SeriesKey key, byte[] hash, long[] counts) {
    static final Comparator<Row> ORDER =
        Comparator.comparingLong(Row::start)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.hash, b.hash))
            .thenComparingInt(Row::grain);
  }
}
