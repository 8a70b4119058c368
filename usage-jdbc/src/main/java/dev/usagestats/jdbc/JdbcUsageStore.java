package dev.usagestats.jdbc;

import dev.usagestats.UsageStoreException;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 *   <li><b>Atomic, once per batch.</b> A batch's rows, its latency histograms and its ledger row
 *       (batch id, primary key) are written in one transaction; a batch id already in the ledger is
 *       a no-op, so a batch retried after an ambiguous failure (the commit may have happened)
 *       counts once.
 *   <li><b>Additive.</b> Rows are merged by additive upsert, and latency histograms are appended
 *       per batch and merged bin by bin when read, so any number of nodes and store instances may
 *       write into the same tables concurrently and totals and histograms stay exact.
 *   <li><b>One snapshot per read.</b> {@link #read} reads rollups, latency and ledger in one
 *       REPEATABLE READ transaction (one statement and one of latency, or one each per chunk of a
 *       large filter), so the engine adds exactly the pending batches the rows do not include.
 *   <li><b>Bounded.</b> Every statement of {@link #append} and {@link #read} has a query timeout
 *       and its connection a network timeout ({@link Builder#statementTimeout}); a read returns at
 *       most {@link Builder#maxReadRows} rows (and as many latency rows).
 *   <li><b>Refusals are permanent.</b> A batch the database refuses for its content (a constraint,
 *       a value out of range, data too long) fails with {@link UsageStoreException#isPermanent()}
 *       true, so the engine sets the refused rows aside; every other failure may pass and the
 *       engine retries it. Messages never show an API key id in full.
 *   <li><b>Compaction loses nothing.</b> {@link #compact()} deletes exactly the minute rows it
 *       folds, rollup and latency rows, also while batches are appended.
 *   <li><b>Retention per grain, never in the way.</b> {@link #prune()} deletes rows past their
 *       grain's retention in short transactions of old rows only, so appends never wait on it; each
 *       {@link #read} says from when the store holds all usage ({@link #keptFrom()}).
 *   <li><b>Few rows per read, exact.</b> Hour and day rows of the {@link Builder#reportZones report
 *       zones} are kept beside the 15-minute rows, equal to them in every snapshot; a read takes
 *       the fewest rows that tile each bucket exactly, and never counts a minute twice nor misses
 *       one, also while compaction moves it. Latency keeps its own minute and 15-minute rows.
 *   <li><b>Versioned schema.</b> {@link Builder#build()} upgrades an older schema in place when
 *       asked ({@link Builder#createSchema(boolean)}), and otherwise refuses one it cannot use.
 *   <li><b>Thread-safe.</b> Every call takes its own connection.
 * </ul>
 *
 * <p>This class is a thin facade over parts with one job each, composed by {@link Builder}: a
 * {@link RollupWriter} (append), a {@link RollupReader} (read), a {@link Compactor} (compaction and
 * ledger pruning), a {@link SchemaManager} (create, upgrade, check), and the {@link Dialect}'s SQL.
 */
public final class JdbcUsageStore implements UsageStore {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcUsageStore.class);
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,47}");

  private final Dialect dialect;
  private final Tables tables;
  private final RollupWriter writer;
  private final RollupReader reader;
  private final Compactor compactor;
  private final Retention retention;
  private final Clock clock;
  private final Grids grids;
  private final @Nullable ScheduledExecutorService background;
  private volatile boolean closed;

  private JdbcUsageStore(Builder b, Dialect dialect) {
    this.dialect = dialect;
    this.tables = new Tables(b.tablePrefix);
    Transactions tx = new Transactions(b.dataSource, dialect.sql(), b.statementTimeout);
    LatencyTable latency = new LatencyTable(tables);
    this.grids = grids(b, dialect);
    this.writer = new RollupWriter(tables, dialect.sql(), tx, b.clock, grids, latency);
    this.reader =
        new RollupReader(
            tables,
            dialect.sql(),
            tx,
            b.compactAfter,
            b.maxReadRows,
            grids,
            latency,
            b.modelSumsFrom);
    // Compaction and retention run slices of up to some 100,000 rows: their own, longer timeout.
    Transactions maintenance = new Transactions(b.dataSource, dialect.sql(), b.compactTimeout);
    this.compactor =
        new Compactor(
            tables,
            dialect.sql(),
            maintenance,
            b.clock,
            b.compactAfter,
            b.ledgerRetention,
            grids,
            latency);
    this.retention = new Retention(tables, maintenance, b.retention.keep(), b.folds());
    this.clock = b.clock;
    if (b.compactEvery.isZero()) {
      this.background = null;
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
      this.background = s;
    }
  }

  /**
   * The grid table's part. Registering a grid and rebuilding grid rows read and write every
   * 15-minute row in one transaction: like schema upgrades, they run without a practical timeout.
   */
  private static Grids grids(Builder b, Dialect dialect) {
    return new Grids(
        new Tables(b.tablePrefix),
        dialect.sql(),
        new Transactions(b.dataSource, dialect.sql(), Duration.ofDays(1)),
        b.clock);
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
    return tables.rollup();
  }

  /** The flush ledger table's name (prefix included). */
  public String ledgerTable() {
    return tables.ledger();
  }

  /**
   * The latency table's name (prefix included): histograms of duration and time to first token,
   * appended per batch and merged when read.
   */
  public String latencyTable() {
    return tables.latency();
  }

  /** The schema version table's name (prefix included). */
  public String schemaVersionTable() {
    return tables.version();
  }

  /** The grid table's name (prefix included): which hour and day rows the store keeps. */
  public String gridTable() {
    return tables.grid();
  }

  /** The schema version this release writes and reads, and {@code createSchema(true)} builds. */
  public static int schemaVersion() {
    return Migration.CURRENT;
  }

  @Override
  public void append(UsageBatch batch) {
    Objects.requireNonNull(batch, "batch");
    checkOpen();
    writer.append(batch);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Minute rows older than {@code compactAfter} may have been folded into 15-minute rows; a
   * query whose bucket bounds split such a row (MINUTE buckets over a compacted range) throws
   * {@link IllegalArgumentException}. Hour, day, week and month bounds in real zones always fall on
   * 15-minute steps. With a retention, the result says from when the store is whole ({@link
   * StoreResult#keptFrom()}, {@link #keptFrom()} as of the end of the read).
   */
  @Override
  public StoreResult read(StoreRead read) {
    Objects.requireNonNull(read, "read");
    checkOpen();
    return read(read, true);
  }

  /** The read from 15-minute and minute rows only, as before grids: for tests to compare. */
  StoreResult readFine(StoreRead read) {
    checkOpen();
    return read(read, false);
  }

  private StoreResult read(StoreRead read, boolean coarse) {
    StoreResult rows = reader.read(read, coarse, keptFrom());
    Instant kept = keptFrom();
    return kept == null ? rows : new StoreResult(rows.rows(), rows.appliedBatchIds(), kept);
  }

  /**
   * Deletes every hour and day row and builds the rows of every grid again from the 15-minute rows,
   * in one transaction. Compaction and appends keep them equal without it; call it after writing or
   * deleting 15-minute rows by hand (a bulk import, a restore), or after nodes of a release before
   * schema version 4 compacted into a version 4 database. It reads every 15-minute row, so on a
   * large history it takes minutes (see the README), and it runs without a practical timeout;
   * compactions and appends of 15-minute rows wait for it, reads and appends of minute rows do not.
   *
   * @return the number of hour and day rows written
   * @throws UsageStoreException if the database fails
   */
  public long rebuildCoarseRows() {
    checkOpen();
    return grids.rebuild();
  }

  /**
   * Folds minute rows older than {@code compactAfter} into 15-minute rows and into the hour and day
   * rows of the store's grids ({@link Builder#reportZones}), and forgets ledger rows older than
   * {@code ledgerRetention}. Each slice (2 hours at first, longer over sparse rows, shorter over
   * dense ones) is folded in one transaction, rollup rows by set-based SQL, latency rows of a
   * series and quarter hour merged into one (latency has no hour or day rows); totals and
   * histograms of any range whose bounds fall on 15-minute steps are unchanged. Safe to run on
   * several nodes at once and while batches are appended: a minute row is deleted only together
   * with adding it into its 15-minute row and into a row of every grid.
   *
   * @return the number of minute rows folded
   * @throws UsageStoreException if the database fails
   */
  public long compact() {
    checkOpen();
    // One instant for both, so rows are pruned only up to where they were folded.
    Instant now = clock.instant();
    long folded = compactor.compact(now);
    retention.prune(now);
    return folded;
  }

  /**
   * Deletes rollup rows past their grain's retention ({@link Builder#retention(Grain, Duration)},
   * {@link Builder#retention(Duration)}), slice by slice, each slice a short transaction of its
   * own; {@link #compact()} does it too, after folding. Usage before {@link #keptFrom()} is gone; a
   * report over such a range counts only what is left and says so ({@code
   * UsageReport.incompleteBefore()}).
   *
   * @return the number of rows deleted
   * @throws UsageStoreException if the database fails
   */
  public long prune() {
    checkOpen();
    return retention.prune(clock.instant());
  }

  /**
   * The first instant from which the store holds all usage (usage before it is past retention and
   * deleted by {@link #prune()}), or null if retention deletes none: every grain is kept for ever,
   * or only grains that are folded into coarser ones before their retention (minute rows) have one.
   * On a quarter-hour step. Every {@link #read} answers with it.
   */
  public @Nullable Instant keptFrom() {
    return retention.keptFrom(clock.instant());
  }

  private void compactQuietly() {
    try {
      compact();
    } catch (RuntimeException e) {
      LOG.warn("usage store compaction failed; will retry at the next run", e);
    }
  }

  private void checkOpen() {
    if (closed) throw new UsageStoreException("usage store is closed");
  }

  /** Stops background compaction. Does not close the {@link DataSource}. Idempotent. */
  @Override
  public void close() {
    closed = true;
    ScheduledExecutorService s = background;
    if (s != null) s.shutdownNow();
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

    /** Set by build(): the schema's model sums marker (epoch second). */
    private long modelSumsFrom = Long.MAX_VALUE;

    private Duration compactAfter = Duration.ofDays(2);
    private final Retention.Settings retention = new Retention.Settings();
    private Duration compactEvery = Duration.ZERO;
    private Duration ledgerRetention = Duration.ofDays(7);
    private Clock clock = Clock.systemUTC();
    private Duration statementTimeout = Duration.ofSeconds(5);
    private Duration compactTimeout = Duration.ofMinutes(1);
    private long maxReadRows = 1_000_000;
    private Set<ZoneId> reportZones = Set.of(ZoneOffset.UTC);

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /** The SQL dialect (default: detected from the database's product name). */
    public Builder dialect(Dialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * Prepended to the table names {@code rollup}, {@code latency}, {@code ledger} and {@code
     * schema_version} (default {@code usage_}): a letter or underscore, then letters, digits or
     * underscores, 48 characters at most.
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
     * Whether {@link #build()} creates the schema on an empty database, or upgrades an older one in
     * place, to {@link JdbcUsageStore#schemaVersion()} (default false: apply {@link
     * Dialect#migrations()} with your migration tool; {@code build()} then only checks the
     * version). Safe when several nodes start at once.
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

    /**
     * Keeps rollup rows of every grain without a retention of its own ({@link #retention(Grain,
     * Duration)}) for {@code keep} after their span ends; older ones are deleted by {@link
     * JdbcUsageStore#prune()} and after each {@link JdbcUsageStore#compact()} (so by the store's
     * own background job with {@link #compactEvery}). Default: kept for ever. Minute rows that take
     * it need it at least as long as {@code compactAfter}, so they are folded before they go.
     *
     * <pre>{@code
     * builder.compactAfter(Duration.ofDays(2)).retention(Duration.ofDays(400)).compactEvery(Duration.ofHours(1))
     * }</pre>
     */
    public Builder retention(Duration keep) {
      Objects.requireNonNull(keep, "keep");
      if (keep.compareTo(Duration.ofDays(1)) < 0) {
        throw new IllegalArgumentException("retention must be >= P1D: " + keep);
      }
      retention.byDefault(keep);
      return this;
    }

    /**
     * Keeps rollup rows of {@code grain} for {@code keep} after their span ends, whatever {@link
     * #retention(Duration)} says for the other grains (default: that, or for ever). Minute rows
     * need at least {@code compactAfter}, so compaction folds them into quarter-hour rows before
     * they go (checked by {@link #build()}); then their retention loses no usage and only bounds
     * minute rows compaction has not reached. A grain that is never folded loses its usage at its
     * retention, and {@link JdbcUsageStore#keptFrom()} says so. The hour and day rows of the grids
     * ({@link #reportZones}) take the {@link Grain#QUARTER_HOUR} retention: they are sums of
     * 15-minute rows and go by the same age. Latency rows go with the rollup rows of their grain.
     *
     * <pre>{@code
     * builder
     *     .compactAfter(Duration.ofDays(2))
     *     .retention(Grain.MINUTE, Duration.ofDays(7))
     *     .retention(Grain.QUARTER_HOUR, Duration.ofDays(400))
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code keep} is shorter than an hour
     */
    public Builder retention(Grain grain, Duration keep) {
      Objects.requireNonNull(grain, "grain");
      Objects.requireNonNull(keep, "keep");
      if (keep.compareTo(Duration.ofHours(1)) < 0) {
        throw new IllegalArgumentException("retention of " + grain + " must be >= PT1H: " + keep);
      }
      retention.of(grain, keep);
      return this;
    }

    /** The grains compaction folds into coarser ones, with the age at which it does. */
    private Map<Grain, Duration> folds() {
      return Map.of(Grain.MINUTE, compactAfter);
    }

    /**
     * How long one statement of {@link JdbcUsageStore#append} or {@link JdbcUsageStore#read} may
     * take (default 5 s): each statement gets it as its query timeout ({@link
     * java.sql.Statement#setQueryTimeout}, whole seconds, rounded up), and the connection gets it
     * plus 1 s as its network timeout ({@link Connection#setNetworkTimeout}), restored when the
     * connection goes back to the pool. A call that runs out fails with {@link UsageStoreException}
     * (one the engine retries) instead of hanging on a dead socket, which is what keeps the
     * engine's {@code close()} near its {@code closeTimeout}. Reruns after a deadlock stop once it
     * has passed. Waiting for a connection is the pool's to bound: set the pool's connection
     * timeout (HikariCP's {@code connectionTimeout}) no longer than this.
     */
    public Builder statementTimeout(Duration statementTimeout) {
      Objects.requireNonNull(statementTimeout, "statementTimeout");
      if (statementTimeout.compareTo(Duration.ofSeconds(1)) < 0
          || statementTimeout.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            "statementTimeout must be between PT1S and P1D: " + statementTimeout);
      }
      this.statementTimeout = statementTimeout;
      return this;
    }

    /**
     * The timeout of each statement of {@link JdbcUsageStore#compact()} (default 1 minute): a slice
     * folds up to some 100,000 rows. Applied as {@link #statementTimeout} is.
     */
    public Builder compactTimeout(Duration compactTimeout) {
      Objects.requireNonNull(compactTimeout, "compactTimeout");
      if (compactTimeout.compareTo(Duration.ofSeconds(1)) < 0
          || compactTimeout.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            "compactTimeout must be between PT1S and P1D: " + compactTimeout);
      }
      this.compactTimeout = compactTimeout;
      return this;
    }

    /**
     * The most rows one {@link JdbcUsageStore#read} takes from the database (default 1,000,000:
     * about 300-400 MB of rows summed in Java at most). Rows are streamed and counted; a read that
     * would take more fails with {@link IllegalArgumentException} naming the cap, before holding
     * them. A row is one series in one stored minute, quarter hour, hour or day (or, where
     * PostgreSQL sums in SQL, one group in one bucket). The rows of the engine's peak aggregates
     * (per stored span, at most one per model and one of all usage) are read on top of the cap.
     * Latency rows (one per series, stored span and flush batch, one per series and quarter hour
     * once compacted) are counted apart, against the same cap: each is merged as it streams.
     */
    public Builder maxReadRows(long maxReadRows) {
      if (maxReadRows < 1) {
        throw new IllegalArgumentException("maxReadRows must be >= 1: " + maxReadRows);
      }
      this.maxReadRows = maxReadRows;
      return this;
    }

    /**
     * The zones reports are mostly asked in (default UTC): the store keeps a row per series for
     * each of their local days, and for each of their local hours where those do not start on the
     * UTC hour (+05:30, +05:45), beside the 15-minute rows, so that a day in such a zone is read
     * from one row per series instead of 96. Reports in every zone stay exact either way; one in a
     * zone not listed reads UTC hour rows and the 15-minute rows at the edges (a day in New York:
     * 24 rows; in Kathmandu: 27).
     *
     * <p>Each distinct offset a zone has (New York: two) is a grid of day rows, about 1% more rows
     * than the 15-minute rows; local hours off the UTC hour are a grid of hour rows, 25% more.
     * UTC's hours are always kept once any zone is listed. {@link #build()} adds the grids the
     * database does not hold yet, building their rows from the stored 15-minute rows in one
     * transaction (minutes for a year of dense history; see the README); a grid is kept once added,
     * also for nodes that do not list its zone. An empty list adds nothing (reads then use the
     * grids other nodes added, if any).
     *
     * <pre>{@code
     * builder.reportZones(ZoneId.of("America/New_York"), ZoneId.of("Asia/Kathmandu"), ZoneOffset.UTC)
     * }</pre>
     *
     * @throws IllegalArgumentException if a zone has an offset off a 15-minute step from two years
     *     ago to a year ahead
     */
    public Builder reportZones(ZoneId... zones) {
      Objects.requireNonNull(zones, "zones");
      Set<ZoneId> set = new LinkedHashSet<>();
      for (ZoneId z : zones) {
        Objects.requireNonNull(z, "zones must not contain null");
        Grid.of(z, Instant.now()); // checks the offsets now rather than in build()
        set.add(z);
      }
      this.reportZones = Set.copyOf(set);
      return this;
    }

    /** The clock for ledger times and compaction ages (default {@link Clock#systemUTC()}). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Detects the dialect if not set, creates or upgrades the schema if asked, checks its version,
     * and builds the store.
     *
     * @throws UsageStoreException if the database cannot be reached or the schema not created
     * @throws IllegalStateException if the database is not one of the supported dialects, or its
     *     schema version is not the one this release uses (older, with {@code createSchema(false)};
     *     missing; or newer), with a message saying what to run; or if minute rows would be kept
     *     shorter than {@code compactAfter}
     */
    public JdbcUsageStore build() {
      retention.checkFoldedFirst(Grain.MINUTE, compactAfter, "compactAfter");
      Dialect d = dialect;
      try (Connection c = dataSource.getConnection()) {
        if (d == null) d = Dialect.detect(c.getMetaData());
        SchemaManager schema = new SchemaManager(new Tables(tablePrefix), d);
        if (createSchema) {
          schema.createOrUpgrade(c);
        } else {
          schema.requireCurrent(c);
        }
        modelSumsFrom = schema.modelSumsFrom(c);
      } catch (SQLException e) {
        throw new UsageStoreException("usage store could not be set up: " + e, e);
      }
      Set<Grid> wanted = new TreeSet<>();
      for (ZoneId z : reportZones) wanted.addAll(Grid.of(z, clock.instant()));
      if (!wanted.isEmpty()) wanted.add(Grid.UTC.get(0));
      grids(this, d).register(wanted);
      return new JdbcUsageStore(this, d);
    }
  }
}
