package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  @Test
  void bins_matchHdrHistogramLayout() {
    Histogram hdr = new Histogram(1, LatencyHistogram.MAX_MILLIS, 2);
    assertThat(LatencyHistogram.BINS).isEqualTo(hdr.getEstimatedFootprintInBytes() > 0 ? 2048 : 0);
    assertThat(LatencyHistogram.binOf(LatencyHistogram.MAX_MILLIS))
        .isLessThan(LatencyHistogram.BINS);
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      long v = i < 5000 ? i : r.nextLong(LatencyHistogram.MAX_MILLIS + 1);
      int bin = LatencyHistogram.binOf(v);
      assertThat(LatencyHistogram.lowestOf(bin)).isEqualTo(hdr.lowestEquivalentValue(v));
      assertThat(LatencyHistogram.highestOf(bin)).isEqualTo(hdr.highestEquivalentValue(v));
    }
    assertThat(LatencyHistogram.binOf(LatencyHistogram.MAX_MILLIS)).isLessThan(2048);
    for (int bin = 0; bin <= LatencyHistogram.MAX_BIN; bin++) {
      long low = LatencyHistogram.lowestOf(bin);
      if (low > LatencyHistogram.MAX_MILLIS) break;
      assertThat(LatencyHistogram.binOf(low)).isEqualTo(bin);
      long high = LatencyHistogram.highestOf(bin);
      if (high <= LatencyHistogram.MAX_MILLIS)
        assertThat(LatencyHistogram.binOf(high)).isEqualTo(bin);
    }
  }

  @Test
  void percentiles_matchExactValuesWithinTheirBin() {
    SplittableRandom r = new SplittableRandom(11);
    for (int round = 0; round < 50; round++) {
      int n = 1 + r.nextInt(3000);
      long[] values = new long[n];
      for (int i = 0; i < n; i++) {
        values[i] = Math.min(LatencyHistogram.MAX_MILLIS, (long) Math.exp(r.nextDouble(0, 14)));
      }
      LatencyHistogram h = LatencyHistogram.of(values);
      long[] sorted = values.clone();
      Arrays.sort(sorted);
      Histogram hdr = new Histogram(1, LatencyHistogram.MAX_MILLIS, 2);
      for (long v : values) hdr.recordValue(v);
      for (double p : new double[] {0.1, 50, 90, 95, 99, 99.9, 100}) {
        long exact = sorted[(int) Math.max(1, Math.ceil(p / 100 * n)) - 1];
        long got = h.valueAtPercentile(p);
        assertThat(got)
            .as("p%s of %s", p, n)
            .isBetween(exact, Math.max(exact + 1, exact * 129 / 128));
        assertThat(LatencyHistogram.binOf(got)).isEqualTo(LatencyHistogram.binOf(exact));
        assertThat(got).isEqualTo(hdr.getValueAtPercentile(p));
      }
      assertThat(h.max()).isEqualTo(hdr.getMaxValue());
      assertThat(h.count()).isEqualTo(n);
      double exactMean = Arrays.stream(values).average().orElseThrow();
      assertThat(h.mean())
          .isCloseTo(exactMean, org.assertj.core.data.Offset.offset(exactMean / 128 + 1));
    }
  }

  @Test
  void merging_equalsRecordingEverythingIntoOne() {
    SplittableRandom r = new SplittableRandom(3);
    LatencyHistogram merged = LatencyHistogram.empty();
    LatencyHistogram.Builder all = new LatencyHistogram.Builder();
    long[] everything = new long[0];
    for (int part = 0; part < 40; part++) {
      long[] values = new long[r.nextInt(50)];
      for (int i = 0; i < values.length; i++) values[i] = r.nextLong(200, 2_000_000);
      merged = merged.plus(LatencyHistogram.of(values));
      all.add(LatencyHistogram.of(values));
      long[] grown = Arrays.copyOf(everything, everything.length + values.length);
      System.arraycopy(values, 0, grown, everything.length, values.length);
      everything = grown;
    }
    assertThat(merged).isEqualTo(LatencyHistogram.of(everything)).isEqualTo(all.build());
    assertThat(merged.toHdrHistogram().getTotalCount()).isEqualTo(everything.length);
    assertThat(merged.toHdrHistogram().getValueAtPercentile(95))
        .isEqualTo(merged.valueAtPercentile(95));
  }

  @Test
  void encoding_roundTripsAndIsSmallerThanHdrHistogramsCompressedForm() {
    SplittableRandom r = new SplittableRandom(5);
    for (int round = 0; round < 100; round++) {
      long[] values = new long[r.nextInt(400)];
      for (int i = 0; i < values.length; i++)
        values[i] = r.nextLong(0, LatencyHistogram.MAX_MILLIS + 1);
      LatencyHistogram h = LatencyHistogram.of(values);
      byte[] bytes = h.encode();
      assertThat(LatencyHistogram.decode(bytes)).isEqualTo(h);
      Histogram hdr = h.toHdrHistogram();
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(hdr.getNeededByteBufferCapacity());
      int hdrSize = hdr.encodeIntoCompressedByteBuffer(buf);
      assertThat(bytes.length).isLessThan(hdrSize);
    }
    LatencyHistogram big =
        new LatencyHistogram.Builder().addMillis(900, Long.MAX_VALUE / 2).build();
    assertThat(LatencyHistogram.decode(big.encode())).isEqualTo(big);
  }

  @Test
  void badInput_isRefusedWithTheValue() {
    assertThatThrownBy(() -> LatencyHistogram.binOf(-1)).hasMessageContaining("-1");
    assertThatThrownBy(() -> LatencyHistogram.binOf(3_600_001)).hasMessageContaining("3600001");
    assertThatThrownBy(() -> LatencyHistogram.decode(new byte[] {1, 1, 0, 1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LatencyHistogram.decode(new byte[] {9}))
        .hasMessageContaining("format byte 9");
    assertThatThrownBy(() -> LatencyHistogram.decode(new byte[] {1, 2, 1, 1}))
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> LatencyHistogram.empty().valueAtPercentile(50))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> LatencyHistogram.of(5).valueAtPercentile(101))
        .hasMessageContaining("101");
  }
}
