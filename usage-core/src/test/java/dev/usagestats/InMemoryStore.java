package dev.usagestats;

import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import dev.usagestats.spi.UsageStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
    for (UsageDelta d : rows) {
      SeriesKey k = d.key();
      if (read.tenant() != null && !read.tenant().equals(k.tenant())) continue;
      if (!read.apiKeys().isEmpty() && !read.apiKeys().contains(k.apiKey())) continue;
      if (!read.models().isEmpty() && !read.models().contains(k.model())) continue;
      for (int i = 0; i + 1 < b.size(); i++) {
        if (!d.start().isBefore(b.get(i)) && d.start().isBefore(b.get(i + 1))) {
          // Sum across what the report does not need, as a store may.
          SeriesKey summed =
              new SeriesKey(
                  read.needsTenant() ? k.tenant() : "",
                  read.needsApiKey() ? k.apiKey() : "",
                  k.model());
          out.add(new StoreResult.Row(summed, i, d.totals()));
        }
      }
    }
    Set<String> applied = new HashSet<>(read.batchIds());
    applied.retainAll(ledger);
    return new StoreResult(out, applied);
  }

  synchronized int ledgerSize() {
    return ledger.size();
  }

  synchronized long storedCalls() {
    return rows.stream().mapToLong(d -> d.totals().calls()).sum();
  }

  @Override
  public void close() {
    closed = true;
  }
}
