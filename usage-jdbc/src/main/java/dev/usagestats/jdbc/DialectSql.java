package dev.usagestats.jdbc;

import dev.usagestats.spi.Measure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * The SQL of one dialect, all of it in one place: the additive upsert, the ledger insert, the
 * summing read, the compaction statements, the schema lock, and which errors are worth a retry.
 * {@link Dialect} holds one implementation per constant ({@link H2Sql}, {@link PostgresSql}, {@link
 * MariaDbSql}); the writer, reader, compactor and schema manager ask it for statements and never
 * branch on the dialect themselves.
 *
 * <p>Implementations are stateless and thread-safe. Statements take table names from {@link Tables}
 * and the measure columns from {@link Tables#COLUMNS}, so no dialect lists the counters.
 */
interface DialectSql {
  /** The class-path folder of this dialect's versioned scripts: {@code db/usagestats/h2}. */
  String scriptFolder();

  /**
   * An additive upsert into the rollup table of the rows {@code source} yields ({@code VALUES ...}
   * or a {@code SELECT}), one column per {@link Tables#COLUMNS} in that order: a new key is
   * inserted, an existing key gets every measure added.
   */
  String additiveUpsert(Tables t, String source);

  /** One row of a {@code VALUES} list: a parameter per rollup column, typed where needed. */
  String valuesRow();

  /**
   * Inserts the ledger row {@code (batch_id, node_id, applied_at)}, three parameters in that order,
   * unless the batch id is there already: the update count is 1 if inserted, 0 if not.
   */
  String ledgerInsert(Tables t);

  /**
   * Whether a read whose bucket bounds fall on 15-minute steps is summed per bucket in SQL, with
   * {@link #bucketIndex()}; otherwise (the default) rows are summed in Java.
   */
  default boolean sumsBucketsInSql() {
    return false;
  }

  /**
   * What follows the rollup table's name in a read of the model sums alone (an index hint), or
   * nothing (the default): the planner finds the rows by the tenant.
   */
  default String modelSumsIndexHint(Tables t) {
    return "";
  }

  /** The 0-based bucket index of {@code bucket_start}, with one parameter: the bounds. */
  default String bucketIndex() {
    throw new UnsupportedOperationException("reads of this dialect are summed in Java");
  }

  /** Binds the bucket bounds (epoch seconds) as the parameter of {@link #bucketIndex()}. */
  default void bindBounds(Connection c, PreparedStatement ps, int index, long[] seconds)
      throws SQLException {
    throw new UnsupportedOperationException("reads of this dialect are summed in Java");
  }

  /** Runs before a summing read, inside its read-only transaction (default: nothing). */
  default void beforeSummingRead(Connection c) throws SQLException {}

  /**
   * The isolation level a read runs at (default REPEATABLE READ): one where every statement of the
   * transaction, on every table, sees the snapshot its first statement saw.
   */
  default int readIsolation() {
    return Connection.TRANSACTION_REPEATABLE_READ;
  }

  /**
   * The isolation level {@link #foldSlice} runs at (default REPEATABLE READ: what the fold counts
   * and deletes is one snapshot).
   */
  default int foldIsolation() {
    return Connection.TRANSACTION_REPEATABLE_READ;
  }

  /**
   * The statements that fold one slice of minute rows into quarter-hour rows, and into the rows of
   * {@code grids} (hour and day rows), in order, in one transaction at {@link #foldIsolation()}.
   * Each binds the slice's first and end second (epoch seconds, end excluded) as its parameters, in
   * pairs: a statement with 2k parameters binds them k times. Exactly one step is a {@link
   * FoldStep.Kind#COUNT} that tells how many minute rows were folded. Together they must never
   * delete a minute row they did not add into a quarter row and into a row of every grid.
   */
  List<FoldStep> foldSlice(Tables t, List<Grid> grids);

  /**
   * The suffix of a {@code SELECT} of the grid table's lock row that takes a lock shared with the
   * other writers of 15-minute rows (compactions, appends of 15-minute rows), which a grid
   * registration's {@code UPDATE} of that row waits for, and which waits for one. Default {@code
   * FOR UPDATE}: an exclusive lock, for a database without shared row locks.
   */
  default String shareLock() {
    return " FOR UPDATE";
  }

  /** Whether DDL runs inside a transaction (and so an upgrade is all or nothing). */
  boolean transactionalDdl();

  /** Whether {@link #lockSchema} takes a lock (else schema steps may collide and are retried). */
  boolean locksSchema();

  /**
   * Takes the lock that keeps two nodes from creating or upgrading the schema at once. For a
   * transaction-scoped lock, {@code c} is already in a transaction; otherwise it auto-commits.
   */
  void lockSchema(Connection c, String name) throws SQLException;

  /** Releases what {@link #lockSchema} took (a no-op for a transaction-scoped lock). */
  void unlockSchema(Connection c, String name) throws SQLException;

  /** Whether {@code e} says a table does not exist. */
  boolean isMissingTable(SQLException e);

  /**
   * Whether a failed transaction is worth running again at once, inside the store: deadlocks,
   * serialization failures, lock timeouts, and the errors a dialect raises when two connections
   * insert the same new key. (A lost connection or a timeout is not: the engine retries those after
   * a backoff.)
   */
  boolean isTransient(SQLException e);

  /**
   * Whether the database refused the content for good, so that the same rows would be refused again
   * and nothing was committed: integrity constraints (SQL state class 23: a CHECK, NOT NULL, a
   * foreign key, a unique key), data exceptions (class 22: a value out of range, a string too long,
   * an invalid encoding), cardinality violations (class 21: PostgreSQL's "ON CONFLICT DO UPDATE
   * command cannot affect row a second time"), triggered data change violations (27) and check
   * option violations (44), plus the dialect's own codes. Never when any exception in the chain
   * says the connection failed (class 08) or the statement timed out, since then the database may
   * not have judged the rows at all.
   */
  default boolean isPermanent(SQLException e) {
    return DialectSql.refusesContent(e, Set.of());
  }

  /**
   * Whether an exception of {@code e}'s chain is a refusal of the content (see {@link
   * #isPermanent}) or has one of the vendor {@code codes}, and none is a connection failure or
   * timeout.
   */
  static boolean refusesContent(SQLException e, Set<Integer> codes) {
    boolean refused = false;
    for (SQLException s : chain(e)) {
      String state = s.getSQLState();
      String cls = state == null || state.length() < 2 ? "" : state.substring(0, 2);
      if (cls.equals("08") || (state != null && PASSING_STATES.contains(state))) return false;
      if (PERMANENT_CLASSES.contains(cls) || "40002".equals(state)) refused = true;
      if (codes.contains(s.getErrorCode())) refused = true;
    }
    return refused;
  }

  /** SQL state classes of refused content: cardinality, data, integrity, trigger, check option. */
  Set<String> PERMANENT_CLASSES = Set.of("21", "22", "23", "27", "44");

  /**
   * Timeouts and cancels: PostgreSQL's query_canceled and lock_not_available, JDBC's timeout
   * (HYT00, HYT01), MariaDB's max_statement_time (70100).
   */
  Set<String> PASSING_STATES = Set.of("57014", "55P03", "HYT00", "HYT01", "70100");

  /** The SQL state and vendor code of each exception in {@code e}'s chain, for a message. */
  static String describe(SQLException e) {
    Set<String> seen = new java.util.LinkedHashSet<>();
    for (SQLException s : chain(e)) {
      if (s.getSQLState() == null && s.getErrorCode() == 0) continue;
      seen.add("SQLState " + s.getSQLState() + " code " + s.getErrorCode());
    }
    return seen.isEmpty() ? "no SQLState" : String.join(", ", seen);
  }

  /** {@code e}, its SQLException causes and its next exceptions, at most 16 of them. */
  static List<SQLException> chain(SQLException e) {
    List<SQLException> out = new java.util.ArrayList<>();
    java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>();
    todo.add(e);
    while (!todo.isEmpty() && out.size() < 16) {
      Throwable t = todo.poll();
      if (t instanceof SQLException s && !out.contains(s)) {
        out.add(s);
        if (s.getNextException() != null) todo.add(s.getNextException());
      }
      if (t.getCause() != null && t.getCause() != t) todo.add(t.getCause());
    }
    return out;
  }

  /**
   * Whether a read binds a set of values (an IN filter) as one array parameter ({@link #inArray});
   * otherwise sets are written as IN lists.
   */
  boolean bindsArrays();

  /**
   * The most values of one set a statement takes (in one array or one IN list); a read with a
   * larger set runs in several statements of one transaction.
   */
  int maxSetSize();

  /** {@code column = ANY(?)}, for a dialect that {@link #bindsArrays()}. */
  default String inArray(String column) {
    throw new UnsupportedOperationException("this dialect writes IN lists");
  }

  /** Binds {@code values} as the array parameter of {@link #inArray}. */
  default void bindArray(Connection c, PreparedStatement ps, int index, String[] values)
      throws SQLException {
    throw new UnsupportedOperationException("this dialect writes IN lists");
  }

  /** One statement of a slice fold. */
  record FoldStep(String sql, Kind kind) {
    /** How many parameters the statement has: its {@code ?} (no literal holds one). */
    int parameters() {
      return (int) sql.chars().filter(ch -> ch == '?').count();
    }

    /** How a step is run. */
    enum Kind {
      /** A query whose one row's first column is the number of minute rows folded. */
      COUNT,
      /** An update; its count is not used. */
      UPDATE
    }
  }

  /**
   * How a measure's stored value and a new one merge in an upsert: counters add; peaks take the
   * larger, and stay NULL (unknown, or a minute row's, which is derived) if either is NULL.
   */
  static String merge(Measure m, String old, String added) {
    if (!m.isPeak()) return old + " + " + added;
    return "CASE WHEN "
        + old
        + " IS NULL OR "
        + added
        + " IS NULL THEN NULL ELSE GREATEST("
        + old
        + ", "
        + added
        + ") END";
  }

  /**
   * A peak's value in a row: a minute row's is its own sums ({@link Measure#sources()}), a coarser
   * row's is stored (NULL: unknown).
   */
  static String peakOf(Measure m) {
    return "CASE WHEN grain = 1 THEN " + minutePeak(m) + " ELSE " + m.column() + " END";
  }

  /** A peak derived from a minute row's sums: {@code input_tokens + output_tokens}. */
  static String minutePeak(Measure m) {
    StringBuilder sb = new StringBuilder();
    for (Measure src : m.sources()) {
      if (sb.length() > 0) sb.append(" + ");
      sb.append(src.column());
    }
    return sb.toString();
  }

  /** The start of the quarter hour holding {@code bucket_start}; MOD twice floors negatives too. */
  String QUARTER_FLOOR = "bucket_start - MOD(MOD(bucket_start, 900) + 900, 900)";

  /**
   * The minute rows of {@code from} (a table expression and its WHERE) summed per series and
   * quarter hour, then per series and span of each of {@code grids}, as rollup rows in {@link
   * Tables#COLUMNS} order ({@code UNION ALL}): counters summed, peaks the largest minute's.
   */
  static String foldSource(String from, List<Grid> grids) {
    StringBuilder sb = new StringBuilder(minutesBy(from, QUARTER_FLOOR, 15));
    for (Grid g : grids) {
      sb.append(" UNION ALL ").append(minutesBy(from, g.floorSql(), g.minutes()));
    }
    return sb.toString();
  }

  /** {@link #foldSource} for the grids only, without the quarter-hour rows. */
  static String gridsSource(String from, List<Grid> grids) {
    StringBuilder sb = new StringBuilder();
    for (Grid g : grids) {
      if (sb.length() > 0) sb.append(" UNION ALL ");
      sb.append(minutesBy(from, g.floorSql(), g.minutes()));
    }
    return sb.toString();
  }

  /** Minute rows of {@code from} summed per series and span: {@code floor} its start. */
  private static String minutesBy(String from, String floor, int grain) {
    StringBuilder sb = new StringBuilder("SELECT ").append(floor).append(", series_hash, ");
    sb.append(grain).append(", tenant, api_key, model");
    for (Measure m : Measure.all()) {
      if (m.isPeak()) sb.append(", MAX(").append(minutePeak(m)).append(')');
      else sb.append(", SUM(").append(m.column()).append(')');
    }
    return sb.append(" FROM ")
        .append(from)
        .append(" GROUP BY ")
        .append(floor)
        .append(", series_hash, tenant, api_key, model")
        .toString();
  }

  /**
   * The rows that {@code where} selects (15-minute rows, or the rows of a finer grid whose spans
   * tile {@code grid}'s) summed per series and span of {@code grid}, as rollup rows of its grain in
   * {@link Tables#COLUMNS} order: counters summed, peaks the largest, unknown (NULL) if any row's
   * is. What a new grid's rows start from.
   */
  static String gridFrom(Tables t, Grid grid, String where) {
    String floor = grid.floorSql();
    StringBuilder sb = new StringBuilder("SELECT ").append(floor).append(", series_hash, ");
    sb.append(grid.minutes()).append(", tenant, api_key, model");
    for (Measure m : Measure.all()) {
      String c = m.column();
      if (m.isPeak()) {
        sb.append(", CASE WHEN COUNT(*) = COUNT(").append(c).append(") THEN MAX(").append(c);
        sb.append(") END");
      } else {
        sb.append(", SUM(").append(c).append(')');
      }
    }
    return sb.append(" FROM ")
        .append(t.rollup())
        .append(" WHERE ")
        .append(where)
        .append(" GROUP BY ")
        .append(floor)
        .append(", series_hash, tenant, api_key, model")
        // in key order: the rows go in as a B-tree likes them, and lie in time order on disk
        .append(" ORDER BY 1, 2")
        .toString();
  }

  /** {@code grain = 1 AND bucket_start >= ? AND bucket_start < ?}: a slice's minute rows. */
  String SLICE = "grain = 1 AND bucket_start >= ? AND bucket_start < ?";

  /**
   * Whether {@code e}, a cause or a chained exception has one of the SQL states or vendor codes.
   */
  static boolean matches(SQLException e, Set<String> states, Set<Integer> codes) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        if (s.getSQLState() != null && states.contains(s.getSQLState())) return true;
        if (codes.contains(s.getErrorCode())) return true;
        SQLException next = s.getNextException();
        if (next != null && next != t && matches(next, states, codes)) return true;
      }
    }
    return false;
  }
}
