package dev.usagestats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.LatencyHistogram;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyBinsTest {
  @Test
  void moreKeysThanTheTableHolds_overflowAndGrowWithoutLosingACount() {
    LatencyBins bins = new LatencyBins();
    Random rnd = new Random(3);
    Map<Long, LatencyHistogram.Builder> want = new HashMap<>();
    long minute = 29_500_000L;
    for (int round = 0; round < 3; round++) {
      int total = 0;
      for (int i = 0; i < 30_000; i++) {
        int series = rnd.nextInt(2000);
        long m = minute + rnd.nextInt(3) - (round == 2 ? 40_000_000L : 0); // far past too
        int bin = rnd.nextInt(LatencyHistogram.BINS);
        int kind = rnd.nextInt(2);
        bins.add(series, m, kind, bin);
        want.computeIfAbsent(
                LatencyBins.minuteKey(series, m) * 2 + kind, k -> new LatencyHistogram.Builder())
            .addBin(bin, 1);
        total++;
      }
      Map<Long, LatencyBins.Minute> got = LatencyBins.newMinutes();
      LatencyBins next = bins.drainTo(got);
      long seen = 0;
      for (Map.Entry<Long, LatencyBins.Minute> e : got.entrySet()) {
        LatencyHistogram d = e.getValue().duration;
        LatencyHistogram t = e.getValue().timeToFirstToken;
        LatencyHistogram.Builder wd = want.remove(e.getKey() * 2);
        LatencyHistogram.Builder wt = want.remove(e.getKey() * 2 + 1);
        assertThat(d).isEqualTo(wd == null ? LatencyHistogram.empty() : wd.build());
        assertThat(t).isEqualTo(wt == null ? LatencyHistogram.empty() : wt.build());
        seen += d.count() + t.count();
      }
      assertThat(want).isEmpty();
      assertThat(seen).isEqualTo(total);
      // 30,000 keys overflowed the first 4,096 slots: the next interval gets a larger table
      if (round == 0) assertThat(next).isNotSameAs(bins);
      bins = next;
    }
    Map<Long, LatencyBins.Minute> empty = LatencyBins.newMinutes();
    assertThat(bins.drainTo(empty)).isSameAs(bins);
    assertThat(empty).isEmpty();
  }

  @Test
  void minuteFits_coversTheCenturiesAroundNow() {
    assertThat(LatencyBins.minuteFits(0)).isTrue();
    assertThat(LatencyBins.minuteFits(29_500_000L)).isTrue();
    assertThat(LatencyBins.minuteFits(-(1L << 27))).isTrue();
    assertThat(LatencyBins.minuteFits(1L << 27)).isFalse();
    assertThat(LatencyBins.minuteFits(-(1L << 27) - 1)).isFalse();
  }
}
