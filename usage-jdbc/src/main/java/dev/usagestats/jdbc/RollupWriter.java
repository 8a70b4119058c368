package dev.usagestats.jdbc;

import dev.usagestats.SeriesKey;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.Measure;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
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
 * Appends batches: the ledger row and the batch's rollup rows in one transaction, the rows merged
 * by the dialect's additive upsert. Called by {@link JdbcUsageStore#append} (the engine's flusher).
 *
 * <p>Thread-safe: each append runs in its own transaction on its own connection; the only shared
 * state is a cache of upsert statements by row count, a concurrent map.
 *
 * <pre>
 * Design notes
 *
 * Once per batch. The ledger insert comes first and reports whether the batch id is new; a batch
 * already applied writes nothing. Deadlocks, serialization failures and H2's duplicate-key errors
 * rerun the whole transaction, ledger check included.
 *
 * 15-minute rows. A delta the engine coarsened to 15 minutes changes a 15-minute row, so its sums
 * also go into the rows of every grid (hour and day rows), in the same transaction, after the grid
 * lock is taken shared (Grids#lockShared): a grid's rows stay equal to its 15-minute rows. Minute
 * deltas change minute rows only, which no grid row holds; they take no lock.
 *
 * Lock order. Rows are sorted by (bucket_start, series_hash, grain), the primary key's order, so
 * concurrent writers (and compaction, which locks in key order too) take row locks in one order
 * and rarely deadlock.
 *
 * Statements. CHUNK rows per statement, full chunks as one JDBC batch: far fewer round trips than
 * a statement per row, and a bounded number of distinct statement texts.
 *
 * Keys. series_hash is 16 bytes of SHA-256 over the three names, which keeps the primary key short
 * on MariaDB (3 x 256 utf8mb4 characters would not fit an InnoDB key).
 * </pre>
 */
final class RollupWriter {
  private static final int CHUNK = 128;
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException(e);
            }
          });

  private final Tables tables;
  private final DialectSql sql;
  private final Transactions tx;
  private final Clock clock;
  private final Grids grids;
  private final Map<Integer, String> upsertByRows = new ConcurrentHashMap<>();

  RollupWriter(Tables tables, DialectSql sql, Transactions tx, Clock clock, Grids grids) {
    this.tables = tables;
    this.sql = sql;
    this.tx = tx;
    this.clock = clock;
    this.grids = grids;
  }

  /** Applies the batch once: ledger row and rollup rows in one transaction. */
  void append(UsageBatch batch) {
    List<Row> rows = new ArrayList<>(batch.deltas().size());
    for (UsageDelta d : batch.deltas()) {
      // A coarsened delta (15 minutes) goes in as a 15-minute row, as compaction would write it,
      // so a MINUTE query over it fails clearly instead of showing it in its first minute.
      rows.add(
          new Row(
              d.start().getEpochSecond(),
              d.grain().minutes(),
              d.key(),
              seriesHash(d.key()),
              Measure.counts(d.totals())));
    }
    rows.sort(Row.ORDER);
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
    int full = rows.size() / CHUNK;
    if (full > 0) {
      try (PreparedStatement ps = tx.prepare(c, upsertSql(CHUNK))) {
        for (int i = 0; i < full; i++) {
          int p = 1;
          for (int r = i * CHUNK; r < (i + 1) * CHUNK; r++) p = bind(ps, p, rows.get(r));
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    int rest = rows.size() - full * CHUNK;
    if (rest > 0) {
      try (PreparedStatement ps = tx.prepare(c, upsertSql(rest))) {
        int p = 1;
        for (int r = full * CHUNK; r < rows.size(); r++) p = bind(ps, p, rows.get(r));
        ps.executeUpdate();
      }
    }
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

  /** The first 16 bytes of SHA-256 over {@code tenant NUL apiKey NUL model}, UTF-8. */
  static byte[] seriesHash(SeriesKey key) {
    MessageDigest md = SHA256.get();
    md.reset();
    md.update(key.tenant().getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
    md.update(key.apiKey().getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
    md.update(key.model().getBytes(StandardCharsets.UTF_8));
    return Arrays.copyOf(md.digest(), 16);
  }

  /** One rollup row to write; counts indexed by {@link Measure#ordinal()}. */
  private record Row(long start, int grain, SeriesKey key, byte[] hash, long[] counts) {
    static final Comparator<Row> ORDER =
        Comparator.comparingLong(Row::start)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.hash, b.hash))
            .thenComparingInt(Row::grain);
  }
}
