package dev.usagestats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The guarantees of {@link PhaseGate}'s class comment, one by one. Waits are bounded (a broken gate
 * fails the test instead of hanging it); nothing asserts how fast anything is.
 */
class PhaseGateTest {
  /** How long a flip that should be blocked is given to (wrongly) return. */
  private static final long BLOCKED_MS = 200;

  /** How long anything that should finish is given: generous, a hang guard only. */
  private static final long DONE_S = 30;

  @Test
  void flip_writerInOldPhase_waitsUntilItExits() throws Exception {
    PhaseGate gate = new PhaseGate(4);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean exiting = new AtomicBoolean();
    AtomicLong enteredWith = new AtomicLong();
    Thread writer =
        new Thread(
            () -> {
              long v = gate.enter(1);
              enteredWith.set(v);
              entered.countDown();
              await(release);
              exiting.set(true);
              gate.exit(1, v);
            });
    writer.start();
    assertThat(entered.await(DONE_S, TimeUnit.SECONDS)).isTrue();

    AtomicBoolean exitedBeforeFlipReturned = new AtomicBoolean();
    CompletableFuture<Integer> flip =
        CompletableFuture.supplyAsync(
            () -> {
              int previous = gate.flip();
              exitedBeforeFlipReturned.set(exiting.get());
              return previous;
            },
            PhaseGateTest::runOnNewThread);

    assertThat(returnsWithin(flip, BLOCKED_MS)).as("flip returned with a writer inside").isFalse();
    release.countDown();
    assertThat(flip.get(DONE_S, TimeUnit.SECONDS)).isEqualTo(PhaseGate.phaseOf(enteredWith.get()));
    assertThat(exitedBeforeFlipReturned).isTrue();
    writer.join();
  }

  @Test
  void flip_noWriterInside_returnsAtOnce() throws Exception {
    PhaseGate gate = new PhaseGate(4);
    long v = gate.enter(2);
    gate.exit(2, v);
    CompletableFuture<Integer> flip =
        CompletableFuture.supplyAsync(gate::flip, PhaseGateTest::runOnNewThread);
    assertThat(flip.get(DONE_S, TimeUnit.SECONDS)).isEqualTo(PhaseGate.phaseOf(v));
  }

  @Test
  void flip_repeated_alternatesPhasesAndLaterWritersUseTheOther() {
    PhaseGate gate = new PhaseGate(8);
    long first = gate.enter(0);
    gate.exit(0, first);
    assertThat(PhaseGate.phaseOf(first)).isZero();
    int expected = 0;
    for (int i = 0; i < 10; i++) {
      assertThat(gate.flip()).as("flip %d", i).isEqualTo(expected);
      expected = 1 - expected;
      for (int stripe = 0; stripe < 8; stripe++) {
        long v = gate.enter(stripe);
        assertThat(PhaseGate.phaseOf(v)).as("flip %d, stripe %d", i, stripe).isEqualTo(expected);
        gate.exit(stripe, v);
      }
    }
  }

  @Test
  void flip_writerHeldOnOneStripe_othersKeepEnteringAndFlipStillWaits() throws Exception {
    int stripes = 4;
    for (int held = 0; held < stripes; held++) {
      PhaseGate gate = new PhaseGate(stripes);
      long v = gate.enter(held);
      int oldPhase = PhaseGate.phaseOf(v);
      CompletableFuture<Integer> flip =
          CompletableFuture.supplyAsync(gate::flip, PhaseGateTest::runOnNewThread);

      // Writers on the other stripes (and a second one on the held stripe) come and go while the
      // flip waits: they neither release it nor block on it.
      int newPhase = -1;
      for (int round = 0; round < 1_000; round++) {
        for (int s = 0; s < stripes; s++) {
          long w = gate.enter(s);
          if (PhaseGate.phaseOf(w) != oldPhase) newPhase = PhaseGate.phaseOf(w);
          gate.exit(s, w);
        }
      }
      assertThat(returnsWithin(flip, BLOCKED_MS / 2))
          .as("flip returned while stripe %d held a writer", held)
          .isFalse();

      gate.exit(held, v);
      assertThat(flip.get(DONE_S, TimeUnit.SECONDS)).isEqualTo(oldPhase);
      // Once the flip has begun, every stripe hands out the new phase.
      for (int s = 0; s < stripes; s++) {
        long w = gate.enter(s);
        assertThat(PhaseGate.phaseOf(w)).isEqualTo(1 - oldPhase);
        gate.exit(s, w);
      }
      if (newPhase >= 0) assertThat(newPhase).isEqualTo(1 - oldPhase);
    }
  }

  /**
   * Writers increment plain (non-atomic) cells of the phase they entered, each its own cell, while
   * one thread flips and drains the quiescent phase. The drained sum equals the increments exactly
   * only if no writer is ever inside a phase the drainer reads: one that was would lose or repeat
   * increments. The drainer also checks directly that no writer is marked inside the phase it just
   * got back.
   */
  @Test
  void flip_manyFlipsUnderLoad_noWriteLostOrSeenTwice() throws Exception {
    int stripes = 4;
    int writers = 3;
    int minFlips = 1_000;
    int minPerWriter = 100_000;
    PhaseGate gate = new PhaseGate(stripes);
    long[][] cells = new long[2][writers * 16]; // 16 longs apart: no false sharing
    AtomicIntegerArray inside = new AtomicIntegerArray(writers * 16); // phase + 1, or 0
    AtomicInteger flips = new AtomicInteger();
    AtomicInteger running = new AtomicInteger(writers);
    long[] written = new long[writers];
    List<String> violations = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);

    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      int stripe = w % stripes;
      threads.add(
          new Thread(
              () -> {
                await(go);
                long n = 0;
                while (n < minPerWriter || flips.get() < minFlips) {
                  long v = gate.enter(stripe);
                  int phase = PhaseGate.phaseOf(v);
                  inside.set(id * 16, phase + 1);
                  cells[phase][id * 16]++;
                  inside.set(id * 16, 0);
                  gate.exit(stripe, v);
                  n++;
                }
                written[id] = n;
                running.decrementAndGet();
              }));
    }
    long[] drained = new long[1];
    Thread flipper =
        new Thread(
            () -> {
              await(go);
              while (running.get() > 0) {
                drain(gate, cells, inside, writers, drained, violations);
                flips.incrementAndGet();
              }
              // Both phases, so whatever the last writers left in either is taken.
              drain(gate, cells, inside, writers, drained, violations);
              drain(gate, cells, inside, writers, drained, violations);
            });
    threads.forEach(Thread::start);
    flipper.start();
    go.countDown();
    for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(DONE_S));
    flipper.join(TimeUnit.SECONDS.toMillis(DONE_S));
    assertThat(flipper.isAlive()).isFalse();

    long total = 0;
    for (long n : written) total += n;
    assertThat(violations).isEmpty();
    assertThat(flips.get()).isGreaterThanOrEqualTo(minFlips);
    assertThat(drained[0]).isEqualTo(total);
  }

  private static void drain(
      PhaseGate gate,
      long[][] cells,
      AtomicIntegerArray inside,
      int writers,
      long[] drained,
      List<String> violations) {
    int phase = gate.flip();
    for (int w = 0; w < writers; w++) {
      if (inside.get(w * 16) == phase + 1) {
        violations.add("writer " + w + " inside phase " + phase + " after flip");
      }
      drained[0] += cells[phase][w * 16];
      cells[phase][w * 16] = 0;
    }
  }

  private static boolean returnsWithin(CompletableFuture<?> f, long millis)
      throws InterruptedException, ExecutionException {
    try {
      f.get(millis, TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    }
  }

  private static void runOnNewThread(Runnable r) {
    Thread t = new Thread(r, "flipper");
    t.setDaemon(true);
    t.start();
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(DONE_S, TimeUnit.SECONDS)) throw new AssertionError("latch timed out");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
