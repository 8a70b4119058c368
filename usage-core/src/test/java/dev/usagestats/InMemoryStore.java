package dev.usagestats;

import dev.usagestats.spi.Grain;
import dev.usagestats.spi.Measure;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import dev.usagestats.spi.UsageStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain {@link UsageStore} for tests: a list of applied deltas and a ledger, under one lock. Can
 * fail before applying a batch, or after applying it (the ambiguous case).
 */
class InMemoryStore implements UsageStore {
  enum Failure {
    NONE,
    BEFORE_APPLY,
    AFTER_APPLY
  }

  private final List<UsageDelta> rows = new ArrayList<>();
  private final Set<String> ledger = new HashSet<>();
  final AtomicInteger appends = new AtomicInteger();
  volatile Failure failure = Failure.NONE;
  volatile boolean failReads;
  volatile boolean closed;

  /**
   * Retention: rows of spans that ended before this instant are not read (as if deleted), and each
   * answer says the store is whole from here; null keeps every row.
   */
  volatile Instant keptFrom;

  /** A model whose rows the store refuses for good, as a constraint would; null for none. */
  volatile String refusedModel;

  @Override
  public synchronized void append(UsageBatch batch) {
    appends.incrementAndGet();
    if (failure == Failure.BEFORE_APPLY) throw new UsageStoreException("store down", null);
    String refused = refusedModel;
    for (UsageDelta d : batch.deltas()) {
      if (d.key().model().equals(refused)) {
        throw new UsageStoreException("check constraint violated", null, true);
      }
    }
    if (ledger.add(batch.id())) rows.addAll(batch.deltas());
    if (failure == Failure.AFTER_APPLY) throw new UsageStoreException("reply lost", null);
  }

  @Override
  public synchronized StoreResult read(StoreRead read) {
    if (failReads) throw new UsageStoreException("store down", null);
    List<StoreResult.Row> out = new ArrayList<>();
    List<Instant> b = read.bounds();
    // Rows as a store keeps them: deltas of one series and span added up; a minute's peaks are
    // its own sums, a quarter-hour delta's are unknown.
    Map<List<Object>, long[]> merged = new LinkedHashMap<>();
    Map<List<Object>, LatencyTotals> latency = new HashMap<>();
    Instant kept = keptFrom;
    for (UsageDelta d : rows) {
      if (kept != null && !d.start().plusMillis(d.grain().millis()).isAfter(kept)) continue;
      latency.merge(List.of(d.key(), d.start(), d.grain()), d.latency(), LatencyTotals::plus);
      long[] c = Measure.counts(d.totals());
      if (d.grain() == Grain.QUARTER_HOUR) {
        for (Measure m : Measure.peaks()) c[m.ordinal()] = Measure.UNKNOWN;
      }
      long[] had = merged.putIfAbsent(List.of(d.key(), d.start(), d.grain()), c);
      if (had != null) Measure.add(had, c);
    }
    for (Map.Entry<List<Object>, long[]> e : merged.entrySet()) {
      SeriesKey k = (SeriesKey) e.getKey().get(0);
      Instant start = (Instant) e.getKey().get(1);
      long[] c = e.getValue();
      if (e.getKey().get(2) == Grain.MINUTE) Measure.derivePeaks(c);
      if (read.tenant() != null && !read.tenant().equals(k.tenant())) continue;
      if (!read.apiKeys().isEmpty() && !read.apiKeys().contains(k.apiKey())) continue;
      if (!read.models().isEmpty() && !read.models().contains(k.model())) continue;
      for (int i = 0; i + 1 < b.size(); i++) {
        if (!start.isBefore(b.get(i)) && start.isBefore(b.get(i + 1))) {
          // Sum across what the report does not need, as a store may; peak aggregates stay apart.
          boolean aggregate = k.tenant().equals(" ");
          SeriesKey summed =
              new SeriesKey(
                  read.needsTenant() || aggregate ? k.tenant() : "",
                  read.needsApiKey() || aggregate ? k.apiKey() : "",
                  k.model());
          out.add(
              new StoreResult.Row(
                  summed,
                  i,
                  Measure.totals(c),
                  c[Measure.PEAK_CALLS_PER_MINUTE.ordinal()],
                  c[Measure.PEAK_TOKENS_PER_MINUTE.ordinal()],
                  latency.get(e.getKey())));
        }
      }
    }
    Set<String> applied = new HashSet<>(read.batchIds());
    applied.retainAll(ledger);
    return new StoreResult(out, applied, kept);
  }

  synchronized int ledgerSize() {
    return ledger.size();
  }

  synchronized long storedCalls() {
    return rows.stream()
        .filter(d -> !d.key().tenant().equals(" "))
        .mapToLong(d -> d.totals().calls())
        .sum();
  }

  @Override
  public void close() {
    closed = true;
  }
}
