package dev.usagestats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.Measure;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PendingBufferTest {
  private static final long T0 = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();
  private static final SeriesKey K = new SeriesKey("acme", "k", "m");

  private static long[] one() {
    return Measure.counts(new UsageTotals(1, 0, 10, 2, 0, 0, 0));
  }

  private static long calls(PendingBuffer p) {
    long sum = 0;
    for (PendingBuffer.Snapshot s : p.snapshot()) {
      for (long[] v : s.rows().values()) sum += v[0];
    }
    return sum;
  }

  @Test
  void add_pastHalfTheCap_coarsensToQuarterHours() {
    PendingBuffer p = new PendingBuffer("n", 8);
    for (int m = 0; m < 60; m++)
      p.add(K, T0 + m * 60_000L, one(), dev.usagestats.LatencyTotals.empty());
    // 4 minute rows; then one 15-minute row per quarter of the hour (minutes 4-14 in the first)
    assertThat(p.rows()).isEqualTo(4 + 4);
    assertThat(p.droppedCalls()).isZero();
    assertThat(calls(p)).isEqualTo(60);
    UsageBatch b = p.toBatch(p.next());
    assertThat(b.deltas().stream().filter(d -> d.grain() == Grain.MINUTE)).hasSize(4);
    for (UsageDelta d : b.deltas()) {
      if (d.grain() == Grain.QUARTER_HOUR) {
        assertThat(Math.floorMod(d.start().toEpochMilli(), 15 * 60_000L)).isZero();
      }
    }
  }

  @Test
  void add_atTheCap_dropsAndCounts() {
    PendingBuffer p = new PendingBuffer("n", 4);
    for (int q = 0; q < 10; q++)
      p.add(K, T0 + q * 15 * 60_000L, one(), dev.usagestats.LatencyTotals.empty());
    assertThat(p.rows()).isEqualTo(4);
    assertThat(p.droppedCalls()).isEqualTo(6);
    assertThat(calls(p)).isEqualTo(4);
    // deltas for rows that exist still merge at the cap
    p.add(K, T0, one(), dev.usagestats.LatencyTotals.empty());
    assertThat(calls(p)).isEqualTo(5);
  }

  @Test
  void add_whileFirstBatchSent_mergesIntoOneOpenBatch() {
    PendingBuffer p = new PendingBuffer("n", 1000);
    p.add(K, T0, one(), dev.usagestats.LatencyTotals.empty());
    PendingBuffer.Batch sent = p.next();
    for (int i = 0; i < 5; i++) p.add(K, T0 + 60_000L, one(), dev.usagestats.LatencyTotals.empty());
    assertThat(p.snapshot()).hasSize(2);
    assertThat(p.next()).isSameAs(sent);
    p.acknowledge(sent);
    assertThat(p.snapshot()).hasSize(1);
    assertThat(calls(p)).isEqualTo(5);
  }
}
