package dev.usagestats.jdbc;

import dev.usagestats.Granularity;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import dev.usagestats.spi.Measure;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.sql.DataSource;

/** Shared helpers: a reference model, store reads, a mutable clock, a store that can be held. */
final class Fixtures {
  private Fixtures() {}

  /** A cell of the reference model. */
  record Cell(SeriesKey key, long bucketMillis) {}

  /** Sums per series per UTC minute of whatever the test recorded: the reference model. */
  static final class Reference {
    final Map<Cell, long[]> cells = new HashMap<>();

    void add(SeriesKey key, Instant at, long calls, long errors, long in, long out) {
      add(key, at, new UsageTotals(calls, errors, in, out, 0, 0, 0));
    }

    /** Adds every measure of {@code totals} to the minute holding {@code at}. */
    void add(SeriesKey key, Instant at, UsageTotals totals) {
      long minute = Math.floorDiv(at.toEpochMilli(), 60_000L) * 60_000L;
      Measure.add(
          cells.computeIfAbsent(new Cell(key, minute), k -> new long[Measure.COUNT]),
          Measure.counts(totals));
    }

    void addAll(Reference other) {
      other.cells.forEach(
          (k, v) -> Measure.add(cells.computeIfAbsent(k, x -> new long[Measure.COUNT]), v));
    }

    /** Sums per series per bucket for the given bounds. */
    Map<Cell, UsageTotals> sums(List<Instant> bounds) {
      Map<Cell, long[]> out = new HashMap<>();
      cells.forEach(
          (cell, v) -> {
            int b = bucket(bounds, cell.bucketMillis());
            if (b < 0) return;
            Measure.add(
                out.computeIfAbsent(
                    new Cell(cell.key(), bounds.get(b).toEpochMilli()),
                    k -> new long[Measure.COUNT]),
                v);
          });
      Map<Cell, UsageTotals> t = new HashMap<>();
      out.forEach((k, v) -> t.put(k, Measure.totals(v)));
      return t;
    }

    long calls() {
      return cells.values().stream().mapToLong(v -> v[Measure.CALLS.ordinal()]).sum();
    }
  }

  static int bucket(List<Instant> bounds, long millis) {
    for (int i = 0; i + 1 < bounds.size(); i++) {
      if (millis >= bounds.get(i).toEpochMilli() && millis < bounds.get(i + 1).toEpochMilli()) {
        return i;
      }
    }
    return -1;
  }

  /** Reads a store for the given bounds, keyed like {@link Reference#sums}, zero rows left out. */
  static Map<Cell, UsageTotals> read(UsageStore store, List<Instant> bounds) {
    StoreResult r =
        store.read(
            new StoreRead(
                bounds, ZoneOffset.UTC, Granularity.HOUR, null, Set.of(), Set.of(), Set.of()));
    Map<Cell, UsageTotals> out = new HashMap<>();
    for (StoreResult.Row row : r.rows()) {
      if (row.key().tenant().equals(RollupReader.AGGREGATE)) continue; // peak aggregates
      out.merge(
          new Cell(row.key(), bounds.get(row.bucket()).toEpochMilli()),
          row.totals(),
          UsageTotals::plus);
    }
    out.values().removeIf(t -> t.equals(UsageTotals.empty()));
    return out;
  }

  /** Bounds every {@code stepMinutes} from {@code from} to {@code to}. */
  static List<Instant> steps(Instant from, Instant to, long stepMinutes) {
    List<Instant> b = new ArrayList<>();
    for (Instant t = from; !t.isAfter(to); t = t.plusSeconds(stepMinutes * 60)) b.add(t);
    return b;
  }

  /** Bounds of local days in {@code zone}, from {@code first} for {@code days} days. */
  static List<Instant> days(ZoneId zone, java.time.LocalDate first, int days) {
    List<Instant> b = new ArrayList<>();
    for (int i = 0; i <= days; i++) b.add(first.plusDays(i).atStartOfDay(zone).toInstant());
    return b;
  }

  /**
   * Runs a store call as the engine does: a failure that may pass (a deadlock between appends and
   * compaction on the same rows, which the store's own retries did not outlast on a loaded machine)
   * is tried again, as the engine's flusher retries its batch and the compaction schedule its
   * slice; a permanent one is thrown.
   */
  static <T> T untilDone(java.util.function.Supplier<T> call) {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (dev.usagestats.UsageStoreException e) {
        if (e.isPermanent() || attempt == 50) throw e;
      }
    }
  }

  static long count(DataSource ds, String sql, Object... args) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** A store that runs hooks around the delegate's append and remembers every id it was sent. */
  static final class HookedStore implements UsageStore {
    final UsageStore delegate;
    final List<String> attempts = new CopyOnWriteArrayList<>();
    volatile Consumer<UsageBatch> before = b -> {};
    volatile Consumer<UsageBatch> after = b -> {};

    HookedStore(UsageStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public void append(UsageBatch batch) {
      attempts.add(batch.id());
      before.accept(batch);
      delegate.append(batch);
      after.accept(batch);
    }

    @Override
    public StoreResult read(StoreRead read) {
      return delegate.read(read);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
