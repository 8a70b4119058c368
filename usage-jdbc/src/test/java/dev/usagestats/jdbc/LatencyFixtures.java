package dev.usagestats.jdbc;

import dev.usagestats.Granularity;
import dev.usagestats.LatencyHistogram;
import dev.usagestats.LatencyTotals;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import dev.usagestats.jdbc.Fixtures.Cell;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.KeyDetail;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import dev.usagestats.spi.UsageStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * Latency helpers: random deltas with latency, the reference (every delta's latency merged in
 * memory with {@link LatencyTotals#plus}), store reads of latency, and a data source that fails at
 * random.
 */
final class LatencyFixtures {
  private LatencyFixtures() {}

  /** Where one delta's latency went: its series, span start and grain. */
  record Span(SeriesKey key, Instant start, Grain grain) {}

  /** The latency of every delta added, merged in memory per span: the reference model. */
  static final class LatencyReference {
    final Map<Span, LatencyTotals> spans = new HashMap<>();

    void add(UsageBatch batch) {
      for (UsageDelta d : batch.deltas()) {
        if (d.latency().equals(LatencyTotals.empty())) continue;
        spans.merge(new Span(d.key(), d.start(), d.grain()), d.latency(), LatencyTotals::plus);
      }
    }

    /**
     * Merged per series (as {@code detail} keeps it) and bucket; only series {@code filter} takes,
     * only spans wholly inside one bucket (the test's bounds must not split any).
     */
    Map<Cell, LatencyTotals> sums(
        List<Instant> bounds, KeyDetail detail, Predicate<SeriesKey> filter) {
      Map<Cell, LatencyTotals> out = new HashMap<>();
      spans.forEach(
          (span, t) -> {
            if (!filter.test(span.key())) return;
            int b = Fixtures.bucket(bounds, span.start().toEpochMilli());
            if (b < 0) return;
            Instant end = span.start().plusSeconds(span.grain().seconds());
            if (end.isAfter(bounds.get(b + 1))) {
              throw new IllegalStateException("test bounds split " + span);
            }
            Cell c = new Cell(project(span.key(), detail), bounds.get(b).toEpochMilli());
            out.merge(c, t, LatencyTotals::plus);
          });
      return out;
    }

    Map<Cell, LatencyTotals> sums(List<Instant> bounds) {
      return sums(bounds, KeyDetail.SERIES, k -> true);
    }
  }

  /** The key as a read of {@code detail} may return it: the parts it does not keep blank. */
  static SeriesKey project(SeriesKey k, KeyDetail detail) {
    return new SeriesKey(
        detail.keepsTenant() ? k.tenant() : "", detail.keepsApiKey() ? k.apiKey() : "", k.model());
  }

  /** A read over all series, keeping every key part. */
  static StoreRead read(List<Instant> bounds) {
    return read(bounds, KeyDetail.SERIES, Set.of());
  }

  static StoreRead read(List<Instant> bounds, KeyDetail detail, Set<String> batchIds) {
    return new StoreRead(
        bounds, ZoneOffset.UTC, Granularity.HOUR, null, Set.of(), Set.of(), batchIds, detail);
  }

  /** The latency of a store read, per projected series and bucket start, empty ones left out. */
  static Map<Cell, LatencyTotals> latency(StoreResult r, StoreRead read) {
    Map<Cell, LatencyTotals> out = new HashMap<>();
    for (StoreResult.Row row : r.rows()) {
      Cell c =
          new Cell(
              project(row.key(), read.detail()), read.bounds().get(row.bucket()).toEpochMilli());
      out.merge(c, row.latency(), LatencyTotals::plus);
    }
    out.values().removeIf(t -> t.equals(LatencyTotals.empty()));
    return out;
  }

  static Map<Cell, LatencyTotals> latency(UsageStore store, StoreRead read) {
    return latency(store.read(read), read);
  }

  /**
   * Latency of up to 40 calls, at most {@code calls}: mostly a few hundred ms to a few seconds, and
   * now and then 0, the largest value kept ({@link LatencyHistogram#MAX_MILLIS}) or anything in
   * between; two in three calls streamed, with a time to first token no larger than the duration.
   */
  static LatencyTotals randomLatency(Random rnd, long calls) {
    LatencyHistogram.Builder duration = new LatencyHistogram.Builder();
    LatencyHistogram.Builder firstToken = new LatencyHistogram.Builder();
    long streamed = 0;
    long generation = 0;
    long n = 1 + rnd.nextInt((int) Math.min(calls, 40));
    for (int i = 0; i < n; i++) {
      long ms =
          switch (rnd.nextInt(25)) {
            case 0 -> 0;
            case 1 -> LatencyHistogram.MAX_MILLIS;
            case 2 -> rnd.nextLong(LatencyHistogram.MAX_MILLIS + 1);
            default -> Math.min((long) Math.exp(6.5 + rnd.nextGaussian()), 600_000);
          };
      duration.addMillis(ms, 1);
      if (rnd.nextInt(3) > 0) {
        long ttft = rnd.nextLong(ms + 1);
        firstToken.addMillis(ttft, 1);
        streamed += rnd.nextInt(2000);
        generation += ms - ttft;
      }
    }
    return new LatencyTotals(duration.build(), firstToken.build(), streamed, generation);
  }

  /**
   * A batch of {@code deltas} rows of random series at random minutes of {@code [from, from +
   * minutes)}: one in five without latency, one in {@code quarterEvery} (0: none) a quarter-hour
   * row, at most one row per series, span and grain (as the engine sends them).
   */
  static UsageBatch randomBatch(
      Random rnd,
      String id,
      List<SeriesKey> series,
      Instant from,
      int minutes,
      int deltas,
      int quarterEvery) {
    List<UsageDelta> out = new ArrayList<>();
    Set<Span> seen = new HashSet<>();
    while (out.size() < deltas) {
      SeriesKey k = series.get(rnd.nextInt(series.size()));
      Instant at = from.plusSeconds(60L * rnd.nextInt(minutes));
      Grain g = Grain.MINUTE;
      if (quarterEvery > 0 && rnd.nextInt(quarterEvery) == 0) {
        g = Grain.QUARTER_HOUR;
        at = Instant.ofEpochSecond(at.getEpochSecond() - Math.floorMod(at.getEpochSecond(), 900));
      }
      if (!seen.add(new Span(k, at, g))) continue;
      long calls = 1 + rnd.nextInt(60);
      UsageTotals t = new UsageTotals(calls, rnd.nextInt(2), 100 * calls, 20 * calls, 0, 0, 0);
      LatencyTotals l = rnd.nextInt(5) == 0 ? LatencyTotals.empty() : randomLatency(rnd, calls);
      out.add(new UsageDelta(k, at, t, g, l));
    }
    return new UsageBatch(id, "node-" + rnd.nextInt(3), out);
  }

  /** {@code tenants x keys x models} series. */
  static List<SeriesKey> series(int tenants, int keys, int models) {
    List<SeriesKey> out = new ArrayList<>();
    for (int t = 0; t < tenants; t++) {
      for (int k = 0; k < keys; k++) {
        for (int m = 0; m < models; m++) {
          out.add(new SeriesKey("tenant-" + t, "key-" + t + "-" + k, "model-" + m));
        }
      }
    }
    return out;
  }

  /**
   * Wraps a data source so that, with probability {@link #p}, getting a connection fails, a
   * statement fails before it runs, or a commit fails before it happens or after it happened (the
   * reply lost): every failure the engine must retry, with SQLState class 08. Deterministic for a
   * seed when used from one thread.
   */
  static final class Flaky {
    final DataSource dataSource;
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger commitsLost = new AtomicInteger();
    private final Random rnd;
    volatile double p;

    Flaky(DataSource direct, long seed) {
      this.rnd = new Random(seed);
      this.dataSource =
          (DataSource)
              Proxy.newProxyInstance(
                  getClass().getClassLoader(),
                  new Class<?>[] {DataSource.class},
                  (proxy, m, args) -> {
                    if (m.getName().equals("getConnection")) {
                      fail("connection refused");
                      return connection((Connection) invoke(direct, m, args));
                    }
                    return invoke(direct, m, args);
                  });
    }

    private boolean roll() {
      return p > 0 && rnd.nextDouble() < p;
    }

    private void fail(String what) throws SQLException {
      if (roll()) {
        failures.incrementAndGet();
        throw new SQLException("injected: " + what, "08006");
      }
    }

    private Connection connection(Connection c) {
      return (Connection)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, m, args) -> {
                switch (m.getName()) {
                  case "commit" -> {
                    fail("connection lost before COMMIT");
                    c.commit();
                    if (roll()) {
                      commitsLost.incrementAndGet();
                      throw new SQLException("injected: reply to COMMIT lost", "08006");
                    }
                    return null;
                  }
                  case "prepareStatement" -> {
                    return statement((PreparedStatement) invoke(c, m, args));
                  }
                  default -> {
                    return invoke(c, m, args);
                  }
                }
              });
    }

    private PreparedStatement statement(PreparedStatement ps) {
      return (PreparedStatement)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {PreparedStatement.class},
              (proxy, m, args) -> {
                if (m.getName().startsWith("execute")) fail("connection lost in " + m.getName());
                return invoke(ps, m, args);
              });
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
      try {
        return m.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }
}
