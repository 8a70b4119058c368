package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.spi.UsageBatch;
import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A failing listener or store never reaches the caller of record; nothing is lost or doubled. */
class DownstreamFailureTest {
  private final TestClock clock = TestClock.of(Instant.parse("2026-11-20T10:00:00Z"));

  @Test
  void listener_throwingOnRecord_neverReachesCaller() {
    UsageListener failing =
        key ->
            (in, out, cached, cacheCreation, reasoning, outcome) -> {
              throw new IllegalStateException("meter broke");
            };
    try (UsageStats stats =
        UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).listener(failing).build()) {
      for (int i = 0; i < 1000; i++) stats.record("t", "k", "m", 3, 4);
      stats.series("t", "k", "m").record(3, 4);
      assertThat(stats.stats().listenerFailures()).isEqualTo(1001);
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals())
          .isEqualTo(new UsageTotals(1001, 0, 3003, 4004, 0, 0, 0));
    }
  }

  @Test
  void listener_throwingOnBind_neverReachesCallerAndOthersStillHear() {
    long[] heard = new long[1];
    UsageListener failing =
        key -> {
          throw new IllegalStateException("registry broke");
        };
    UsageListener counting =
        key -> (in, out, cached, cacheCreation, reasoning, outcome) -> heard[0] += in;
    try (UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .listener(failing)
            .listener(counting)
            .build()) {
      stats.record("t", "k", "m", 5, 0);
      assertThat(heard[0]).isEqualTo(5);
      assertThat(stats.stats().listenerFailures()).isEqualTo(1);
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().inputTokens()).isEqualTo(5);
    }
  }

  @Test
  void store_failingWrites_neverReachCallerAndQueriesStayExact() {
    InMemoryStore store = new InMemoryStore();
    store.failure = InMemoryStore.Failure.BEFORE_APPLY;
    try (UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .store(store)
            .flushInterval(Duration.ZERO)
            .closeTimeout(Duration.ZERO)
            .build()) {
      for (int i = 0; i < 100; i++) {
        stats.record("t", "k", "m", 10, 1);
        clock.advance(Duration.ofSeconds(30));
        if (i % 10 == 0) stats.flush();
      }
      assertThat(stats.stats().failedFlushes()).isPositive();
      assertThat(stats.stats().lastGoodFlush()).isNull();
      assertThat(stats.stats().pendingRows()).isPositive();
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().calls()).isEqualTo(100);

      store.failure = InMemoryStore.Failure.NONE;
      stats.flush();
      assertThat(stats.stats().pendingRows()).isZero();
      assertThat(stats.stats().lastGoodFlush()).isEqualTo(clock.instant());
      assertThat(store.storedCalls()).isEqualTo(100);
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().calls()).isEqualTo(100);
    }
  }

  @Test
  void store_downPastPendingCap_coarsensThenDropsAndCountsWhatWasLost() {
    InMemoryStore store = new InMemoryStore();
    store.failure = InMemoryStore.Failure.BEFORE_APPLY;
    try (UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .store(store)
            .maxPendingRows(4)
            .flushInterval(Duration.ZERO)
            .closeTimeout(Duration.ZERO)
            .build()) {
      for (int i = 0; i < 200; i++) {
        stats.record("t", "k" + (i % 3), "m", 10, 1);
        clock.advance(Duration.ofMinutes(1));
        stats.flush();
      }
      EngineStats es = stats.stats();
      assertThat(es.pendingRows()).isLessThanOrEqualTo(4);
      assertThat(es.coarsenedRows()).isPositive();
      assertThat(es.droppedCalls()).isPositive();
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().calls())
          .isEqualTo(200 - es.droppedCalls());
    }
  }

  @Test
  void store_failingAfterCommit_retriedBatchCountsOnce() {
    InMemoryStore store = new InMemoryStore();
    try (UsageStats stats =
        UsageStats.builder().clock(clock).store(store).flushInterval(Duration.ZERO).build()) {
      stats.record("t", "k", "m", 10, 1);
      store.failure = InMemoryStore.Failure.AFTER_APPLY;
      stats.flush();
      // Applied but unacknowledged: the query must count it once, from the store.
      assertThat(stats.stats().pendingRows()).isEqualTo(1);
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().calls()).isEqualTo(1);
      stats.record("t", "k", "m", 10, 1);
      store.failure = InMemoryStore.Failure.NONE;
      stats.flush();
      assertThat(store.storedCalls()).isEqualTo(2);
      assertThat(store.ledgerSize()).isEqualTo(2);
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().calls()).isEqualTo(2);
    }
  }

  @Test
  void store_failingReads_surfaceFromQueryOnly() {
    InMemoryStore store = new InMemoryStore();
    try (UsageStats stats =
        UsageStats.builder().clock(clock).store(store).flushInterval(Duration.ZERO).build()) {
      store.failReads = true;
      stats.record("t", "k", "m", 10, 1);
      assertThatThrownBy(() -> stats.query(UsageQuery.lastTwoWeeks()))
          .isInstanceOf(UsageStoreException.class);
    }
  }

  @Test
  void close_flushesEverythingToStoreAndIsIdempotent() {
    InMemoryStore store = new InMemoryStore();
    UsageStats stats =
        UsageStats.builder().clock(clock).store(store).flushInterval(Duration.ofHours(1)).build();
    for (int i = 0; i < 50; i++) stats.record("t", "k" + (i % 5), "m", 1, 1);
    stats.close();
    stats.close();
    assertThat(store.storedCalls()).isEqualTo(50);
    assertThat(store.closed).isTrue();
    stats.record("t", "k", "m", 1, 1);
    assertThat(stats.stats().rejectedEvents()).isEqualTo(1);
    assertThat(store.storedCalls()).isEqualTo(50);
  }

  @Test
  void close_storeDown_givesUpAfterTimeoutWithoutThrowing() {
    InMemoryStore store = new InMemoryStore();
    store.failure = InMemoryStore.Failure.BEFORE_APPLY;
    UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .store(store)
            .flushInterval(Duration.ZERO)
            .closeTimeout(Duration.ofMillis(200))
            .build();
    stats.record("t", "k", "m", 1, 1);
    stats.close();
    assertThat(store.appends.get()).isGreaterThan(1);
    assertThat(stats.stats().pendingRows()).isEqualTo(1);
  }

  @Test
  void storeMode_backgroundFlusherWritesAndQueriesCountOnce() throws Exception {
    InMemoryStore store = new InMemoryStore();
    try (UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .store(store)
            .flushInterval(Duration.ofMillis(2))
            .build()) {
      long n = 0;
      long deadline = System.nanoTime() + Duration.ofMillis(300).toNanos();
      while (System.nanoTime() < deadline) {
        stats.record("t", "k", "m", 2, 3);
        n++;
        if (n % 1000 == 0) {
          clock.advance(Duration.ofSeconds(7));
          assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().calls()).isEqualTo(n);
        }
      }
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals())
          .isEqualTo(new UsageTotals(n, 0, 2 * n, 3 * n, 0, 0, 0));
      assertThat(store.ledgerSize()).isPositive();
    }
  }

  @Test
  void close_storeWriteHangs_returnsWithinCloseTimeout() throws Exception {
    java.util.concurrent.CountDownLatch inAppend = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    InMemoryStore hanging =
        new InMemoryStore() {
          @Override
          public void append(UsageBatch batch) {
            inAppend.countDown();
            while (true) {
              try {
                release.await(); // a socket read that ignores interrupts
                break;
              } catch (InterruptedException e) {
                // ignored, as a stuck driver would
              }
            }
            super.append(batch);
          }
        };
    UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .store(hanging)
            .flushInterval(Duration.ofMillis(5))
            .closeTimeout(Duration.ofMillis(300))
            .build();
    try {
      stats.record("t", "k", "m", 1, 1);
      assertThat(inAppend.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      // close() must return while the write is still hung: the write is released only after.
      Thread closer = new Thread(stats::close);
      closer.start();
      closer.join(Duration.ofSeconds(60).toMillis());
      assertThat(closer.isAlive()).as("close() still waiting for a hung store write").isFalse();
      assertThat(release.getCount()).isEqualTo(1);
      assertThat(stats.stats().pendingRows()).isEqualTo(1);
    } finally {
      release.countDown();
    }
  }
}
