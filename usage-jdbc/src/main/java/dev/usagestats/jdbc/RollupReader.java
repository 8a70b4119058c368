package dev.usagestats.jdbc;

import dev.usagestats.SeriesKey;
import dev.usagestats.UsageStoreException;
import dev.usagestats.UsageTotals;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.Measure;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Answers {@link JdbcUsageStore#read}: sums and merged latency per series per bucket, and which of
 * the engine's pending batch ids the ledger holds, from one statement ({@code UNION ALL}; several
 * for large filters on MariaDB and H2) and one of the latency table, in one REPEATABLE READ
 * transaction (SNAPSHOT on H2), so the engine adds exactly the pending batches the rows do not
 * include.
 *
 * <p>Thread-safe: immutable; every read borrows its own connection.
 *
 * <pre>
 * Design notes
 *
 * Where rows are summed. If the dialect can (PostgreSQL) and every bucket bound falls on a
 * 15-minute step, rows are summed per bucket in SQL, across tenants and keys the read does not
 * need: a report by model moves one row per model and bucket. Otherwise rows come back as stored
 * and are summed here, across the same key parts, and a row whose span a bucket bound splits (a
 * 15-minute row under MINUTE buckets) is refused rather than counted in the wrong bucket.
 *
 * Which rows. Where every bound falls on a 15-minute step (HOUR, DAY, WEEK and MONTH in real
 * zones), the ReadPlan's: per bucket the fewest day, hour and 15-minute rows that tile it, and
 * every minute row in range (ReadSql writes them as ranges and lists of starts per grain). The
 * grids are read first, in the read's own snapshot, so they and the rows agree. Otherwise (MINUTE
 * buckets, or price changes off the quarter hour) minute and 15-minute rows whose span meets
 * [from, to): the scan starts 14 minutes early, so a 15-minute row that began before `from` is
 * seen (and then refused).
 *
 * Large filters. PostgreSQL and H2 bind each set (API keys, models, batch ids) as one array
 * parameter (= ANY(?)); MariaDB has no arrays and gets IN lists. A set larger than the dialect's
 * maxSetSize (H2: 50,000, as its arrays hold 65,536; MariaDB: 5,000; PostgreSQL: no limit) is
 * read in several statements, one per chunk (per pair of chunks when two sets are large). The
 * chunks split the rows without overlap, so their sums add; all statements run in one REPEATABLE
 * READ transaction, so they read one snapshot.
 *
 * Bounded. Rows are streamed (fetch size) and counted as they come; past maxReadRows the read
 * stops with IllegalArgumentException before holding more.
 *
 * Model sums. A read that keeps neither tenant nor API key and filters by neither, from the
 * store's complete_from on (schema version 6), reads only the model sums' rows (tenant one space):
 * each model's row counts, under the model's summed key, as the sums of its series rows would, and
 * is also handed on under its own key for the engine's peaks. The plan's tiling is the same, since
 * the model sums are compacted and gridded as any series. Their summed rows' peaks are the model's
 * own, where the series plan gives the largest series row's: the engine reads this case's peaks
 * from the model sums' own rows either way. They come as stored, never grouped in SQL: a few
 * thousand rows at most (a model's hours over weeks), which PostgreSQL's grouping by text keys
 * and bucket index took 8 times longer to sum than to fetch.
 *
 * Latency. Histograms do not add in SQL, so the latency table's rows come back as stored, with the
 * same filters, in the same transaction (one snapshot with the rollup rows and the ledger), and are
 * merged per key (keyed as the rollup rows are, across the tenants and API keys the read does
 * not need) and bucket with the same tiling and the same refusal of a split row. Their count is capped
 * by maxReadRows apart from the rollup rows': each is merged as it streams, so memory holds one sum
 * per key and bucket.
 * </pre>
 */
final class RollupReader {
  /** The tenant and API key of the engine's peak aggregates: one space, no caller's name. */
  static final String AGGREGATE = ReadSql.AGGREGATE;

  private static final boolean[] PEAK = new boolean[Measure.COUNT];

  static {
    for (Measure m : Measure.peaks()) PEAK[m.ordinal()] = true;
  }

  private static final long QUARTER_MS = Grain.QUARTER_HOUR.millis();

  private final DialectSql sql;
  private final Transactions tx;
  private final Duration compactAfter;
  private final long maxReadRows;
  private final Grids grids;
  private final ReadSql sqls;
  private final long modelSumsFrom;

  RollupReader(
      Tables tables,
      DialectSql sql,
      Transactions tx,
      Duration compactAfter,
      long maxReadRows,
      Grids grids,
      LatencyTable latency,
      long modelSumsFrom) {
    this.modelSumsFrom = modelSumsFrom;
    this.sql = sql;
    this.tx = tx;
    this.compactAfter = compactAfter;
    this.maxReadRows = maxReadRows;
    this.grids = grids;
    this.sqls = new ReadSql(tables, sql, latency);
  }

  /**
   * Reads the store for {@code read}: from the coarsest rows that tile each bucket if {@code
   * coarse} (hour and day rows only from {@code keptFrom} on, if not null), else from 15-minute and
   * minute rows only (the plan before grids, kept for tests that compare the two).
   */
  StoreResult read(StoreRead read, boolean coarse, @Nullable Instant keptFrom) {
    // before keptFrom, hour and day rows may hold usage whose 15-minute rows retention deleted
    long coarseFrom = keptFrom == null ? Long.MIN_VALUE : keptFrom.getEpochSecond();
    long[] bounds = new long[read.bounds().size()];
    long[] seconds = new long[bounds.length];
    boolean quarterAligned = true;
    for (int i = 0; i < bounds.length; i++) {
      bounds[i] = read.bounds().get(i).toEpochMilli();
      seconds[i] = Math.floorDiv(bounds[i], 1000);
      if (Math.floorMod(bounds[i], QUARTER_MS) != 0) quarterAligned = false;
    }
    boolean aligned = quarterAligned;
    boolean modelSums = coarse && readsModelSums(read, seconds[0]);
    // the model sums are few rows: summed here, they cost less than grouping them in SQL
    boolean summed = aligned && sql.sumsBucketsInSql() && !modelSums;
    try {
      return tx.run(
          "read",
          sql.readIsolation(),
          read.apiKeys(),
          c -> {
            // the grids first: this statement fixes the snapshot the rows are read in
            ReadPlan plan =
                aligned
                    ? ReadPlan.of(seconds, coarse ? grids.read(c) : List.of(), coarseFrom)
                    : null;
            List<ReadQuery> statements = sqls.statements(read, bounds, plan, summed, modelSums);
            List<ReadQuery> latencyStatements = sqls.latencyStatements(read, bounds);
            if (summed) sql.beforeSummingRead(c);
            StoreResult r = run(c, statements, latencyStatements, bounds, summed, modelSums, read);
            c.commit();
            return r;
          });
    } catch (UsageStoreException e) {
      // A sum the database forms in SQL that passes a BIGINT (SQLState 22003) is the query's
      // range, not a store failure.
      if (e.getCause() instanceof SQLException s && "22003".equals(s.getSQLState())) {
        throw new IllegalArgumentException(
            "query must select sums within "
                + Long.MAX_VALUE
                + ": a stored sum would pass it; narrow the range or the filters, or group finer",
            e);
      }
      throw e;
    }
  }

  private StoreResult run(
      Connection c,
      List<ReadQuery> statements,
      List<ReadQuery> latencyStatements,
      long[] bounds,
      boolean summed,
      boolean modelSums,
      StoreRead read)
      throws SQLException {
    Map<RowId, long[]> sums = new HashMap<>();
    Set<String> applied = new HashSet<>();
    long rowsRead = 0;
    for (ReadQuery q : statements) {
      try (PreparedStatement ps = q.prepare(c, tx, sql)) {
        int first = summed ? 6 : 7;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (rs.getInt(1) == 1) {
              applied.add(rs.getString(2));
              continue;
            }
            String tenant = rs.getString(2);
            boolean aggregate = AGGREGATE.equals(tenant);
            // The engine's peak aggregates (one per model and one of all usage, per minute at
            // most) come on top of the cap, which bounds the rows of the usage a query selects.
            if (!aggregate && ++rowsRead > maxReadRows) throw tooManyRows();
            // Summed here across the key parts the read does not need, as PostgreSQL does in SQL:
            // a report by model holds a sum per model and bucket, not per series.
            SeriesKey key =
                new SeriesKey(
                    aggregate || read.needsTenant() ? tenant : "",
                    aggregate || read.needsApiKey() ? rs.getString(3) : "",
                    rs.getString(4));
            int bucket;
            if (summed) {
              bucket = rs.getInt(5);
              if (bucket < 0 || bucket >= bounds.length - 1) continue;
            } else {
              bucket = bucketOf(bounds, rs.getLong(5), rs.getInt(6));
              if (bucket < 0) continue;
            }
            long[] values = new long[Measure.COUNT];
            for (int m = 0; m < Measure.COUNT; m++) {
              values[m] = rs.getLong(first + m);
              // a peak of null is unknown, as -1 is
              if (PEAK[m] && rs.wasNull()) values[m] = Measure.UNKNOWN;
            }
            merge(sums, key, bucket, values);
            if (modelSums && aggregate && !key.model().equals(AGGREGATE)) {
              // a model's sums are the sums of its series over all tenants and keys
              if (++rowsRead > maxReadRows) throw tooManyRows();
              merge(sums, new SeriesKey("", "", key.model()), bucket, values);
            }
          }
        }
      }
    }
    LatencyMerge latencies =
        new LatencyMerge(
            (start, grain) -> bucketOf(bounds, start, grain),
            !read.needsTenant(),
            !read.needsApiKey(),
            AGGREGATE,
            maxReadRows);
    for (ReadQuery q : latencyStatements) {
      try (PreparedStatement ps = q.prepare(c, tx, sql);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) latencies.add(rs);
      }
    }
    List<StoreResult.Row> rows = new ArrayList<>(sums.size());
    sums.forEach(
        (k, v) ->
            rows.add(
                new StoreResult.Row(
                    k.key,
                    k.bucket,
                    Measure.totals(v),
                    v[Measure.PEAK_CALLS_PER_MINUTE.ordinal()],
                    v[Measure.PEAK_TOKENS_PER_MINUTE.ordinal()],
                    latencies.take(k.key, k.bucket))));
    // Latency whose rollup row the snapshot lacks (past retention, say): no calls, no peak.
    latencies.forEachLeft(
        (k, l) -> rows.add(new StoreResult.Row(k.key(), k.bucket(), UsageTotals.empty(), 0, 0, l)));
    return new StoreResult(rows, applied);
  }

  /**
   * Whether the read can take the model sums for the series rows: it keeps neither tenant nor API
   * key, filters by neither, and starts where the store holds the sums of every series row.
   */
  private boolean readsModelSums(StoreRead read, long fromSecond) {
    return read.tenant() == null
        && read.apiKeys().isEmpty()
        && !read.needsTenant()
        && !read.needsApiKey()
        && fromSecond >= modelSumsFrom;
  }

  /** Adds a row's values into the sums of {@code key} in {@code bucket}, by each measure's rule. */
  private static void merge(Map<RowId, long[]> sums, SeriesKey key, int bucket, long[] values) {
    long[] acc = sums.computeIfAbsent(new RowId(key, bucket), k -> new long[Measure.COUNT]);
    for (int m = 0; m < Measure.COUNT; m++) {
      long v = values[m];
      if (PEAK[m]) {
        // merged by maximum; unknown (-1) in any row is unknown in the sum
        boolean unknown = v < 0 || acc[m] == Measure.UNKNOWN;
        acc[m] = unknown ? Measure.UNKNOWN : Math.max(acc[m], v);
        continue;
      }
      long sum = acc[m] + v;
      // Rows of one series add up across runs and nodes: never wrap, say which sum.
      if (((acc[m] ^ sum) & (v ^ sum)) < 0) {
        throw tooLarge(key, bucket, m);
      }
      acc[m] = sum;
    }
  }

  /**
   * The bucket of a stored row starting at {@code startSecond}, {@code grain} minutes long; -1 if
   * it lies outside the bounds.
   *
   * @throws IllegalArgumentException if a bucket bound splits the row
   */
  private int bucketOf(long[] bounds, long startSecond, int grain) {
    long s = startSecond * 1000;
    long e = s + grain * 60_000L;
    if (e <= bounds[0] || s >= bounds[bounds.length - 1]) return -1;
    int bucket = bucketOf(bounds, s);
    if (s < bounds[0] || e > bounds[bucket + 1]) throw splitRow(s);
    return bucket;
  }

  private IllegalArgumentException tooManyRows() {
    return new IllegalArgumentException(
        "store read must return at most maxReadRows ("
            + maxReadRows
            + ") rows: the query's range and filters match more; narrow the range or the filters,"
            + " choose a coarser granularity, or raise JdbcUsageStore.Builder.maxReadRows");
  }

  private IllegalArgumentException splitRow(long startMillis) {
    return new IllegalArgumentException(
        "granularity must allow 15-minute rows: minute rows older than compactAfter ("
            + compactAfter
            + ") were folded into 15-minute rows, and the bucket bounds split the row at "
            + Instant.ofEpochMilli(startMillis));
  }

  private static IllegalArgumentException tooLarge(SeriesKey key, int bucket, int measure) {
    return new IllegalArgumentException(
        "query must select sums within "
            + Long.MAX_VALUE
            + ": the stored "
            + Measure.all().get(measure).field()
            + " of "
            + key
            + " in bucket "
            + bucket
            + " would pass it; narrow the range or group finer");
  }

  private static int bucketOf(long[] bounds, long millis) {
    int i = Arrays.binarySearch(bounds, millis);
    return i >= 0 ? Math.min(i, bounds.length - 2) : Math.max(-i - 2, 0);
  }

  private record RowId(SeriesKey key, int bucket) {}
}
