package dev.usagestats.spi;

import dev.usagestats.UsageStats;
import dev.usagestats.UsageStoreException;

/**
 * Durable storage of rollups, plugged into {@link UsageStats.Builder#store}. {@code usage-jdbc}
 * provides one over a {@code DataSource}.
 *
 * <p>Contract:
 *
 * <ol>
 *   <li>{@link #append} applies a batch atomically and idempotently: a batch id already applied is
 *       a no-op, so a batch retried after an ambiguous failure counts once.
 *   <li>{@link #read} sums rows per series per bucket and reports which of the given batch ids are
 *       applied, both from one snapshot, so the engine can add what the store does not hold yet
 *       without counting anything twice.
 *   <li>Peaks (optional): a store that keeps them gives each row the peaks of its series in the
 *       bucket ({@link StoreResult.Row}). A minute's peak is the minute's own sums, summed over
 *       every batch that wrote to it (deltas of one minute arrive in parts, one per flush); a
 *       coarser span's peak is the largest of its minutes', or {@link Measure#UNKNOWN} if a part of
 *       it has none (a {@link Grain#QUARTER_HOUR} delta carries none). Rows of the peak aggregates
 *       (tenant and API key one space, a name no caller can use) are kept and read like any series,
 *       and never summed with other series' rows. They hold the sums of every series of their model
 *       (or of all series) per minute, so a store may form them itself from each batch's series
 *       rows rather than keep the batch's own (equal by construction), and may answer a read that
 *       keeps neither tenant nor API key, and filters by neither, from them alone. A store that
 *       keeps no peaks answers with rows whose peaks are unknown.
 *   <li>Retention (optional): a store that deletes old rows says in each answer from when it holds
 *       every row ({@link StoreResult#keptFrom()}), so a report over a range that starts earlier
 *       says which part may be missing instead of showing less as if it were all.
 *   <li>Both may be called from several threads; they may block on I/O (never on the recording
 *       path: the engine calls {@code append} from its flusher).
 *   <li>Failures are thrown as {@link UsageStoreException}; the engine keeps the batch and retries
 *       it.
 * </ol>
 */
public interface UsageStore extends AutoCloseable {
  /**
   * Applies the batch atomically and at most once per batch id.
   *
   * @throws UsageStoreException if the batch may not have been applied
   */
  void append(UsageBatch batch);

  /**
   * Reads sums for a query and the applied status of batches, from one snapshot.
   *
   * @throws UsageStoreException if the store cannot answer
   */
  StoreResult read(StoreRead read);

  /** Releases what the store holds; does not close a {@code DataSource} it was given. */
  @Override
  void close();
}
