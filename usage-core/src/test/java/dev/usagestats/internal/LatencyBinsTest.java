package dev.usagestats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.LatencyHistogram;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyBinsTest {
  /** What one owner should drain to: built from the calls one by one. */
  private static final class Want {
    final LatencyHistogram.Builder duration = new LatencyHistogram.Builder();
    final LatencyHistogram.Builder timeToFirstToken = new LatencyHistogram.Builder();
    long calls;

    void add(int durationBin, int firstTokenBin) {
      calls++;
      if (durationBin >= 0) duration.addBin(durationBin, 1);
      if (firstTokenBin >= 0) timeToFirstToken.addBin(firstTokenBin, 1);
    }
  }

  private static void assertDrainsTo(Map<Long, LatencyBins.Minute> got, Map<Long, Want> want) {
    assertThat(got.keySet()).isEqualTo(want.keySet());
    for (Map.Entry<Long, LatencyBins.Minute> e : got.entrySet()) {
      Want w = want.get(e.getKey());
      assertThat(e.getValue().duration).as("owner %s", e.getKey()).isEqualTo(w.duration.build());
      assertThat(e.getValue().timeToFirstToken)
          .as("owner %s", e.getKey())
          .isEqualTo(w.timeToFirstToken.build());
      assertThat(e.getValue().calls).as("owner %s", e.getKey()).isEqualTo(w.calls);
    }
  }

  @Test
  void moreKeysThanTheTableHolds_overflowAndGrowWithoutLosingACount() {
    LatencyBins bins = new LatencyBins();
    Random rnd = new Random(3);
    for (int round = 0; round < 3; round++) {
      Map<Long, Want> want = new HashMap<>();
      for (int i = 0; i < 30_000; i++) {
        long owner =
            rnd.nextInt(10) == 0
                ? LatencyBins.spill(rnd.nextInt(50))
                : LatencyBins.cell(rnd.nextInt(2000), rnd.nextInt(Series.SLOTS));
        int kinds = rnd.nextInt(3); // 0: duration, 1: time to first token, 2: both
        int d = kinds == 1 ? -1 : rnd.nextInt(LatencyHistogram.MAX_BIN + 1);
        int t = kinds == 0 ? -1 : rnd.nextInt(LatencyHistogram.MAX_BIN + 1);
        bins.add(owner, d, t);
        want.computeIfAbsent(owner, k -> new Want()).add(d, t);
      }
      Map<Long, LatencyBins.Minute> got = LatencyBins.newMinutes();
      LatencyBins next = bins.drainTo(got);
      assertDrainsTo(got, want);
      // 30,000 keys overflowed the first 4,096 slots: the next interval gets a larger table
      if (round == 0) assertThat(next).isNotSameAs(bins);
      bins = next;
    }
    // An idle interval shrinks the grown table back to its first size, which then stays.
    Map<Long, LatencyBins.Minute> empty = LatencyBins.newMinutes();
    LatencyBins shrunk = bins.drainTo(empty);
    assertThat(shrunk).isNotSameAs(bins);
    assertThat(shrunk.drainTo(empty)).isSameAs(shrunk);
    assertThat(empty).isEmpty();
  }

  @Test
  void keysAtTheEdgesOfEachField_drainApart() {
    // Neighbouring owners, the largest series id and spill number, the lowest and highest bins,
    // and each latency alone: a field that spills into its neighbour merges two of these.
    long[] owners = {
      LatencyBins.cell(0, 0),
      LatencyBins.cell(0, 1),
      LatencyBins.cell(1, 0),
      LatencyBins.cell(Integer.MAX_VALUE, Series.SLOTS - 1),
      LatencyBins.spill(0),
      LatencyBins.spill((1L << 41) - 1)
    };
    int[][] pairs = {
      {0, -1},
      {-1, 0},
      {0, 0},
      {LatencyHistogram.MAX_BIN, -1},
      {-1, LatencyHistogram.MAX_BIN},
      {LatencyHistogram.MAX_BIN, LatencyHistogram.MAX_BIN},
      {1, 0},
      {0, 1}
    };
    LatencyBins bins = new LatencyBins();
    Map<Long, Want> want = new HashMap<>();
    for (int o = 0; o < owners.length; o++) {
      for (int p = 0; p <= o % pairs.length; p++) {
        for (int times = 0; times <= p; times++) {
          bins.add(owners[o], pairs[p][0], pairs[p][1]);
          want.computeIfAbsent(owners[o], k -> new Want()).add(pairs[p][0], pairs[p][1]);
        }
      }
    }
    assertThat(owners).doesNotHaveDuplicates();
    Map<Long, LatencyBins.Minute> got = LatencyBins.newMinutes();
    bins.drainTo(got);
    assertDrainsTo(got, want);
  }

  @Test
  void callsWithBothLatencies_countOnceEach_andAddToBothHistograms() {
    LatencyBins bins = new LatencyBins();
    long owner = LatencyBins.cell(7, 2);
    bins.add(owner, 100, 20);
    bins.add(owner, 100, 30);
    bins.add(owner, 200, 20);
    bins.add(owner, 200, -1);
    bins.add(owner, -1, 30);
    Map<Long, LatencyBins.Minute> got = LatencyBins.newMinutes();
    bins.drainTo(got);
    LatencyBins.Minute m = got.get(owner);
    assertThat(m.calls).isEqualTo(5);
    assertThat(m.duration)
        .isEqualTo(LatencyHistogram.ofBins(new int[] {100, 200}, new long[] {2, 2}));
    assertThat(m.timeToFirstToken)
        .isEqualTo(LatencyHistogram.ofBins(new int[] {20, 30}, new long[] {2, 2}));
  }
}
