package dev.usagestats.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.usagestats.Granularity;
import dev.usagestats.UsageTotals;
import dev.usagestats.jdbc.JdbcUsageStore;
import dev.usagestats.spi.KeyDetail;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scale scenario: many processes, one PostgreSQL. Starts {@code nodes} JVMs ({@link
 * ScaleNode}), each an engine with its own node id flushing every {@code flush-ms} into the same
 * rollup table, recording into a shared set of {@code series} series at {@code rate} events per
 * second each for {@code seconds} seconds. Then it checks that the store holds exactly what the
 * nodes recorded, series by series (one store read per series against the sum of the nodes' files),
 * and reports the flush latency per batch, the rows per second the database took and the CPU the
 * database used. Not part of CI; run it with {@code benchmarks/scale.sh} (see BENCHMARKS.md, "The
 * scale scenario").
 *
 * <p>It works in its own database ({@code usagestats_scale} by default, created if missing) and
 * empties its tables ({@code scale_*}) before each run, so tests and other benchmarks are not
 * disturbed. Database CPU is read from {@code /proc}: every {@code postgres} process's user and
 * system time, plus the postmaster's reaped children, so backends that exit during the run are
 * counted too. It is the whole cluster's CPU, so other work on the same server shows up in it.
 */
public final class ScaleScenario {
  private static final String PREFIX = "scale_";

  private ScaleScenario() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("nodes", "8");
    o.put("series", "10000");
    o.put("rate", "1000");
    o.put("seconds", "180");
    o.put("flush-ms", "1000");
    o.put("server", "127.0.0.1:5432");
    o.put("database", "usagestats_scale");
    o.put("heap", "256m");
    o.put("out", "benchmarks/results/scale-" + Instant.now().truncatedTo(ChronoUnit.SECONDS));
    for (String a : args) {
      int eq = a.indexOf('=');
      String key = a.startsWith("--") && eq > 2 ? a.substring(2, eq) : null;
      if (key == null || !o.containsKey(key)) {
        throw new IllegalArgumentException(
            "unknown argument (want --name=value of " + o.keySet() + "): " + a);
      }
      o.put(key, a.substring(eq + 1));
    }
    int nodes = positive(o, "nodes");
    int series = positive(o, "series");
    int rate = positive(o, "rate");
    int seconds = positive(o, "seconds");
    int flushMs = positive(o, "flush-ms");
    String url =
        "jdbc:postgresql://" + o.get("server") + "/" + o.get("database") + "?user=postgres";
    Path out = Path.of(o.get("out").replace(':', '-'));
    Files.createDirectories(out);

    prepare(o.get("server"), o.get("database"), url);
    String jar =
        Path.of(ScaleScenario.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    long startAt = System.currentTimeMillis() + 5_000 + 500L * nodes;
    List<Process> procs = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      ProcessBuilder pb =
          new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx" + o.get("heap"),
              "-cp",
              jar,
              ScaleNode.class.getName(),
              String.valueOf(i),
              url,
              PREFIX,
              String.valueOf(series),
              String.valueOf(rate),
              String.valueOf(seconds),
              String.valueOf(startAt),
              String.valueOf(flushMs),
              out.toString());
      pb.redirectErrorStream(true).redirectOutput(out.resolve(ScaleNode.name(i, "log")).toFile());
      procs.add(pb.start());
    }
    Thread.sleep(Math.max(0, startAt - System.currentTimeMillis()));
    long cpu0 = PgCpu.ticks();
    long[] stat0 = pgStat(url);
    String load0 = Files.readString(Path.of("/proc/loadavg")).trim();
    long wall0 = System.nanoTime();
    int failed = 0;
    for (Process p : procs) if (p.waitFor() != 0) failed++;
    double wall = (System.nanoTime() - wall0) / 1e9;
    long cpu1 = PgCpu.ticks();
    String load1 = Files.readString(Path.of("/proc/loadavg")).trim();
    Thread.sleep(1_500); // backends report their statistics on exit; let them arrive
    long[] stat1 = pgStat(url);
    if (failed > 0)
      throw new IllegalStateException(failed + " node(s) failed; see " + out + "/node-*.log");

    StringWriter text = new StringWriter();
    PrintWriter r = new PrintWriter(text);
    r.printf(
        "scale scenario: %d nodes x %d events/s for %d s into %d series, flush every %d ms%n",
        nodes, rate, seconds, series, flushMs);
    r.printf("load average before: %s; after: %s%n", load0, load1);
    ScaleReport report = ScaleReport.read(out, nodes, series);
    report.printNodes(r, rate, seconds);
    boolean exact = check(url, report, series, r);
    report.printFlushes(r, wall);
    double cpuSeconds = (cpu1 - cpu0) / (double) PgCpu.ticksPerSecond();
    r.printf(
        "database: %.0f rows written (tup_inserted %d + tup_updated %d) in %d commits, %.1f s%n",
        (double) (stat1[1] - stat0[1] + stat1[2] - stat0[2]),
        stat1[1] - stat0[1],
        stat1[2] - stat0[2],
        stat1[0] - stat0[0],
        wall);
    r.printf(
        "database CPU (all postgres processes): %.1f s in %.1f s wall = %.2f cores of %d%n",
        cpuSeconds, wall, cpuSeconds / wall, Runtime.getRuntime().availableProcessors());
    tableSize(url, r);
    r.println(
        exact ? "EXACT: every series' stored totals equal what the nodes recorded" : "NOT EXACT");
    r.flush();
    Files.writeString(out.resolve("REPORT.txt"), text.toString());
    System.out.print(text);
    System.out.println("results: " + out);
    if (!exact) System.exit(1);
  }

  private static int positive(Map<String, String> o, String key) {
    int v = Integer.parseInt(o.get(key));
    if (v <= 0) throw new IllegalArgumentException(key + " must be > 0: " + v);
    return v;
  }

  /** Creates the database if missing, and the store's tables, empty. */
  private static void prepare(String server, String database, String url) throws SQLException {
    if (!database.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("database must be a plain lower-case name: " + database);
    }
    try (Connection c =
            DriverManager.getConnection("jdbc:postgresql://" + server + "/test?user=postgres");
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
      if (!rs.next()) st.execute("CREATE DATABASE " + database);
    }
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      for (String t : List.of("rollup", "ledger", "schema_version"))
        st.execute("DROP TABLE IF EXISTS " + PREFIX + t + " CASCADE");
    }
    try (HikariDataSource ds = pool(url, 1)) {
      JdbcUsageStore.builder(ds).tablePrefix(PREFIX).createSchema(true).build().close();
    }
  }

  static HikariDataSource pool(String url, int size) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setMaximumPoolSize(size);
    return new HikariDataSource(c);
  }

  /** Commits, tuples inserted and tuples updated in this database so far. */
  private static long[] pgStat(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT xact_commit, tup_inserted, tup_updated FROM pg_stat_database"
                    + " WHERE datname = current_database()")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
    }
  }

  /** One store read per series over the whole run, against the sum of what the nodes recorded. */
  private static boolean check(String url, ScaleReport report, int series, PrintWriter r) {
    Instant from =
        Instant.ofEpochMilli(report.firstStart())
            .truncatedTo(ChronoUnit.HOURS)
            .minus(1, ChronoUnit.HOURS);
    Instant to =
        Instant.ofEpochMilli(report.lastClosed())
            .truncatedTo(ChronoUnit.HOURS)
            .plus(2, ChronoUnit.HOURS);
    int mismatched = 0;
    long storedCalls = 0;
    long t0 = System.nanoTime();
    try (HikariDataSource ds = pool(url, 1);
        JdbcUsageStore store = JdbcUsageStore.builder(ds).tablePrefix(PREFIX).build()) {
      for (int i = 0; i < series; i++) {
        StoreResult res =
            store.read(
                new StoreRead(
                    List.of(from, to),
                    ZoneOffset.UTC,
                    Granularity.HOUR,
                    ScaleNode.tenant(i),
                    Set.of(ScaleNode.apiKey(i)),
                    Set.of(ScaleNode.model(i)),
                    Set.of(),
                    KeyDetail.SERIES));
        UsageTotals got = UsageTotals.empty();
        for (StoreResult.Row row : res.rows()) got = got.plus(row.totals());
        storedCalls += got.calls();
        long[] want = report.recorded(i);
        if (got.calls() != want[0]
            || got.inputTokens() != want[1]
            || got.outputTokens() != want[2]
            || got.errors() != 0) {
          if (mismatched++ < 5) {
            r.printf(
                "  series %d: stored calls %d input %d output %d, recorded %d %d %d%n",
                i, got.calls(), got.inputTokens(), got.outputTokens(), want[0], want[1], want[2]);
          }
        }
      }
    }
    r.printf(
        "check: %d series read one by one in %.1f s; %d mismatched; calls stored %d, recorded %d%n",
        series, (System.nanoTime() - t0) / 1e9, mismatched, storedCalls, report.totalEvents());
    return mismatched == 0 && storedCalls == report.totalEvents();
  }

  private static void tableSize(String url, PrintWriter r) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute("VACUUM ANALYZE " + PREFIX + "rollup");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT COUNT(*), pg_relation_size('"
                  + PREFIX
                  + "rollup'), pg_total_relation_size('"
                  + PREFIX
                  + "rollup'), AVG(pg_column_size(t.*)) FROM "
                  + PREFIX
                  + "rollup t")) {
        rs.next();
        long rows = rs.getLong(1);
        r.printf(
            "rollup table: %d rows, heap %d bytes (%.0f/row), with indexes %d bytes (%.0f/row), tuple %.0f bytes on average%n",
            rows,
            rs.getLong(2),
            rs.getLong(2) / (double) rows,
            rs.getLong(3),
            rs.getLong(3) / (double) rows,
            rs.getDouble(4));
      }
    }
  }
}
