package dev.usagestats.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.usagestats.LatencyHistogram;
import dev.usagestats.LatencyTotals;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import dev.usagestats.jdbc.JdbcUsageStore;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A flush's rate with latency against without, in one run: one {@code append} of 10,000 minute rows
 * (1,000 series x 10 minutes, 3 calls each) with no latency, or with a duration and a time to first
 * token histogram on every row (3 values each, lognormal around 2 s and 400 ms). The score is rows
 * per second.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar LatencyStoreBenchmark -f 1 -wi 2 -i 3 -prof gc
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class LatencyStoreBenchmark {
  private static final int SERIES = 1_000;
  private static final int MINUTES = 10;
  private static final int ROWS = SERIES * MINUTES;

  /** A fresh store per trial. */
  @State(Scope.Benchmark)
  public static class Flush {
    @Param public StoreBenchmark.Database database;

    @Param({"none", "both"})
    public String latency;

    HikariDataSource ds;
    JdbcUsageStore store;
    String prefix;
    final SeriesKey[] keys = new SeriesKey[SERIES];
    final LatencyTotals[] samples = new LatencyTotals[64];
    long nextMinute = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() / 60;

    @Setup(Level.Trial)
    public void setUp() {
      ds = StoreBenchmark.pool(database.url());
      prefix = "bench_lat_" + UUID.randomUUID().toString().substring(0, 8) + "_";
      store = JdbcUsageStore.builder(ds).tablePrefix(prefix).createSchema(true).build();
      for (int i = 0; i < SERIES; i++) {
        keys[i] = new SeriesKey("tenant-" + i % 10, "key-" + i, "model-" + i % 20);
      }
      SplittableRandom rnd = new SplittableRandom(5);
      for (int i = 0; i < samples.length; i++) {
        long[] d = new long[3];
        long[] t = new long[3];
        for (int k = 0; k < 3; k++) {
          d[k] = (long) (2000 * Math.exp(0.5 * gaussian(rnd)));
          t[k] = d[k] / 5;
        }
        samples[i] = new LatencyTotals(LatencyHistogram.of(d), LatencyHistogram.of(t), 600, 4800);
      }
    }

    private static double gaussian(SplittableRandom r) {
      return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    UsageBatch nextBatch() {
      List<UsageDelta> deltas = new ArrayList<>(ROWS);
      UsageTotals t = new UsageTotals(3, 0, 4200, 800, 100, 0, 0);
      boolean with = latency.equals("both");
      int s = 0;
      for (int m = 0; m < MINUTES; m++) {
        Instant minute = Instant.ofEpochSecond((nextMinute + m) * 60);
        for (SeriesKey k : keys) {
          LatencyTotals l = with ? samples[s++ & 63] : LatencyTotals.empty();
          deltas.add(new UsageDelta(k, minute, t, Grain.MINUTE, l));
        }
      }
      nextMinute += MINUTES;
      return new UsageBatch(UUID.randomUUID().toString(), "bench", deltas);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
      store.close();
      try (Connection c = ds.getConnection();
          Statement st = c.createStatement()) {
        for (String t : new String[] {"rollup", "latency", "ledger", "schema_version"}) {
          st.execute("DROP TABLE IF EXISTS " + prefix + t);
        }
      }
      ds.close();
    }
  }

  /** Rows per second written by one batched, transactional append. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(ROWS)
  public void flush(Flush s) {
    s.store.append(s.nextBatch());
  }
}
