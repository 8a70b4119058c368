package dev.usagestats.jdbc;

import dev.usagestats.spi.Measure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * H2 2.x: {@code MERGE INTO ... USING}, reads summed in Java, compaction through a data change
 * delta table ({@code OLD TABLE (DELETE ...)}). H2 commits each DDL statement and has no advisory
 * lock, so schema steps are written to run again and the schema manager retries them. Stateless;
 * used through {@link Dialect#H2}.
 */
final class H2Sql implements DialectSql {
  /**
   * Unique key, "concurrent update", lock timeout, deadlock: what H2 raises when two connections
   * merge the same new key or one changes a row another's snapshot holds.
   */
  private static final Set<String> RETRY_STATES = Set.of("23505", "90131", "HYT00", "40001");

  private static final Set<Integer> RETRY_CODES = Set.of(50200, 90131, 23505, 40001);

  private static final String ROW_TYPES;

  static {
    StringBuilder sb = new StringBuilder("(CAST(? AS BIGINT), CAST(? AS BINARY(16)),");
    sb.append(" CAST(? AS SMALLINT), CAST(? AS VARCHAR(256)), CAST(? AS VARCHAR(256)),");
    sb.append(" CAST(? AS VARCHAR(256))");
    for (int i = 0; i < Tables.measureColumns().size(); i++) sb.append(", CAST(? AS BIGINT)");
    ROW_TYPES = sb.append(')').toString();
  }

  @Override
  public String scriptFolder() {
    return "db/usagestats/h2";
  }

  @Override
  public String additiveUpsert(Tables t, String source) {
    StringBuilder sb = new StringBuilder("MERGE INTO ").append(t.rollup()).append(" t USING (");
    sb.append(source).append(") s(").append(Tables.list(Tables.COLUMNS, "")).append(')');
    sb.append(" ON t.bucket_start = s.bucket_start AND t.series_hash = s.series_hash");
    sb.append(" AND t.grain = s.grain WHEN MATCHED THEN UPDATE SET ");
    String sep = "";
    for (Measure m : Measure.all()) {
      String c = m.column();
      sb.append(sep).append(c).append(" = ").append(DialectSql.merge(m, "t." + c, "s." + c));
      sep = ", ";
    }
    sb.append(" WHEN NOT MATCHED THEN INSERT (").append(Tables.list(Tables.COLUMNS, ""));
    sb.append(") VALUES (").append(Tables.list(Tables.COLUMNS, "s.")).append(')');
    return sb.toString();
  }

  /** Typed: H2 cannot infer parameter types in a VALUES list. */
  @Override
  public String valuesRow() {
    return ROW_TYPES;
  }

  @Override
  public String ledgerInsert(Tables t) {
    return "MERGE INTO "
        + t.ledger()
        + " t USING (VALUES (CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(256)), CAST(? AS BIGINT)))"
        + " s(batch_id, node_id, applied_at) ON t.batch_id = s.batch_id"
        + " WHEN NOT MATCHED THEN INSERT (batch_id, node_id, applied_at)"
        + " VALUES (s.batch_id, s.node_id, s.applied_at)";
  }

  /**
   * H2's SNAPSHOT (JDBC level 6): its REPEATABLE READ takes a table's snapshot when a transaction
   * first reads that table, so the latency table, read after the rollup and ledger statement, could
   * show batches the ledger part did not. SNAPSHOT fixes one snapshot for the whole transaction.
   */
  @Override
  public int readIsolation() {
    return TRANSACTION_SNAPSHOT;
  }

  /** H2's JDBC value of its SNAPSHOT isolation level ({@code org.h2.engine.Constants}). */
  private static final int TRANSACTION_SNAPSHOT = 6;

  /**
   * REPEATABLE READ: the count and the delete see one snapshot, so the count is exact; a row an
   * append changes after the snapshot makes the delete fail with a serialization error (40001), and
   * the fold is retried.
   */
  @Override
  public int foldIsolation() {
    return Connection.TRANSACTION_REPEATABLE_READ;
  }

  /**
   * The quarter rows' merge reads its source from the rows its own DELETE removed ({@code OLD
   * TABLE}), so it adds exactly what it deletes; the grids' merge before it reads the same rows
   * from the transaction's snapshot, which the delete then removes or fails on (a row changed since
   * fails it with a serialization error, and the slice is retried). A row appended after the
   * snapshot is neither summed nor deleted, and the next pass folds it.
   */
  @Override
  public List<FoldStep> foldSlice(Tables t, List<Grid> grids) {
    String where = " WHERE " + DialectSql.SLICE;
    String deleted = "OLD TABLE (DELETE FROM " + t.rollup() + where + ")";
    List<FoldStep> steps = new java.util.ArrayList<>();
    steps.add(new FoldStep("SELECT COUNT(*) FROM " + t.rollup() + where, FoldStep.Kind.COUNT));
    if (!grids.isEmpty()) {
      steps.add(
          new FoldStep(
              additiveUpsert(t, DialectSql.gridsSource(t.rollup() + where, grids)),
              FoldStep.Kind.UPDATE));
    }
    steps.add(
        new FoldStep(
            additiveUpsert(t, DialectSql.foldSource(deleted, List.of())), FoldStep.Kind.UPDATE));
    return List.copyOf(steps);
  }

  @Override
  public boolean transactionalDdl() {
    return false;
  }

  @Override
  public boolean locksSchema() {
    return false;
  }

  /**
   * H2 has no advisory lock, so upgrades in one JVM (the embedded case) take a lock of this JVM: a
   * second store waits, then finds the schema current and runs no step (H2 rebuilds a table on
   * ALTER, and an insert by a store already built could otherwise be lost to it). Stores in other
   * JVMs (H2 server mode) still rely on steps that run again without harm, and on retries.
   */
  @Override
  public void lockSchema(Connection c, String name) {
    SCHEMA_LOCKS.computeIfAbsent(name, n -> new ReentrantLock()).lock();
  }

  @Override
  public void unlockSchema(Connection c, String name) {
    ReentrantLock lock = SCHEMA_LOCKS.get(name);
    if (lock != null && lock.isHeldByCurrentThread()) lock.unlock();
  }

  private static final ConcurrentHashMap<String, ReentrantLock> SCHEMA_LOCKS =
      new ConcurrentHashMap<>();

  @Override
  public boolean isMissingTable(SQLException e) {
    return "42S04".equals(e.getSQLState()) || "42S02".equals(e.getSQLState());
  }

  /**
   * Duplicate keys (23505) are rerun first, as a merge race; one that persists through every rerun
   * is two rows of one key in the batch, and counts as refused content like any class 23 state.
   */
  @Override
  public boolean isTransient(SQLException e) {
    return DialectSql.matches(e, RETRY_STATES, RETRY_CODES);
  }

  /** Sets go as one array parameter ({@code = ANY(?)}), which H2 matches without a long IN list. */
  @Override
  public boolean bindsArrays() {
    return true;
  }

  /** H2 arrays hold at most 65,536 elements. */
  @Override
  public int maxSetSize() {
    return 50_000;
  }

  @Override
  public String inArray(String column) {
    return column + " = ANY(?)";
  }

  @Override
  public void bindArray(Connection c, PreparedStatement ps, int index, String[] values)
      throws SQLException {
    ps.setArray(index, c.createArrayOf("VARCHAR", values));
  }
}
