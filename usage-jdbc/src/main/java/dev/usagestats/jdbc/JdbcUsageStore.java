package dev.usagestats.jdbc;

import dev.usagestats.SeriesKey;
import dev.usagestats.UsageStoreException;
import dev.usagestats.UsageTotals;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import dev.usagestats.spi.UsageStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link UsageStore} that keeps rollups in SQL tables over a {@link DataSource}: H2 2.x,
 * PostgreSQL 15+ or MariaDB 10.11+ (MySQL-compatible).
 *
 * <pre>{@code
 * HikariDataSource ds = new HikariDataSource(config);
 * try (UsageStats stats =
 *     UsageStats.builder()
 *         .store(JdbcUsageStore.builder(ds).createSchema(true).build())
 *         .build()) {
 *   stats.record("acme", "key-7f3a", "public/deepseek-r1", 1200, 350);
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li><b>Atomic, once per batch.</b> A batch's rows and its ledger row (batch id, primary key)
 *       are written in one transaction; a batch id already in the ledger is a no-op, so a batch
 *       retried after an ambiguous failure (the commit may have happened) counts once.
 *   <li><b>Additive.</b> Rows are merged by additive upsert, so any number of nodes and store
 *       instances may write into the same tables concurrently and totals stay exact.
 *   <li><b>One snapshot per read.</b> {@link #read} reads rollups and ledger in one statement of a
 *       REPEATABLE READ transaction, so the engine adds exactly the pending batches the rows do not
 *       include.
 *   <li><b>Thread-safe.</b> Every call takes its own connection.
 * </ul>
 *
 * <pre>
 * Design notes
 *
 * Rows. One row per (bucket_start, series_hash, grain): bucket_start in epoch seconds, grain 1
 * (a UTC minute) or 15 (a 15-minute bucket); series_hash is 16 bytes of SHA-256 over the three
 * names, which keeps the primary key short on MariaDB (3 x 256 utf8mb4 characters would not fit
 * an InnoDB key). Rows of a batch are sorted before they are written, so concurrent writers lock
 * rows in one order and rarely deadlock; deadlocks, serialization failures and H2's duplicate-key
 * and concurrent-update errors roll back and rerun the whole transaction, ledger check included.
 *
 * Compaction. Minute rows older than compactAfter are folded into 15-minute rows, a slice at a
 * time, each slice in one transaction: SELECT ... FOR UPDATE the minute rows, add their sums to
 * the 15-minute rows, delete exactly the rows read, by key. A late event arriving meanwhile either
 * waits for the lock and is folded, or lands in a new minute row that a later pass folds; it is
 * never deleted unread. Every real zone offset is a multiple of 15 minutes, so 15-minute rows
 * still rebuild any local hour, day, week or month exactly.
 * </pre>
 */
public final class JdbcUsageStore implements UsageStore {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcUsageStore.class);
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,47}");
  private static final int MINUTE_GRAIN = 1;
  private static final int QUARTER_GRAIN = 15;
  private static final long QUARTER_S = 15 * 60;
  private static final long QUARTER_MS = QUARTER_S * 1000;
  private static final int CHUNK = 128;
  private static final int MAX_ATTEMPTS = 20;
  private static final long SLICE_S = 2 * 3600;
  private static final String COLUMNS =
      "bucket_start, series_hash, grain, tenant, api_key, model, calls, errors, input_tokens,"
          + " output_tokens, cached_input_tokens, reasoning_tokens";
  private static final String[] COUNTERS = {
    "calls", "errors", "input_tokens", "output_tokens", "cached_input_tokens", "reasoning_tokens"
  };
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException(e);
            }
          });

  private final DataSource dataSource;
  private final Dialect dialect;
  private final String rollup;
  private final String ledger;
  private final Clock clock;
  private final Duration compactAfter;
  private final Duration ledgerRetention;
  private final @Nullable ScheduledExecutorService compactor;
  private final Map<Integer, String> upsertSql = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private JdbcUsageStore(Builder b, Dialect dialect) {
    this.dataSource = b.dataSource;
    this.dialect = dialect;
    this.rollup = b.tablePrefix + "rollup";
    this.ledger = b.tablePrefix + "ledger";
    this.clock = b.clock;
    this.compactAfter = b.compactAfter;
    this.ledgerRetention = b.ledgerRetention;
    if (b.compactEvery.isZero()) {
      this.compactor = null;
    } else {
      ScheduledExecutorService s =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "usagestats-compactor");
                t.setDaemon(true);
                return t;
              });
      long every = b.compactEvery.toMillis();
      s.scheduleWithFixedDelay(this::compactQuietly, every, every, TimeUnit.MILLISECONDS);
      this.compactor = s;
    }
  }

  /**
   * A builder over {@code dataSource}, which the store borrows connections from and never closes.
   * Use a pool (HikariCP) for anything but tests.
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
  }

  /** The dialect in use, detected or set. */
  public Dialect dialect() {
    return dialect;
  }

  /** The rollup table's name (prefix included). */
  public String rollupTable() {
    return rollup;
  }

  /** The flush ledger table's name (prefix included). */
  public String ledgerTable() {
    return ledger;
  }

  // ---------------------------------------------------------------- append

  @Override
  public void append(UsageBatch batch) {
    Objects.requireNonNull(batch, "batch");
    checkOpen();
    List<Row> rows = new ArrayList<>(batch.deltas().size());
    for (UsageDelta d : batch.deltas()) {
      // A coarsened delta (15 minutes) goes in as a 15-minute row, as compaction would write it,
      // so a MINUTE query over it fails clearly instead of showing it in its first minute.
      int grain = d.grain().minutes();
      rows.add(new Row(d.start().getEpochSecond(), grain, d.key(), fieldsOf(d.totals())));
    }
    rows.sort(Row.ORDER);
    long now = clock.millis();
    inTransaction(
        "append batch " + batch.id(),
        Connection.TRANSACTION_READ_COMMITTED,
        c -> {
          if (insertLedger(c, batch, now)) upsert(c, rows);
          return null;
        });
  }

  /** Inserts the ledger row; false if the batch was applied before. */
  private boolean insertLedger(Connection c, UsageBatch batch, long now) throws SQLException {
    String sql =
        switch (dialect) {
          case POSTGRESQL ->
              "INSERT INTO "
                  + ledger
                  + " (batch_id, node_id, applied_at) VALUES (?, ?, ?) ON CONFLICT (batch_id) DO"
                  + " NOTHING";
          case MARIADB ->
              "INSERT IGNORE INTO " + ledger + " (batch_id, node_id, applied_at) VALUES (?, ?, ?)";
          case H2 ->
              "INSERT INTO "
                  + ledger
                  + " (batch_id, node_id, applied_at) SELECT CAST(? AS VARCHAR(128)), CAST(? AS"
                  + " VARCHAR(256)), CAST(? AS BIGINT) WHERE NOT EXISTS (SELECT 1 FROM "
                  + ledger
                  + " WHERE batch_id = ?)";
        };
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, batch.id());
      ps.setString(2, batch.nodeId());
      ps.setLong(3, now);
      if (dialect == Dialect.H2) ps.setString(4, batch.id());
      return ps.executeUpdate() == 1;
    }
  }

  /** Adds rows with an additive upsert, CHUNK rows per statement, full chunks as a JDBC batch. */
  private void upsert(Connection c, List<Row> rows) throws SQLException {
    int full = rows.size() / CHUNK;
    if (full > 0) {
      try (PreparedStatement ps = c.prepareStatement(upsertSql(CHUNK))) {
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
      try (PreparedStatement ps = c.prepareStatement(upsertSql(rest))) {
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
    for (long f : row.fields) ps.setLong(p++, f);
    return p;
  }

  private String upsertSql(int rows) {
    return upsertSql.computeIfAbsent(rows, this::buildUpsertSql);
  }

  private String buildUpsertSql(int rows) {
    StringBuilder sb = new StringBuilder(rows * 40 + 400);
    if (dialect == Dialect.H2) {
      sb.append("MERGE INTO ").append(rollup).append(" t USING (VALUES ");
      for (int r = 0; r < rows; r++) {
        if (r > 0) sb.append(", ");
        sb.append(
            "(CAST(? AS BIGINT), CAST(? AS BINARY(16)), CAST(? AS SMALLINT), CAST(? AS"
                + " VARCHAR(256)), CAST(? AS VARCHAR(256)), CAST(? AS VARCHAR(256)), CAST(? AS"
                + " BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS"
                + " BIGINT), CAST(? AS BIGINT))");
      }
      sb.append(") s(").append(COLUMNS).append(")");
      sb.append(
          " ON t.bucket_start = s.bucket_start AND t.series_hash = s.series_hash AND t.grain ="
              + " s.grain WHEN MATCHED THEN UPDATE SET ");
      for (int i = 0; i < COUNTERS.length; i++) {
        if (i > 0) sb.append(", ");
        sb.append(COUNTERS[i]).append(" = t.").append(COUNTERS[i]);
        sb.append(" + s.").append(COUNTERS[i]);
      }
      sb.append(" WHEN NOT MATCHED THEN INSERT (").append(COLUMNS).append(") VALUES (");
      String[] cols = COLUMNS.split(", ");
      for (int i = 0; i < cols.length; i++) {
        if (i > 0) sb.append(", ");
        sb.append("s.").append(cols[i]);
      }
      return sb.append(")").toString();
    }
    sb.append("INSERT INTO ").append(rollup).append(" (").append(COLUMNS).append(") VALUES ");
    for (int r = 0; r < rows; r++) {
      if (r > 0) sb.append(", ");
      sb.append("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    }
    if (dialect == Dialect.POSTGRESQL) {
      sb.append(" ON CONFLICT (bucket_start, series_hash, grain) DO UPDATE SET ");
      for (int i = 0; i < COUNTERS.length; i++) {
        if (i > 0) sb.append(", ");
        sb.append(COUNTERS[i]).append(" = ").append(rollup).append('.').append(COUNTERS[i]);
        sb.append(" + EXCLUDED.").append(COUNTERS[i]);
      }
    } else {
      sb.append(" ON DUPLICATE KEY UPDATE ");
      for (int i = 0; i < COUNTERS.length; i++) {
        if (i > 0) sb.append(", ");
        sb.append(COUNTERS[i]).append(" = ").append(COUNTERS[i]);
        sb.append(" + VALUES(").append(COUNTERS[i]).append(')');
      }
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- read

  /**
   * {@inheritDoc}
   *
   * <p>Minute rows older than {@code compactAfter} may have been folded into 15-minute rows; a
   * query whose bucket bounds split such a row (MINUTE buckets over a compacted range) throws
   * {@link IllegalArgumentException}. Hour, day, week and month bounds in real zones always fall on
   * 15-minute steps.
   */
  @Override
  public StoreResult read(StoreRead read) {
    Objects.requireNonNull(read, "read");
    checkOpen();
    long[] bounds = new long[read.bounds().size()];
    boolean quarterAligned = true;
    for (int i = 0; i < bounds.length; i++) {
      bounds[i] = read.bounds().get(i).toEpochMilli();
      if (Math.floorMod(bounds[i], QUARTER_MS) != 0) quarterAligned = false;
    }
    boolean aggregate = quarterAligned && dialect == Dialect.POSTGRESQL;
    long from = bounds[0];
    long to = bounds[bounds.length - 1];
    long lowS = Math.floorDiv(from, 1000) - (QUARTER_S - 60);
    long highS = -Math.floorDiv(-to, 1000);

    StringBuilder sql = new StringBuilder(512);
    List<Object> params = new ArrayList<>();
    if (aggregate) {
      // Sum across tenants (and keys) when the report does not need them: fewer groups to sum
      // and far fewer rows to send.
      String tenantCol = read.needsTenant() ? "tenant" : "''";
      String keyCol = read.needsApiKey() ? "api_key" : "''";
      sql.append("SELECT 0 AS kind, ")
          .append(tenantCol)
          .append(" AS tenant, ")
          .append(keyCol)
          .append(" AS api_key, model, width_bucket(bucket_start, ?) - 1 AS b");
      // SUM(bigint) is numeric in PostgreSQL; back to bigint, so the driver reads plain longs.
      for (String f : COUNTERS) {
        sql.append(", CAST(SUM(").append(f).append(") AS BIGINT) AS ").append(f);
      }
      params.add(new SecondsArray(bounds));
    } else {
      sql.append("SELECT 0 AS kind, tenant, api_key, model, bucket_start, grain");
      for (String f : COUNTERS) sql.append(", ").append(f);
    }
    sql.append(" FROM ").append(rollup).append(" WHERE bucket_start >= ? AND bucket_start < ?");
    params.add(aggregate ? Math.floorDiv(from, 1000) : lowS);
    params.add(highS);
    if (read.tenant() != null) {
      sql.append(" AND tenant = ?");
      params.add(read.tenant());
    }
    in(sql, params, "api_key", read.apiKeys());
    in(sql, params, "model", read.models());
    if (aggregate) sql.append(" GROUP BY 2, 3, 4, 5");
    if (!read.batchIds().isEmpty()) {
      sql.append(" UNION ALL SELECT 1, batch_id, batch_id, batch_id, 0");
      if (!aggregate) sql.append(", 0");
      for (int i = 0; i < COUNTERS.length; i++) sql.append(", 0");
      sql.append(" FROM ").append(ledger).append(" WHERE");
      in(sql, params, "batch_id", read.batchIds());
    }
    String q = sql.toString().replace("WHERE AND", "WHERE");

    return inTransaction(
        "read",
        Connection.TRANSACTION_REPEATABLE_READ,
        c -> {
          Map<RowId, long[]> sums = new HashMap<>();
          Set<String> applied = new HashSet<>();
          if (aggregate) {
            // Lets the planner sum groups in a hash table instead of an on-disk sort; the
            // setting ends with this read-only transaction.
            try (Statement st = c.createStatement()) {
              st.execute("SET LOCAL work_mem = '32MB'");
            }
          }
          try (PreparedStatement ps = c.prepareStatement(q)) {
            int p = 1;
            for (Object o : params) {
              if (o instanceof SecondsArray a) {
                ps.setArray(p++, a.toSql(c));
              } else if (o instanceof Long l) {
                ps.setLong(p++, l);
              } else {
                ps.setString(p++, (String) o);
              }
            }
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                if (rs.getInt(1) == 1) {
                  applied.add(rs.getString(2));
                  continue;
                }
                SeriesKey key = new SeriesKey(rs.getString(2), rs.getString(3), rs.getString(4));
                int col = aggregate ? 6 : 7;
                int bucket;
                if (aggregate) {
                  bucket = rs.getInt(5);
                  if (bucket < 0 || bucket >= bounds.length - 1) continue;
                } else {
                  long s = rs.getLong(5) * 1000;
                  long e = s + rs.getInt(6) * 60_000L;
                  if (e <= from || s >= to) continue;
                  bucket = bucketOf(bounds, s);
                  if (s < from || e > bounds[bucket + 1]) {
                    throw new IllegalArgumentException(
                        "granularity must allow 15-minute rows: minute rows older than"
                            + " compactAfter ("
                            + compactAfter
                            + ") were folded into 15-minute rows, and the bucket bounds split"
                            + " the row at "
                            + Instant.ofEpochMilli(s));
                  }
                }
                long[] acc = sums.computeIfAbsent(new RowId(key, bucket), k -> new long[6]);
                for (int f = 0; f < 6; f++) acc[f] += rs.getLong(col + f);
              }
            }
          }
          c.commit();
          List<StoreResult.Row> rows = new ArrayList<>(sums.size());
          sums.forEach((k, v) -> rows.add(new StoreResult.Row(k.key, k.bucket, totalsOf(v))));
          return new StoreResult(rows, applied);
        });
  }

  private static void in(StringBuilder sql, List<Object> params, String column, Set<String> vals) {
    if (vals.isEmpty()) return;
    sql.append(" AND ").append(column).append(" IN (");
    int i = 0;
    for (String v : vals) {
      if (i++ > 0) sql.append(", ");
      sql.append('?');
      params.add(v);
    }
    sql.append(')');
  }

  private static int bucketOf(long[] bounds, long millis) {
    int i = Arrays.binarySearch(bounds, millis);
    return i >= 0 ? Math.min(i, bounds.length - 2) : Math.max(-i - 2, 0);
  }

  private record SecondsArray(long[] millis) {
    Array toSql(Connection c) throws SQLException {
      Long[] s = new Long[millis.length];
      for (int i = 0; i < s.length; i++) s[i] = Math.floorDiv(millis[i], 1000);
      return c.createArrayOf("bigint", s);
    }
  }

  private record RowId(SeriesKey key, int bucket) {}

  // ---------------------------------------------------------------- compaction

  /**
   * Folds minute rows older than {@code compactAfter} into 15-minute rows, and forgets ledger rows
   * older than {@code ledgerRetention}. Each 2-hour slice is folded in one transaction; totals of
   * any range whose bounds fall on 15-minute steps are unchanged. Safe to run on several nodes at
   * once and while batches are appended.
   *
   * @return the number of minute rows folded
   * @throws UsageStoreException if the database fails
   */
  public long compact() {
    checkOpen();
    long cutoffS =
        Math.floorDiv(clock.instant().minus(compactAfter).getEpochSecond(), QUARTER_S) * QUARTER_S;
    long folded = 0;
    while (true) {
      Long oldest =
          inTransaction(
              "compact",
              Connection.TRANSACTION_READ_COMMITTED,
              c -> {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "SELECT MIN(bucket_start) FROM "
                            + rollup
                            + " WHERE grain = 1 AND bucket_start < ?")) {
                  ps.setLong(1, cutoffS);
                  try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long v = rs.getLong(1);
                    Long out = rs.wasNull() ? null : v;
                    c.commit();
                    return out;
                  }
                }
              });
      if (oldest == null) break;
      long start = Math.floorDiv(oldest, QUARTER_S) * QUARTER_S;
      long end = Math.min(start + SLICE_S, cutoffS);
      folded +=
          inTransaction(
              "compact slice at " + Instant.ofEpochSecond(start),
              Connection.TRANSACTION_READ_COMMITTED,
              c -> foldSlice(c, start, end));
    }
    long keepFrom = clock.millis() - ledgerRetention.toMillis();
    inTransaction(
        "prune ledger",
        Connection.TRANSACTION_READ_COMMITTED,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM " + ledger + " WHERE applied_at < ?")) {
            ps.setLong(1, keepFrom);
            return ps.executeUpdate();
          }
        });
    return folded;
  }

  private long foldSlice(Connection c, long startS, long endS) throws SQLException {
    Map<RowKeyHash, Row> quarters = new HashMap<>();
    List<Row> read = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM "
                + rollup
                + " WHERE grain = 1 AND bucket_start >= ? AND bucket_start < ?"
                + " ORDER BY bucket_start, series_hash FOR UPDATE")) {
      ps.setLong(1, startS);
      ps.setLong(2, endS);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long s = rs.getLong(1);
          byte[] hash = rs.getBytes(2);
          SeriesKey key = new SeriesKey(rs.getString(4), rs.getString(5), rs.getString(6));
          long[] f = new long[6];
          for (int i = 0; i < 6; i++) f[i] = rs.getLong(7 + i);
          read.add(new Row(s, MINUTE_GRAIN, key, hash, f));
          long q = Math.floorDiv(s, QUARTER_S) * QUARTER_S;
          Row qr =
              quarters.computeIfAbsent(
                  new RowKeyHash(q, new HashBytes(hash)),
                  k -> new Row(q, QUARTER_GRAIN, key, hash, new long[6]));
          for (int i = 0; i < 6; i++) qr.fields[i] += f[i];
        }
      }
    }
    if (read.isEmpty()) return 0;
    List<Row> up = new ArrayList<>(quarters.values());
    up.sort(Row.ORDER);
    upsert(c, up);
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM "
                + rollup
                + " WHERE bucket_start = ? AND series_hash = ? AND grain = 1")) {
      for (Row r : read) {
        ps.setLong(1, r.start);
        ps.setBytes(2, r.hash);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    return read.size();
  }

  private record HashBytes(byte[] b) {
    @Override
    public boolean equals(Object o) {
      return o instanceof HashBytes h && Arrays.equals(b, h.b);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(b);
    }
  }

  private record RowKeyHash(long start, HashBytes hash) {}

  private void compactQuietly() {
    try {
      compact();
    } catch (RuntimeException e) {
      LOG.warn("usage store compaction failed; will retry at the next run", e);
    }
  }

  // ---------------------------------------------------------------- plumbing

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs work in a transaction, rerunning it from the start on deadlocks, serialization failures
   * and H2's merge races. Any other failure, a failed commit included, throws: the engine keeps the
   * batch and retries it, and the ledger makes that retry a no-op if the commit happened.
   */
  private <T> T inTransaction(String what, int isolation, Work<T> work) {
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
        if (!dialect.isTransient(e) || attempt == MAX_ATTEMPTS) break;
        try {
          Thread.sleep(ThreadLocalRandom.current().nextLong(1, 2L + 2L * attempt));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new UsageStoreException(
        "usage store could not " + what + ": " + (last == null ? "interrupted" : last), last);
  }

  private void checkOpen() {
    if (closed) throw new UsageStoreException("usage store is closed");
  }

  /** Stops background compaction. Does not close the {@link DataSource}. Idempotent. */
  @Override
  public void close() {
    closed = true;
    ScheduledExecutorService s = compactor;
    if (s != null) s.shutdownNow();
  }

  private static long[] fieldsOf(UsageTotals t) {
    return new long[] {
      t.calls(),
      t.errors(),
      t.inputTokens(),
      t.outputTokens(),
      t.cachedInputTokens(),
      t.reasoningTokens()
    };
  }

  private static UsageTotals totalsOf(long[] f) {
    return new UsageTotals(f[0], f[1], f[2], f[3], f[4], 0, f[5]);
  }

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

  /** One rollup row to write. */
  private static final class Row {
    static final Comparator<Row> ORDER =
        Comparator.<Row>comparingLong(r -> r.start)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.hash, b.hash))
            .thenComparingInt(r -> r.grain);

    final long start;
    final int grain;
    final SeriesKey key;
    final byte[] hash;
    final long[] fields;

    Row(long start, int grain, SeriesKey key, long[] fields) {
      this(start, grain, key, seriesHash(key), fields);
    }

    Row(long start, int grain, SeriesKey key, byte[] hash, long[] fields) {
      this.start = start;
      this.grain = grain;
      this.key = key;
      this.hash = hash;
      this.fields = fields;
    }
  }

  /**
   * Builds a {@link JdbcUsageStore}. Each setter checks its argument at once. Not thread-safe.
   *
   * <pre>{@code
   * JdbcUsageStore store =
   *     JdbcUsageStore.builder(dataSource)
   *         .tablePrefix("usage_")
   *         .createSchema(true)
   *         .compactAfter(Duration.ofDays(2))
   *         .compactEvery(Duration.ofHours(1))
   *         .build();
   * }</pre>
   */
  public static final class Builder {
    private final DataSource dataSource;
    private @Nullable Dialect dialect;
    private String tablePrefix = "usage_";
    private boolean createSchema;
    private Duration compactAfter = Duration.ofDays(2);
    private Duration compactEvery = Duration.ZERO;
    private Duration ledgerRetention = Duration.ofDays(7);
    private Clock clock = Clock.systemUTC();

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /** The SQL dialect (default: detected from the database's product name). */
    public Builder dialect(Dialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * Prepended to the table names {@code rollup} and {@code ledger} (default {@code usage_}): a
     * letter or underscore, then letters, digits or underscores, 48 characters at most.
     */
    public Builder tablePrefix(String tablePrefix) {
      Objects.requireNonNull(tablePrefix, "tablePrefix");
      if (!PREFIX.matcher(tablePrefix).matches()) {
        throw new IllegalArgumentException(
            "tablePrefix must match " + PREFIX.pattern() + ": '" + tablePrefix + "'");
      }
      this.tablePrefix = tablePrefix;
      return this;
    }

    /**
     * Whether {@link #build()} creates missing tables and indexes from the dialect's script
     * (default false: apply {@link Dialect#schemaResource()} with your migration tool).
     */
    public Builder createSchema(boolean createSchema) {
      this.createSchema = createSchema;
      return this;
    }

    /**
     * Age after which {@link JdbcUsageStore#compact()} folds minute rows into 15-minute rows
     * (default 2 days). MINUTE queries reach back this far.
     */
    public Builder compactAfter(Duration compactAfter) {
      Objects.requireNonNull(compactAfter, "compactAfter");
      if (compactAfter.compareTo(Duration.ofMinutes(15)) < 0) {
        throw new IllegalArgumentException("compactAfter must be >= PT15M: " + compactAfter);
      }
      this.compactAfter = compactAfter;
      return this;
    }

    /**
     * How often a background thread runs {@link JdbcUsageStore#compact()} (default {@link
     * Duration#ZERO}: never; call it from your own scheduler).
     */
    public Builder compactEvery(Duration compactEvery) {
      Objects.requireNonNull(compactEvery, "compactEvery");
      if (compactEvery.isNegative()) {
        throw new IllegalArgumentException("compactEvery must be >= 0: " + compactEvery);
      }
      this.compactEvery = compactEvery;
      return this;
    }

    /**
     * How long ledger rows are kept by {@link JdbcUsageStore#compact()} (default 7 days). A batch
     * retried later than this would count twice; the engine retries a batch only while it runs.
     */
    public Builder ledgerRetention(Duration ledgerRetention) {
      Objects.requireNonNull(ledgerRetention, "ledgerRetention");
      if (ledgerRetention.compareTo(Duration.ofHours(1)) < 0) {
        throw new IllegalArgumentException("ledgerRetention must be >= PT1H: " + ledgerRetention);
      }
      this.ledgerRetention = ledgerRetention;
      return this;
    }

    /** The clock for ledger times and compaction ages (default {@link Clock#systemUTC()}). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Detects the dialect if not set, creates the schema if asked, and builds the store.
     *
     * @throws UsageStoreException if the database cannot be reached or the schema not created
     * @throws IllegalStateException if the database is not one of the supported dialects
     */
    public JdbcUsageStore build() {
      Dialect d = dialect;
      try (Connection c = dataSource.getConnection()) {
        if (d == null) d = Dialect.detect(c.getMetaData());
        if (createSchema) createSchema(c, d);
      } catch (SQLException e) {
        throw new UsageStoreException("usage store could not be set up: " + e, e);
      }
      return new JdbcUsageStore(this, d);
    }

    private void createSchema(Connection c, Dialect d) throws SQLException {
      String script;
      try (InputStream in =
          JdbcUsageStore.class.getClassLoader().getResourceAsStream(d.schemaResource())) {
        if (in == null) throw new IllegalStateException("missing " + d.schemaResource());
        script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + d.schemaResource(), e);
      }
      StringBuilder clean = new StringBuilder();
      for (String line : script.split("\n")) {
        if (!line.trim().startsWith("--")) clean.append(line).append('\n');
      }
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        for (String sql : clean.toString().replace("${prefix}", tablePrefix).split(";")) {
          if (sql.isBlank()) continue;
          try {
            st.execute(sql);
          } catch (SQLException e) {
            // Two nodes creating the same table at once: the loser's IF NOT EXISTS can still
            // collide in PostgreSQL's catalog. Once the object exists, running again is a no-op.
            st.execute(sql);
          }
        }
      } finally {
        c.setAutoCommit(auto);
      }
    }
  }
}
