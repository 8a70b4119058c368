package dev.usagestats.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A striped writer-reader phaser, after HdrHistogram's {@code WriterReaderPhaser}.
 *
 * <pre>
 * Assumptions and guarantees
 *
 * 1. Writers call enter(stripe), write into the cell set of the phase that enter returned
 *    (phaseOf(v)), then call exit(stripe, v). Both are one atomic add: wait-free.
 * 2. One reader at a time (the caller holds the engine's drain lock) calls flip(). When flip
 *    returns, every writer that entered the previous phase has exited, and every later writer
 *    writes into the new phase. The previous phase's cells are then the reader's alone until
 *    the next flip.
 * 3. Stripes keep writers on different threads off each other's cache lines. Each stripe is the
 *    original single-counter algorithm; flip flips every stripe, then waits for each.
 * </pre>
 *
 * <p>Thread-safe as described; {@link #flip} is not reentrant and needs external mutual exclusion.
 */
final class PhaseGate {
  private static final int PAD = 16; // longs between stripes: 128 bytes, two cache lines
  private static final int START = 0;
  private static final int EVEN_END = 1;
  private static final int ODD_END = 2;

  private final AtomicLongArray epochs;
  private final int stripes;

  PhaseGate(int stripes) {
    this.stripes = stripes;
    this.epochs = new AtomicLongArray(stripes * PAD + PAD);
  }

  /** Enters a writer's critical section on a stripe; pass the result to {@link #exit}. */
  long enter(int stripe) {
    return epochs.getAndIncrement(base(stripe) + START);
  }

  /** Leaves the critical section entered with {@code v}. */
  void exit(int stripe, long v) {
    epochs.getAndIncrement(base(stripe) + (v < 0 ? ODD_END : EVEN_END));
  }

  /** The cell set (0 or 1) a writer that entered with {@code v} writes into. */
  static int phaseOf(long v) {
    return v < 0 ? 1 : 0;
  }

  /**
   * Makes the other phase active and waits until all writers of the previous one have left.
   *
   * @return the previous phase (0 or 1), now quiescent
   */
  int flip() {
    boolean nextIsEven = epochs.get(base(0) + START) < 0;
    long initial = nextIsEven ? 0 : Long.MIN_VALUE;
    long[] startAtFlip = new long[stripes];
    for (int s = 0; s < stripes; s++) {
      epochs.set(base(s) + (nextIsEven ? EVEN_END : ODD_END), initial);
      startAtFlip[s] = epochs.getAndSet(base(s) + START, initial);
    }
    int previousEnd = nextIsEven ? ODD_END : EVEN_END;
    for (int s = 0; s < stripes; s++) {
      int spins = 0;
      while (epochs.get(base(s) + previousEnd) != startAtFlip[s]) {
        if (++spins < 100) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
      }
    }
    return nextIsEven ? 1 : 0;
  }

  private static int base(int stripe) {
    return PAD + stripe * PAD;
  }
}
