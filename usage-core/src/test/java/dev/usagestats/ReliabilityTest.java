package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hostile input and unlucky operations: nothing wraps, extreme values and secrets are refused
 * clearly, refused rows never block the rows behind them, and what close() gives up is counted.
 */
class ReliabilityTest {
  private static final long MAX_EVENT_TOKENS = 1L << 40;
  private final TestClock clock = TestClock.of(Instant.parse("2026-11-20T10:00:00Z"));

  private UsageStats.Builder builder() {
    return UsageStats.builder().clock(clock).flushInterval(Duration.ZERO);
  }

  // ---------------------------------------------------------------- names

  @Test
  void names_malformedOrDeceptiveText_refusedNamingFieldAndCodePoint() {
    try (UsageStats stats = builder().build()) {
      String[][] cases = {
        {"gpt-4\uD800", "unpaired surrogates: U+D800"},
        {"gpt-4\uDC00", "unpaired surrogates: U+DC00"},
        {"gpt\uFFFE", "noncharacters: U+FFFE"},
        {"gpt\uFDD0", "noncharacters: U+FDD0"},
        {"gpt\u200B-4", "format characters: U+200B"},
        {"gpt\u202E-4", "format characters: U+202E"},
        {"gpt\u2066-4", "format characters: U+2066"},
        {"gpt\u2028-4", "line or paragraph separators: U+2028"},
        {"gpt\u2029-4", "line or paragraph separators: U+2029"},
      };
      for (String[] c : cases) {
        assertThatThrownBy(() -> stats.record("t", "k", c[0], 1, 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("model must not contain " + c[1]);
      }
      assertThat(stats.stats().rejectedEvents()).isEqualTo(cases.length);
      // A well-formed supplementary character (a surrogate pair) is fine.
      stats.record("t", "k", "model-\uD83D\uDE00", 1, 1);
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().calls()).isEqualTo(1);
    }
  }

  // ---------------------------------------------------------------- no wrap

  @Test
  void record_atTheSeriesLimit_refusedWholeAndNothingWraps() {
    try (UsageStats stats = builder().build()) {
      UsageSeries s = stats.series("t", "k", "m");
      long accepted = 0;
      IllegalArgumentException refused = null;
      for (int i = 0; i < 40_000 && refused == null; i++) {
        try {
          s.record(MAX_EVENT_TOKENS, MAX_EVENT_TOKENS);
          accepted++;
        } catch (IllegalArgumentException e) {
          refused = e;
        }
        if (i % 4096 == 0) stats.flush(); // limits hold across drains too
      }
      assertThat(refused).isNotNull();
      assertThat(refused).hasMessageContaining("inputTokens must keep the series within");
      UsageTotals t = stats.query(UsageQuery.lastTwoWeeks()).totals();
      assertThat(t.calls()).isEqualTo(accepted);
      assertThat(t.inputTokens()).isEqualTo(accepted * MAX_EVENT_TOKENS);
      assertThat(t.outputTokens()).isEqualTo(accepted * MAX_EVENT_TOKENS);
      assertThat(t.totalTokens()).isEqualTo(2 * accepted * MAX_EVENT_TOKENS).isPositive();
      assertThat(stats.stats().rejectedEvents()).isEqualTo(1);
      // The limit is per series: the series is full, another one records.
      assertThat(accepted * MAX_EVENT_TOKENS).isEqualTo(1L << 55);
      assertThatThrownBy(() -> s.record(1, 0)).isInstanceOf(IllegalArgumentException.class);
      stats.record("t", "k2", "m", 1, 1);
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().calls()).isEqualTo(accepted + 1);
    }
  }

  @Test
  void lateEventsInManyMinutes_keepTheSeriesWithinItsLimit() {
    clock.set(Instant.parse("2026-11-20T23:00:00Z"));
    long accepted = 0;
    long refused = 0;
    try (UsageStats stats = builder().flushInterval(Duration.ofHours(1)).build()) {
      Instant day = Instant.parse("2026-11-20T00:00:00Z");
      // Late minutes find no free slot and spill: one spill cell per minute, one budget for all.
      for (int m = 0; m < 260; m++) {
        UsageEvent e = UsageEvent.of(day.plusSeconds(60L * m), "t", "k", "m", MAX_EVENT_TOKENS, 0);
        for (int i = 0; i < (1 << 15); i++) {
          try {
            stats.record(e);
            accepted++;
          } catch (IllegalArgumentException tooMany) {
            assertThat(tooMany).hasMessageContaining("inputTokens must keep the series within");
            refused++;
          }
        }
      }
      UsageReport r =
          stats.query(
              UsageQuery.builder()
                  .from(day)
                  .to(day.plusSeconds(86_400))
                  .granularity(Granularity.DAY)
                  .build());
      assertThat(refused).isPositive();
      assertThat(r.totals().inputTokens()).isEqualTo(accepted * MAX_EVENT_TOKENS).isPositive();
      assertThat(r.totals().calls()).isEqualTo(accepted);
    }
  }

  @Test
  void query_sumsAcrossSeriesPastLongMax_refusedClearly() {
    try (UsageStats stats = builder().build()) {
      // 300 series at 2^55 input each: the all-series total passes 2^63.
      for (int k = 0; k < 300; k++) {
        UsageSeries s = stats.series("t", "k" + k, "m");
        for (int i = 0; i < (1 << 15) - 64; i++) s.record(MAX_EVENT_TOKENS, 0);
      }
      assertThatThrownBy(() -> stats.query(UsageQuery.lastTwoWeeks()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("query must select sums within 9223372036854775807");
      // One key's report still answers exactly.
      UsageReport one = stats.query(stats.newQuery().apiKey("k7").build());
      assertThat(one.totals().inputTokens()).isEqualTo(((1L << 15) - 64) * MAX_EVENT_TOKENS);
    }
  }

  @Test
  void usageTotals_inputPlusOutputPastLongMax_refused() {
    assertThatThrownBy(() -> new UsageTotals(1, 0, Long.MAX_VALUE, 1, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("inputTokens + outputTokens must be <= 9223372036854775807");
    UsageTotals half = new UsageTotals(1, 0, Long.MAX_VALUE / 2, 0, 0, 0, 0);
    assertThatThrownBy(() -> half.plus(half).plus(half)).isInstanceOf(ArithmeticException.class);
  }

  // ---------------------------------------------------------------- extreme values

  @Test
  void extremeInstantsAndDays_refusedAsIllegalArguments() {
    try (UsageStats stats = builder().build()) {
      for (Instant at : List.of(Instant.MIN, Instant.MAX)) {
        assertThatThrownBy(() -> stats.record(UsageEvent.of(at, "t", "k", "m", 1, 1)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("timestamp must");
      }
      assertThat(stats.stats().rejectedEvents()).isEqualTo(2);
      assertThatThrownBy(() -> UsageQuery.builder().from(Instant.MIN))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("from must be between");
      assertThatThrownBy(() -> UsageQuery.builder().to(Instant.MAX))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("to must be between");
      assertThatThrownBy(() -> UsageQuery.builder().days(LocalDate.of(2026, 1, 1), LocalDate.MAX))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("last must be a day of the years 0001 to 9999");
      assertThatThrownBy(() -> UsageQuery.builder().days(LocalDate.MIN, LocalDate.of(2026, 1, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("first must be a day of the years 0001 to 9999");
    }
  }

  @Test
  void record_beforeEarliestTimestamp_refusedAlsoWithAStore() {
    InMemoryStore store = new InMemoryStore();
    try (UsageStats stats = builder().store(store).build()) {
      for (String at : List.of("1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z")) {
        assertThatThrownBy(
                () -> stats.record(UsageEvent.of(Instant.parse(at), "t", "k", "m", 1, 1)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(
                "timestamp must not be before earliestTimestamp 2000-01-01T00:00:00Z: " + at);
      }
      stats.record(UsageEvent.of(Instant.parse("2000-01-01T00:00:00Z"), "t", "k", "m", 1, 1));
      stats.flush();
      assertThat(stats.stats().rejectedEvents()).isEqualTo(2);
    }
    try (UsageStats stats =
        builder().store(new InMemoryStore()).earliestTimestamp(Instant.EPOCH).build()) {
      stats.record(UsageEvent.of(Instant.EPOCH, "t", "k", "m", 1, 1));
      assertThat(stats.stats().rejectedEvents()).isZero();
    }
  }

  // ---------------------------------------------------------------- bounded queries

  @Test
  void query_bucketsTimesGroupsPastTheCap_refusedBeforeAllocating() {
    InMemoryStore store = new InMemoryStore();
    try (UsageStats stats = builder().store(store).maxSeries(3_000).build()) {
      for (int k = 0; k < 2_000; k++) stats.record("t", "key-" + k, "m", 1, 1);
      stats.flush();
      UsageQuery hourly22Years =
          stats
              .newQuery()
              .from(Instant.parse("2005-01-01T00:00:00Z"))
              .to(Instant.parse("2027-01-01T00:00:00Z"))
              .granularity(Granularity.HOUR)
              .groupBy(GroupBy.API_KEY)
              .build();
      assertThatThrownBy(() -> stats.query(hourly22Years))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("report must hold at most 2000000 buckets x groups: 192840 HOUR");
      // By model (one group) the same range answers.
      UsageReport byModel =
          stats.query(
              stats
                  .newQuery()
                  .from(Instant.parse("2005-01-01T00:00:00Z"))
                  .to(Instant.parse("2027-01-01T00:00:00Z"))
                  .granularity(Granularity.HOUR)
                  .build());
      assertThat(byModel.totals().calls()).isEqualTo(2_000);
    }
  }

  // ---------------------------------------------------------------- secrets

  private static final String SECRET = "sk-live-4f9Q2mZx7LpR8vKd3NcT6yWb1HsJ0aEu";

  @Test
  void apiKey_secretUnderDefaultPolicy_refusedShowingOnlyTheRedactedForm() {
    try (UsageStats stats = builder().build()) {
      assertThatThrownBy(() -> stats.record("t", SECRET, "m", 1, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("apiKey must be an id, not a secret: sk-...0aEu")
          .hasMessageContaining("ApiKeys.fingerprint")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
      assertThatThrownBy(() -> stats.series("t", SECRET, "m"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(stats.stats().rejectedEvents()).isEqualTo(1);
      assertThat(stats.stats().series()).isZero();
    }
  }

  @Test
  void apiKey_secretUnderFingerprintPolicy_recordedUnderItsFingerprint() {
    try (UsageStats stats = builder().apiKeyPolicy(ApiKeyPolicy.FINGERPRINT).build()) {
      stats.record("t", SECRET, "m", 3, 4);
      stats.series("t", SECRET, "m").record(1, 1);
      UsageReport r = stats.query(stats.newQuery().groupBy(GroupBy.API_KEY).build());
      assertThat(r.series()).hasSize(1);
      assertThat(r.series().get(0).apiKey()).isEqualTo(ApiKeys.fingerprint(SECRET));
      assertThat(r.totals().calls()).isEqualTo(2);
      assertThat(stats.series("t", SECRET, "m").key().toString()).doesNotContain(SECRET);
    }
  }

  @Test
  void apiKey_secretUnderAllowPolicy_recordedAsGivenButNeverPrintedInFull() {
    try (UsageStats stats = builder().apiKeyPolicy(ApiKeyPolicy.ALLOW).build()) {
      stats.record("t", SECRET, "m", 3, 4);
      UsageSeries s = stats.series("t", SECRET, "m");
      assertThat(s.key().apiKey()).isEqualTo(SECRET);
      assertThat(s.key().toString()).contains("sk-...0aEu").doesNotContain(SECRET);
      assertThat(s.toString()).doesNotContain(SECRET);
    }
  }

  @Test
  void looksLikeSecret_knownPrefixesAndHighEntropy_butNotIds() {
    for (String secret :
        List.of(
            SECRET,
            "sk-proj-abcdefghijklmnopqrstuvwx",
            "sk-ant-api03-abcdefghijklmnopqrstu",
            "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStU",
            "xai-abcdefghijklmnopqrstuvwxyz012345",
            "Zk3Q9mP2xL7vR4tW8yN1bC6dF5gH0jKsAe",
            "Bearer " + SECRET,
            "bearer sk-ant-api03-abcdefghijklmnopqrstu")) {
      assertThat(ApiKeys.looksLikeSecret(secret)).as(secret).isTrue();
    }
    for (String id :
        List.of(
            ApiKeys.fingerprint(SECRET),
            "key-7f3a",
            "sk-...0aEu",
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "team-search-production",
            "sk-short")) {
      assertThat(ApiKeys.looksLikeSecret(id)).as(id).isFalse();
    }
  }

  // ---------------------------------------------------------------- store failures

  @Test
  void flush_batchWithOneRefusedRow_goodRowsLandAndLaterBatchesFlow() {
    InMemoryStore store = new InMemoryStore();
    store.refusedModel = "poison";
    try (UsageStats stats = builder().store(store).build()) {
      for (int k = 0; k < 1_000; k++) stats.record("t", "key-" + k, "good", 10, 2);
      stats.record("t", "key-0", "poison", 7, 7);
      stats.flush();
      EngineStats es = stats.stats();
      assertThat(es.refusedRows()).isEqualTo(1);
      assertThat(es.refusedCalls()).isEqualTo(1);
      assertThat(es.pendingRows()).isZero();
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals())
          .isEqualTo(new UsageTotals(1_000, 0, 10_000, 2_000, 0, 0, 0));
      // Later batches flow.
      clock.advance(Duration.ofMinutes(1));
      stats.record("t", "key-1", "good", 5, 5);
      stats.flush();
      assertThat(stats.stats().pendingRows()).isZero();
      assertThat(store.storedCalls()).isEqualTo(1_001);
    }
  }

  /** An InMemoryStore whose appends can be held at a latch, to catch the flusher mid-write. */
  private static final class HeldStore extends InMemoryStore {
    final java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    volatile int holdFromAppend = Integer.MAX_VALUE;

    @Override
    public void append(dev.usagestats.spi.UsageBatch batch) {
      if (appends.get() + 1 >= holdFromAppend) {
        inside.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      super.append(batch);
    }
  }

  @Test
  void query_whileARefusedBatchIsSplit_waitsForNoStoreWrite() throws Exception {
    HeldStore store = new HeldStore();
    store.refusedModel = "poison";
    try (UsageStats stats = builder().store(store).build()) {
      for (int k = 0; k < 50; k++) stats.record("t", "key-" + k, "good", 10, 2);
      stats.record("t", "key-0", "poison", 7, 7);
      store.holdFromAppend = 2; // the whole batch is refused; the first half's write is held
      java.util.concurrent.CompletableFuture<Void> flush =
          java.util.concurrent.CompletableFuture.runAsync(stats::flush);
      assertThat(store.inside.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      // The split is done and a half is being written: a query answers meanwhile, exactly.
      UsageTotals during =
          java.util.concurrent.CompletableFuture.supplyAsync(
                  () -> stats.query(stats.newQuery().model("good").build()).totals())
              .get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(during).isEqualTo(new UsageTotals(50, 0, 500, 100, 0, 0, 0));
      store.release.countDown();
      flush.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(stats.stats().refusedRows()).isEqualTo(1);
      assertThat(stats.query(stats.newQuery().model("good").build()).totals()).isEqualTo(during);
    }
  }

  @Test
  void close_batchOfManyRefusedRows_keepsToCloseTimeout() {
    InMemoryStore store =
        new InMemoryStore() {
          @Override
          public void append(dev.usagestats.spi.UsageBatch batch) {
            try {
              Thread.sleep(20);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            super.append(batch);
          }
        };
    store.refusedModel = "poison";
    UsageStats stats = builder().store(store).closeTimeout(Duration.ofMillis(300)).build();
    for (int k = 0; k < 100; k++) stats.record("t", "key-" + k, "poison", 1, 1);
    long began = System.nanoTime();
    stats.close();
    // Splitting 100 refused rows takes 199 writes of 20 ms (4 s): close() stops at its deadline
    // and counts the rest as dropped. The bound is the contract, with room for a slow machine.
    assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(3));
    assertThat(stats.stats().droppedCalls() + stats.stats().refusedCalls()).isEqualTo(100);
  }

  @Test
  void close_storeDown_countsTheCallsAndTokensItGivesUp() {
    InMemoryStore store = new InMemoryStore();
    store.failure = InMemoryStore.Failure.BEFORE_APPLY;
    UsageStats stats = builder().store(store).closeTimeout(Duration.ofMillis(200)).build();
    for (int i = 0; i < 40; i++) stats.record("t", "k" + (i % 4), "m", 3, 2);
    stats.close();
    assertThat(stats.stats().droppedCalls()).isEqualTo(40);
    assertThat(stats.stats().droppedTokens()).isEqualTo(200);
  }

  @Test
  void flush_afterManyFailures_retriesWithinTwiceTheFlushInterval() throws Exception {
    InMemoryStore store = new InMemoryStore();
    store.failure = InMemoryStore.Failure.BEFORE_APPLY;
    List<Long> seen = new ArrayList<>();
    try (UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .store(store)
            .flushInterval(Duration.ofMillis(100))
            .build()) {
      stats.record("t", "k", "m", 1, 1);
      // Uncapped, 10 failures would back off 100 ms x 2^9 = 51 s; capped, at most 200 ms.
      while (store.appends.get() < 10) Thread.sleep(20);
      store.failure = InMemoryStore.Failure.NONE;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (stats.stats().pendingRows() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
      seen.add(stats.stats().pendingRows());
    }
    assertThat(seen).containsExactly(0L);
  }
}
