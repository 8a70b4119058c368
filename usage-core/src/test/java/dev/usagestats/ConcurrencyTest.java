package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Writers, queries, flushes and a moving clock at once. Every event has input == output and tokens
 * == 7 x calls, so a query that saw half of an event would break one of those equalities.
 */
class ConcurrencyTest {
  private static final int WRITERS = 4;
  private static final int PER_WRITER = 1_000_000;
  private static final long TOKENS = 7;
  private static final long DURATION_NS = 5_000_000;
  private static final long FIRST_TOKEN_NS = 3_000_000;

  /**
   * Output tokens per second of every call with a latency: 7 tokens in the 2 ms after the first.
   */
  private static final double RATE = TOKENS * 1000.0 / 2;

  @Test
  void record_manyThreadsWhileQuerying_exactAndNeverTorn() throws Exception {
    Instant start = Instant.parse("2026-11-20T10:00:00Z");
    TestClock clock = TestClock.of(start);
    try (UsageStats stats =
        UsageStats.builder().clock(clock).flushInterval(Duration.ofMillis(3)).build()) {
      UsageQuery q =
          UsageQuery.builder()
              .from(start.minus(Duration.ofHours(1)))
              .to(start.plus(Duration.ofDays(3)))
              .granularity(Granularity.HOUR)
              .groupBy(GroupBy.API_KEY_AND_MODEL)
              .build();
      AtomicBoolean done = new AtomicBoolean();
      ConcurrentLinkedQueue<String> torn = new ConcurrentLinkedQueue<>();
      AtomicLong queries = new AtomicLong();
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int id = w;
        threads.add(
            new Thread(
                () -> {
                  await(go);
                  UsageSeries handle = stats.series("t", "key-" + id, "m-handle");
                  for (int i = 0; i < PER_WRITER; i++) {
                    if ((i & 1) == 0) {
                      // Every handle record has a latency: its call is counted by its latency bin.
                      handle.record(
                          TOKENS, TOKENS, 0, 0, 0, Outcome.SUCCESS, DURATION_NS, FIRST_TOKEN_NS);
                    } else {
                      stats.record("t", "key-" + id, "m-" + (i & 6), TOKENS, TOKENS);
                    }
                  }
                }));
      }
      List<Thread> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(
            new Thread(
                () -> {
                  await(go);
                  long lastCalls = 0;
                  while (!done.get()) {
                    UsageReport rep = stats.query(q);
                    queries.incrementAndGet();
                    UsageTotals t = rep.totals();
                    if (t.inputTokens() != t.outputTokens()
                        || t.inputTokens() != TOKENS * t.calls()) {
                      torn.add("totals " + t);
                    }
                    if (t.calls() < lastCalls)
                      torn.add("went back: " + t.calls() + " < " + lastCalls);
                    lastCalls = t.calls();
                    for (TrendSeries s : rep.series()) {
                      for (TrendPoint p : s.points()) {
                        if (p.inputTokens() != p.outputTokens()
                            || p.inputTokens() != TOKENS * p.calls()) {
                          torn.add(s.label() + " " + p);
                        }
                        // the handle's calls all have a latency, the others none
                        long timed = "m-handle".equals(s.model()) ? p.calls() : 0;
                        LatencySummary l = p.latency();
                        if (l.duration().count() != timed
                            || l.timeToFirstToken().count() != timed
                            || (timed > 0 && l.outputTokensPerSecond() != RATE)) {
                          torn.add("latency " + s.label() + " " + p);
                        }
                      }
                    }
                  }
                }));
      }
      Thread ticker =
          new Thread(
              () -> {
                await(go);
                while (!done.get()) {
                  clock.advance(Duration.ofSeconds(20));
                  sleep(2);
                }
              });
      threads.forEach(Thread::start);
      readers.forEach(Thread::start);
      ticker.start();
      go.countDown();
      for (Thread t : threads) t.join();
      done.set(true);
      for (Thread t : readers) t.join();
      ticker.join();

      UsageReport last = stats.query(q);
      long calls = (long) WRITERS * PER_WRITER;
      assertThat(torn).isEmpty();
      assertThat(queries.get()).isPositive();
      assertThat(last.totals())
          .isEqualTo(new UsageTotals(calls, 0, calls * TOKENS, calls * TOKENS, 0, 0, 0));
      long sumOfPoints =
          last.series().stream()
              .flatMap(s -> s.points().stream())
              .mapToLong(TrendPoint::calls)
              .sum();
      assertThat(sumOfPoints).isEqualTo(calls);
      assertThat(last.latencySummary().duration().count()).isEqualTo(calls / 2);
      assertThat(last.latencySummary().timeToFirstToken().count()).isEqualTo(calls / 2);
      assertThat(last.latencySummary().outputTokensPerSecond()).isEqualTo(RATE);
      for (int w = 0; w < WRITERS; w++) {
        UsageReport one =
            stats.query(stats.newQuery().from(q.from()).to(q.to()).apiKey("key-" + w).build());
        assertThat(one.totals().calls()).isEqualTo(PER_WRITER);
      }
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
