package dev.usagestats.jdbc;

import dev.usagestats.spi.Grain;
import dev.usagestats.spi.Measure;
import dev.usagestats.spi.StoreRead;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of a read ({@link RollupReader}): which rows (the {@link ReadPlan}'s, or minute and
 * 15-minute rows where there is no plan), the filters, chunks of large filters, the ledger lookup
 * riding on the first statement, and the statements of the latency rows. Immutable.
 */
final class ReadSql {
  private static final long QUARTER_S = Grain.QUARTER_HOUR.seconds();

  /** The tenant and API key of the engine's peak aggregates: one space, no caller's name. */
  static final String AGGREGATE = " ";

  private final Tables tables;
  private final DialectSql sql;
  private final LatencyTable latency;

  ReadSql(Tables tables, DialectSql sql, LatencyTable latency) {
    this.tables = tables;
    this.sql = sql;
    this.latency = latency;
  }

  /**
   * The statements of a read: rows per filter chunk (only the model sums' rows if {@code
   * modelSums}), the ledger lookup riding on the first.
   */
  List<ReadQuery> statements(
      StoreRead read, long[] bounds, @Nullable ReadPlan plan, boolean summed, boolean modelSums) {
    List<ReadQuery> statements = new ArrayList<>();
    for (List<String> keys : sets(read.apiKeys())) {
      for (List<String> models : sets(read.models())) {
        ReadQuery q = summed ? summedRows(read, bounds) : storedRows(bounds);
        List<String> where = new ArrayList<>();
        if (plan == null) {
          // bounds off 15-minute steps (or a range too long to plan): minute and 15-minute rows,
          // from early enough to see a 15-minute row that begins before the range (and refuse it)
          where.add("grain IN (1, 15)");
          where.add("bucket_start >= ?");
          q.params.add(summed ? Math.floorDiv(bounds[0], 1000) : lowSecond(bounds[0]));
          where.add("bucket_start < ?");
          q.params.add(-Math.floorDiv(-bounds[bounds.length - 1], 1000));
        } else {
          where.add(tiles(q, plan));
        }
        q.filter(where, sql, read.tenant(), keys, models);
        if (modelSums) {
          // the model sums' rows only (all usage's too); a literal, so PostgreSQL can match it to
          // its partial index of the model sums
          where.add("tenant = '" + AGGREGATE + "'");
        }
        q.text.append(" FROM ").append(tables.rollup());
        if (modelSums) q.text.append(sql.modelSumsIndexHint(tables));
        q.text.append(" WHERE ").append(String.join(" AND ", where));
        if (summed) q.text.append(" GROUP BY 2, 3, 4, 5");
        statements.add(q);
      }
    }
    // The ledger lookup rides on the first statement (one round trip in the common case); a set of
    // batch ids too large for one IN list continues in statements of its own.
    int i = 0;
    for (List<String> ids :
        read.batchIds().isEmpty() ? List.<List<String>>of() : sets(read.batchIds())) {
      ReadQuery q;
      if (i < statements.size()) {
        q = statements.get(i);
        q.text.append(" UNION ALL ");
      } else {
        q = new ReadQuery();
        statements.add(q);
      }
      i++;
      q.text.append("SELECT 1, batch_id, batch_id, batch_id, 0");
      if (!summed) q.text.append(", 0");
      q.text.append(", 0".repeat(Measure.COUNT));
      List<String> ledgerWhere = new ArrayList<>();
      q.in(ledgerWhere, sql, "batch_id", ids);
      q.text.append(" FROM ").append(tables.ledger()).append(" WHERE ");
      q.text.append(String.join(" AND ", ledgerWhere));
    }
    return statements;
  }

  /**
   * The statements of a read's latency rows: as stored, per filter chunk, from early enough to see
   * a 15-minute row that begins before the range. Latency rows are minute and 15-minute rows only
   * (grids carry no latency), so they are bucketed and merged by the caller, whatever the plan.
   */
  List<ReadQuery> latencyStatements(StoreRead read, long[] bounds) {
    List<ReadQuery> statements = new ArrayList<>();
    for (List<String> keys : sets(read.apiKeys())) {
      for (List<String> models : sets(read.models())) {
        ReadQuery q = new ReadQuery();
        List<String> where = new ArrayList<>();
        where.add("bucket_start >= ?");
        q.params.add(lowSecond(bounds[0]));
        where.add("bucket_start < ?");
        q.params.add(-Math.floorDiv(-bounds[bounds.length - 1], 1000));
        q.filter(where, sql, read.tenant(), keys, models);
        q.text.append(latency.readSql(String.join(" AND ", where)));
        statements.add(q);
      }
    }
    return statements;
  }

  /**
   * The plan's rows as one condition: within the range (which an index on {@code bucket_start}
   * serves), every minute row, and the 15-minute, hour and day rows of the tiles (ranges, or lists
   * of starts per grain, written into the statement: numbers this class computed, not caller data).
   */
  private static String tiles(ReadQuery q, ReadPlan plan) {
    StringBuilder sb = new StringBuilder("bucket_start >= ? AND bucket_start < ? AND (grain = 1");
    q.params.add(plan.from);
    q.params.add(plan.to);
    for (int i = 0; i < plan.quarterRanges.length; i += 2) {
      sb.append(" OR (grain = 15 AND bucket_start >= ? AND bucket_start < ?)");
      q.params.add(plan.quarterRanges[i]);
      q.params.add(plan.quarterRanges[i + 1]);
    }
    starts(sb, 15, plan.quarters);
    starts(sb, Grid.HOUR, plan.hours);
    starts(sb, Grid.DAY, plan.days);
    return sb.append(')').toString();
  }

  private static void starts(StringBuilder sb, int grain, long[] starts) {
    if (starts.length == 0) return;
    sb.append(" OR (grain = ").append(grain).append(" AND bucket_start IN (");
    for (int i = 0; i < starts.length; i++) sb.append(i > 0 ? ", " : "").append(starts[i]);
    sb.append("))");
  }

  /**
   * The set as the filters of the statements to run, each of at most the dialect's {@link
   * DialectSql#maxSetSize()} values; one empty list for an empty set (no filter).
   */
  private List<List<String>> sets(Set<String> values) {
    List<String> all = new ArrayList<>(values);
    int max = sql.maxSetSize();
    if (all.size() <= max) return List.of(all);
    List<List<String>> out = new ArrayList<>();
    for (int from = 0; from < all.size(); from += max) {
      out.add(all.subList(from, Math.min(all.size(), from + max)));
    }
    return out;
  }

  /** Rows summed per bucket in SQL, across the key parts the read does not need. */
  private ReadQuery summedRows(StoreRead read, long[] bounds) {
    ReadQuery q = new ReadQuery();
    q.text.append("SELECT 0 AS kind, ");
    // Peak aggregates keep their names (one space), so they are never summed with series.
    String aggregate = "'" + AGGREGATE + "'";
    String keepAggregate = " = " + aggregate + " THEN " + aggregate + " ELSE '' END";
    q.text.append(read.needsTenant() ? "tenant" : "CASE WHEN tenant" + keepAggregate);
    q.text.append(" AS tenant, ");
    q.text.append(read.needsApiKey() ? "api_key" : "CASE WHEN api_key" + keepAggregate);
    q.text.append(" AS api_key, model, ");
    q.text.append(sql.bucketIndex()).append(" AS b");
    long[] seconds = new long[bounds.length];
    for (int i = 0; i < bounds.length; i++) seconds[i] = Math.floorDiv(bounds[i], 1000);
    q.params.add(seconds);
    // SUM(bigint) may be wider (numeric in PostgreSQL); back to BIGINT, so the driver reads longs
    for (Measure m : Measure.all()) {
      if (m.isPeak()) {
        // the largest minute's, or -1 (unknown) if any row has none
        String v = DialectSql.peakOf(m);
        q.text.append(", CASE WHEN COUNT(*) = COUNT(").append(v).append(") THEN MAX(");
        q.text.append(v).append(") ELSE -1 END AS ").append(m.column());
      } else {
        q.text.append(", CAST(SUM(").append(m.column()).append(") AS BIGINT) AS ");
        q.text.append(m.column());
      }
    }
    return q;
  }

  /** Rows as stored, with their start and grain. */
  private static ReadQuery storedRows(long[] bounds) {
    ReadQuery q = new ReadQuery();
    q.text.append("SELECT 0 AS kind, tenant, api_key, model, bucket_start, grain");
    for (Measure m : Measure.all()) {
      q.text.append(", ").append(m.isPeak() ? DialectSql.peakOf(m) : m.column());
    }
    return q;
  }

  /** The first second to scan: early enough to see a 15-minute row that began before from. */
  private static long lowSecond(long fromMillis) {
    return Math.floorDiv(fromMillis, 1000) - (QUARTER_S - 60);
  }
}
