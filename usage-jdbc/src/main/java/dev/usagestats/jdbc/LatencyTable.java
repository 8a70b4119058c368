package dev.usagestats.jdbc;

import dev.usagestats.LatencyHistogram;
import dev.usagestats.LatencyTotals;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageStoreException;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latency table: histograms of duration and time to first token per series, span and part. Used
 * by {@link RollupWriter} (a batch's rows, in the append's transaction), {@link RollupReader} (the
 * rows of a read, in the read's snapshot) and {@link Compactor} (a slice's rows folded, in the
 * slice's transaction). Its SQL is the same in every dialect.
 *
 * <p>Thread-safe: the only state is a cache of insert statements by row count, a concurrent map;
 * every call works on the connection it is given, inside its caller's transaction.
 *
 * <pre>
 * Design notes
 *
 * Appended, merged when read. Histograms cannot be added by an SQL upsert, so latency rows are
 * never updated: a batch inserts one row per (span, series, grain) it has latency for, keyed by
 * the rollup key plus part_id, the first 16 bytes of SHA-256 over the batch id. Rows of different
 * batches and nodes never collide; the insert runs in the transaction of the batch's ledger row,
 * so a batch already applied inserts nothing (never twice), and one that fails inserts nothing
 * either (never lost: the engine retries it). Reads add the rows of a bucket in Java.
 *
 * Only calls with latency. A delta whose latency is empty writes no row: a rollup row without
 * latency rows (all rows written before schema version 5) reads as LatencyTotals.empty().
 *
 * Folded in place. Compaction reads a slice's rows (minute and quarter-hour) with SELECT ... FOR
 * UPDATE, merges them per series and quarter hour in Java, deletes exactly the rows it read, by
 * primary key, and inserts one quarter-hour row per group under a fresh random part_id, all in the
 * slice's transaction. The locks keep another compaction from folding the same rows (it waits,
 * then finds them gone, or fails and reruns), so no row is folded twice; a row appended after the
 * locking read is not deleted and a later pass folds it, so none is lost. A read sees the slice's
 * rows before the commit or the folded row after, never both.
 *
 * Encoding. LatencyHistogram.encode(): varints of the non-empty bins, deflated when shorter; an
 * empty histogram is NULL. At most some 20 KB (every one of 2,048 bins with a 63-bit count), which
 * each dialect's column holds.
 * </pre>
 */
final class LatencyTable {
  private static final int CHUNK = 128;
  private static final int FETCH_SIZE = 10_000;
  private static final int DELETE_BATCH = 1_000;
  private static final long QUARTER_S = Grain.QUARTER_HOUR.seconds();
  private static final int QUARTER_MINUTES = Grain.QUARTER_HOUR.minutes();
  private static final int MINUTE = Grain.MINUTE.minutes();

  /** The columns a read selects, from {@link #READ_FIRST_VALUE} on the latency values. */
  static final String READ_COLUMNS =
      "tenant, api_key, model, bucket_start, grain, duration_histogram, first_token_histogram,"
          + " streamed_output_tokens, generation_millis";

  /** The 1-based column of a read's first latency value ({@code duration_histogram}). */
  static final int READ_FIRST_VALUE = 6;

  private final Tables tables;
  private final Map<Integer, String> insertByRows = new ConcurrentHashMap<>();

  LatencyTable(Tables tables) {
    this.tables = tables;
  }

  /** Whether {@code t} holds anything to store. */
  static boolean hasLatency(LatencyTotals t) {
    return !t.isEmpty() || t.streamedOutputTokens() != 0 || t.generationMillis() != 0;
  }

  /**
   * The rows a batch appends: one per span, grain and series with latency (deltas of one key in a
   * batch merged), in primary key order. Built once, before the transaction, which may run again.
   */
  static List<Row> rowsOf(UsageBatch batch) {
    Map<Span, LatencyTotals> merged = new LinkedHashMap<>();
    for (UsageDelta d : batch.deltas()) {
      if (!hasLatency(d.latency())) continue;
      Span s = new Span(d.start().getEpochSecond(), d.grain().minutes(), d.key());
      merged.merge(s, d.latency(), LatencyTotals::plus);
    }
    if (merged.isEmpty()) return List.of();
    byte[] part = Keys.partId(batch.id());
    List<Row> rows = new ArrayList<>(merged.size());
    merged.forEach(
        (s, t) -> rows.add(new Row(s.start, Keys.seriesHash(s.key), s.grain, part, s.key, t)));
    rows.sort(Row.ORDER);
    return rows;
  }

  /** Inserts rows, {@code CHUNK} per statement, full chunks as one JDBC batch. */
  void insert(Connection c, Transactions tx, List<Row> rows) throws SQLException {
    tx.inChunks(c, rows, CHUNK, this::insertSql, LatencyTable::bind);
  }

  private String insertSql(int rows) {
    return insertByRows.computeIfAbsent(
        rows,
        n -> {
          String row = "(" + "?, ".repeat(Tables.LATENCY_COLUMNS.size() - 1) + "?)";
          StringBuilder sb = new StringBuilder("INSERT INTO ").append(tables.latency());
          sb.append(" (").append(Tables.list(Tables.LATENCY_COLUMNS, "")).append(") VALUES ");
          for (int r = 0; r < n; r++) sb.append(r > 0 ? ", " : "").append(row);
          return sb.toString();
        });
  }

  private static int bind(PreparedStatement ps, int p, Row row) throws SQLException {
    ps.setLong(p++, row.start);
    ps.setBytes(p++, row.hash);
    ps.setShort(p++, (short) row.grain);
    ps.setBytes(p++, row.part);
    ps.setString(p++, row.key.tenant());
    ps.setString(p++, row.key.apiKey());
    ps.setString(p++, row.key.model());
    p = bindHistogram(ps, p, row.latency.duration());
    p = bindHistogram(ps, p, row.latency.timeToFirstToken());
    ps.setLong(p++, row.latency.streamedOutputTokens());
    ps.setLong(p++, row.latency.generationMillis());
    return p;
  }

  private static int bindHistogram(PreparedStatement ps, int p, LatencyHistogram h)
      throws SQLException {
    if (h.isEmpty()) {
      ps.setNull(p, Types.VARBINARY);
    } else {
      ps.setBytes(p, h.encode());
    }
    return p + 1;
  }

  /** {@code SELECT <READ_COLUMNS> FROM <latency> WHERE <where>}. */
  String readSql(String where) {
    return "SELECT " + READ_COLUMNS + " FROM " + tables.latency() + " WHERE " + where;
  }

  /**
   * The latency of the current row of {@code rs}, whose columns from {@code first} on are the two
   * histograms and the two sums.
   *
   * @throws UsageStoreException if a stored histogram is not one this release reads
   */
  static LatencyTotals latencyAt(ResultSet rs, int first) throws SQLException {
    LatencyHistogram duration = histogramAt(rs, first);
    LatencyHistogram firstToken = histogramAt(rs, first + 1);
    long streamed = rs.getLong(first + 2);
    long generation = rs.getLong(first + 3);
    try {
      return new LatencyTotals(duration, firstToken, streamed, generation);
    } catch (IllegalArgumentException e) {
      throw corrupt(rs, e);
    }
  }

  private static LatencyHistogram histogramAt(ResultSet rs, int column) throws SQLException {
    byte[] b = rs.getBytes(column);
    if (b == null) return LatencyHistogram.empty();
    try {
      return LatencyHistogram.decode(b);
    } catch (IllegalArgumentException e) {
      throw corrupt(rs, e);
    }
  }

  private static UsageStoreException corrupt(ResultSet rs, IllegalArgumentException e)
      throws SQLException {
    return new UsageStoreException(
        "usage store could not read the latency row at bucket_start "
            + rs.getLong("bucket_start")
            + ", grain "
            + rs.getInt("grain")
            + ": "
            + e.getMessage(),
        e);
  }

  /**
   * Folds the latency rows of the slice {@code [startS, endS)} (whole quarter hours) into one
   * quarter-hour row per series and quarter hour, inside the caller's transaction; a quarter hour
   * that holds one quarter-hour row of a series and nothing else is left as it is.
   *
   * @return the number of rows read (for sizing the next slice)
   * @throws SQLException with SQLState 40001 (a serialization failure: the caller reruns the slice)
   *     if a row read was deleted by someone else before this fold deleted it
   */
  long fold(Connection c, Transactions tx, long startS, long endS) throws SQLException {
    Map<Group, List<Row>> groups = new HashMap<>();
    long read = 0;
    try (PreparedStatement ps =
        tx.prepare(
            c,
            "SELECT "
                + Tables.list(Tables.LATENCY_COLUMNS, "")
                + " FROM "
                + tables.latency()
                + " WHERE bucket_start >= ? AND bucket_start < ? AND grain IN ("
                + MINUTE
                + ", "
                + QUARTER_MINUTES
                + ") FOR UPDATE")) {
      ps.setFetchSize(FETCH_SIZE);
      ps.setLong(1, startS);
      ps.setLong(2, endS);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          read++;
          long start = rs.getLong(1);
          byte[] hash = rs.getBytes(2);
          SeriesKey key = new SeriesKey(rs.getString(5), rs.getString(6), rs.getString(7));
          Row row = new Row(start, hash, rs.getInt(3), rs.getBytes(4), key, latencyAt(rs, 8));
          Group g = new Group(start - Math.floorMod(start, QUARTER_S), ByteBuffer.wrap(hash));
          groups.computeIfAbsent(g, k -> new ArrayList<>(4)).add(row);
        }
      }
    }
    List<Row> gone = new ArrayList<>();
    List<Row> folded = new ArrayList<>();
    for (Map.Entry<Group, List<Row>> e : groups.entrySet()) {
      List<Row> rows = e.getValue();
      if (rows.size() == 1 && rows.get(0).grain == QUARTER_MINUTES) continue;
      LatencySum sum = new LatencySum();
      for (Row r : rows) sum.add(r.latency);
      gone.addAll(rows);
      Row first = rows.get(0);
      folded.add(
          new Row(
              e.getKey().quarter,
              first.hash,
              QUARTER_MINUTES,
              Keys.newPartId(),
              first.key,
              sum.totals()));
    }
    if (gone.isEmpty()) return read;
    gone.sort(Row.ORDER);
    delete(c, tx, gone);
    folded.sort(Row.ORDER);
    insert(c, tx, folded);
    return read;
  }

  /** Deletes rows by primary key; every one must still be there. */
  private void delete(Connection c, Transactions tx, List<Row> rows) throws SQLException {
    try (PreparedStatement ps =
        tx.prepare(
            c,
            "DELETE FROM "
                + tables.latency()
                + " WHERE bucket_start = ? AND series_hash = ? AND grain = ? AND part_id = ?")) {
      for (int from = 0; from < rows.size(); from += DELETE_BATCH) {
        int to = Math.min(rows.size(), from + DELETE_BATCH);
        for (Row r : rows.subList(from, to)) {
          ps.setLong(1, r.start);
          ps.setBytes(2, r.hash);
          ps.setShort(3, (short) r.grain);
          ps.setBytes(4, r.part);
          ps.addBatch();
        }
        for (int n : ps.executeBatch()) {
          // A driver may not say (SUCCESS_NO_INFO); the rows are locked by this transaction then.
          if (n != 1 && n != Statement.SUCCESS_NO_INFO) {
            throw new SQLException(
                "a latency row read for folding was deleted meanwhile: " + n + " rows deleted",
                "40001");
          }
        }
      }
    }
  }

  /** A span of one series at one grain: where a batch's deltas of one key merge. */
  private record Span(long start, int grain, SeriesKey key) {}

  /** A series in a quarter hour: what compaction folds into one row. */
  private record Group(long quarter, ByteBuffer hash) {}

  /** A latency row: its primary key, names and values. */
  record Row(
      long start, byte[] hash, int grain, byte[] part, SeriesKey key, LatencyTotals latency) {
    static final Comparator<Row> ORDER =
        Comparator.comparingLong(Row::start)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.hash, b.hash))
            .thenComparingInt(Row::grain)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.part, b.part));
  }
}
