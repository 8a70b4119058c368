package dev.usagestats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.ApiKeyPolicy;
import dev.usagestats.LatencyHistogram;
import dev.usagestats.spi.Measure;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link IntervalRecorder}: exact drained sums under concurrent writers and a draining thread,
 * events that never tear, late minutes through the spills, and close.
 *
 * <p>Every event written here has, for some k >= 1: errors 1, input 2k + 1, output k, cached k,
 * cache creation 1, reasoning k. Any sum of whole events then has errors == cacheCreation == calls,
 * cached == reasoning == output and input == 2 output + calls; a delta holding part of an event
 * breaks one of these.
 */
class IntervalRecorderTest {
  private static final int STRIPES = 4;
  private static final long M0 = 29_600_000L; // a minute of 2026, in epoch minutes
  private static final int CALLS = Measure.CALLS.ordinal();
  private static final int ERRORS = Measure.ERRORS.ordinal();
  private static final int INPUT = Measure.INPUT_TOKENS.ordinal();
  private static final int OUTPUT = Measure.OUTPUT_TOKENS.ordinal();
  private static final int CACHED = Measure.CACHED_INPUT_TOKENS.ordinal();
  private static final int CREATION = Measure.CACHE_CREATION_INPUT_TOKENS.ordinal();
  private static final int REASONING = Measure.REASONING_TOKENS.ordinal();

  private static SeriesTable table() {
    return new SeriesTable(100, ApiKeyPolicy.REFUSE, STRIPES, List.of(), new Health());
  }

  /**
   * Adds an event of {@code k}. By k mod 4: 1 and 3 carry both latencies and k ms after the first
   * token (a rate: their output is streamed output), 0 a duration alone, 2 none. A call with a
   * latency is counted by its latency bin, not its cell, so a drain that took a cell without the
   * bins of the same phase breaks {@link #whole}.
   */
  private static boolean add(IntervalRecorder r, Series s, long minute, long k) {
    int d = k % 4 == 2 ? -1 : LatencyHistogram.binOf(k);
    int t = k % 2 == 1 ? LatencyHistogram.binOf(k / 2) : -1;
    long generation = k % 2 == 1 ? k : -1;
    return r.add(s, minute, 1, 2 * k + 1, k, k, 1, k, d, t, generation) == Series.ADDED;
  }

  /** {durations, times to first token, streamed output} of {@code calls} events of {@code k}. */
  private static long[] latencyOf(long calls, long k) {
    return new long[] {k % 4 == 2 ? 0 : calls, k % 2 == 1 ? calls : 0, k % 2 == 1 ? calls * k : 0};
  }

  /** Expected counts of {@code calls} events whose k add up to {@code ks}. */
  private static long[] events(long calls, long ks) {
    long[] c = new long[Measure.COUNT];
    c[CALLS] = calls;
    c[ERRORS] = calls;
    c[INPUT] = 2 * ks + calls;
    c[OUTPUT] = ks;
    c[CACHED] = ks;
    c[CREATION] = calls;
    c[REASONING] = ks;
    return c;
  }

  private static boolean whole(long[] c) {
    return c[CALLS] > 0
        && c[ERRORS] == c[CALLS]
        && c[CREATION] == c[CALLS]
        && c[CACHED] == c[OUTPUT]
        && c[REASONING] == c[OUTPUT]
        && c[INPUT] == 2 * c[OUTPUT] + c[CALLS];
  }

  /** Sums drained deltas per (series id, minute) and notes every torn or misplaced one. */
  private static final class Collector implements Series.DeltaSink {
    final Map<List<Long>, long[]> sums = new HashMap<>();
    final Map<List<Long>, long[]> latency = new HashMap<>();
    final List<String> torn = new ArrayList<>();
    int deltas;

    @Override
    public void accept(
        Series series, long minuteMillis, long[] counts, dev.usagestats.LatencyTotals latency) {
      deltas++;
      long durations = latency.duration().count();
      long firstTokens = latency.timeToFirstToken().count();
      if (!whole(counts)
          || minuteMillis % 60_000L != 0
          || latency.streamedOutputTokens() != latency.generationMillis()
          || firstTokens > durations
          || durations > counts[CALLS]) {
        torn.add(series + " " + minuteMillis + " " + Arrays.toString(counts) + " " + latency);
      }
      long[] l =
          this.latency.computeIfAbsent(
              List.of((long) series.id, minuteMillis / 60_000L), k -> new long[3]);
      l[0] += durations;
      l[1] += firstTokens;
      l[2] += latency.streamedOutputTokens();
      Measure.add(
          sums.computeIfAbsent(
              List.of((long) series.id, minuteMillis / 60_000L), k -> new long[Measure.COUNT]),
          counts);
    }

    void drain(IntervalRecorder r) {
      r.drain(this);
    }
  }

  @Test
  void drain_concurrentWriters_exactPerSeriesMinuteAndMeasureAndNeverTorn() throws Exception {
    SeriesTable table = table();
    IntervalRecorder recorder = new IntervalRecorder(STRIPES, table);
    Series[] series = {
      table.findOrCreate("t", "k", "a"),
      table.findOrCreate("t", "k", "b"),
      table.findOrCreate("t", "k2", "a")
    };
    int writers = 4;
    int perWriter = 250_000;
    AtomicLong clock = new AtomicLong(M0);
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong refused = new AtomicLong();
    CountDownLatch go = new CountDownLatch(1);
    List<Map<List<Long>, long[]>> written = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      Map<List<Long>, long[]> mine = new HashMap<>(); // (series, minute) -> {calls, sum of k}
      written.add(mine);
      SplittableRandom random = new SplittableRandom(w);
      threads.add(
          new Thread(
              () -> {
                await(go);
                for (int i = 0; i < perWriter; i++) {
                  int s = random.nextInt(series.length);
                  long now = clock.get();
                  int p = random.nextInt(100);
                  // Mostly now, some the minute before, a few late ones (slot or spill).
                  long minute = p < 85 ? now : p < 97 ? now - 1 : now - 2 - random.nextInt(8);
                  long k = 1 + random.nextInt(1_000);
                  if (!add(recorder, series[s], minute, k)) refused.incrementAndGet();
                  long[] c = mine.computeIfAbsent(List.of((long) s, minute), x -> new long[5]);
                  c[0]++;
                  c[1] += k;
                  long[] l = latencyOf(1, k);
                  for (int f = 0; f < 3; f++) c[2 + f] += l[f];
                }
              }));
    }
    Collector sink = new Collector();
    AtomicLong drains = new AtomicLong();
    Thread drainer =
        new Thread(
            () -> {
              await(go);
              while (!done.get()) {
                sink.drain(recorder);
                if (drains.incrementAndGet() % 4 == 0) clock.incrementAndGet();
              }
            });
    threads.forEach(Thread::start);
    drainer.start();
    go.countDown();
    for (Thread t : threads) t.join();
    done.set(true);
    drainer.join();
    sink.drain(recorder);
    int before = sink.deltas;
    sink.drain(recorder);
    assertThat(sink.deltas).as("a drain after the last one").isEqualTo(before);

    Map<List<Long>, long[]> expected = new HashMap<>();
    for (Map<List<Long>, long[]> mine : written) {
      mine.forEach(
          (key, c) -> {
            long[] e =
                expected.computeIfAbsent(
                    List.of((long) series[key.get(0).intValue()].id, key.get(1)), x -> new long[5]);
            for (int f = 0; f < 5; f++) e[f] += c[f];
          });
    }
    assertThat(refused.get()).isZero();
    assertThat(sink.torn).isEmpty();
    assertThat(sink.sums.keySet()).isEqualTo(expected.keySet());
    expected.forEach(
        (key, c) -> {
          assertThat(sink.sums.get(key)).as("%s", key).isEqualTo(events(c[0], c[1]));
          assertThat(sink.latency.get(key))
              .as("latency of %s", key)
              .isEqualTo(Arrays.copyOfRange(c, 2, 5));
        });
    long calls = sink.sums.values().stream().mapToLong(c -> c[CALLS]).sum();
    assertThat(calls).isEqualTo((long) writers * perWriter);
    assertThat(drains.get()).isGreaterThan(1);
  }

  @Test
  void drain_moreMinutesThanSlots_spillsAndDrainsEveryMinuteExactly() {
    SeriesTable table = table();
    IntervalRecorder recorder = new IntervalRecorder(STRIPES, table);
    Series s = table.findOrCreate("t", "k", "m");
    Collector sink = new Collector();
    for (int round = 0; round < 3; round++) { // both phases, and each one's spills again
      long base = M0 + round * 100;
      Map<List<Long>, long[]> expected = new HashMap<>();
      for (int m = 0; m < 2 * Series.SLOTS; m++) {
        for (int e = 0; e <= m; e++) {
          add(recorder, s, base - m, 10 + m);
        }
        expected.put(List.of((long) s.id, base - m), events(m + 1, (m + 1) * (10L + m)));
      }
      sink.sums.clear();
      sink.latency.clear();
      int before = sink.deltas;
      sink.drain(recorder);
      assertThat(sink.deltas - before).isEqualTo(2 * Series.SLOTS);
      assertThat(sink.sums).containsOnlyKeys(expected.keySet());
      expected.forEach((key, c) -> assertThat(sink.sums.get(key)).as("%s", key).isEqualTo(c));
      for (int m = 0; m < 2 * Series.SLOTS; m++) {
        assertThat(sink.latency.get(List.of((long) s.id, base - m)))
            .as("latency of minute %s", m)
            .isEqualTo(latencyOf(m + 1, 10 + m));
      }
      sink.drain(recorder);
      assertThat(sink.deltas - before).as("nothing twice").isEqualTo(2 * Series.SLOTS);
    }
    assertThat(sink.torn).isEmpty();
  }

  @Test
  void drain_lateMinutesFromManyThreads_spillsKeepSumsExact() throws Exception {
    SeriesTable table = table();
    IntervalRecorder recorder = new IntervalRecorder(STRIPES, table);
    Series s = table.findOrCreate("t", "k", "m");
    int threads = 4;
    int minutes = 12;
    int perThread = 60_000;
    CountDownLatch go = new CountDownLatch(1);
    Collector sink = new Collector();
    AtomicBoolean done = new AtomicBoolean();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      ts.add(
          new Thread(
              () -> {
                await(go);
                for (int i = 0; i < perThread; i++) add(recorder, s, M0 - i % minutes, 3);
              }));
    }
    Thread drainer =
        new Thread(
            () -> {
              await(go);
              while (!done.get()) sink.drain(recorder);
            });
    ts.forEach(Thread::start);
    drainer.start();
    go.countDown();
    for (Thread t : ts) t.join();
    done.set(true);
    drainer.join();
    sink.drain(recorder);

    assertThat(sink.torn).isEmpty();
    for (int m = 0; m < minutes; m++) {
      long n = (long) threads * perThread / minutes;
      assertThat(sink.sums.get(List.of((long) s.id, M0 - m))).isEqualTo(events(n, 3 * n));
      assertThat(sink.latency.get(List.of((long) s.id, M0 - m))).isEqualTo(latencyOf(n, 3));
    }
  }

  @Test
  void add_afterClose_returnsFalseAndRecordsNothing() {
    SeriesTable table = table();
    IntervalRecorder recorder = new IntervalRecorder(STRIPES, table);
    Series s = table.findOrCreate("t", "k", "m");
    assertThat(add(recorder, s, M0, 5)).isTrue();
    assertThat(add(recorder, s, M0 - 9, 5)).isTrue();
    recorder.close();
    assertThat(recorder.isClosed()).isTrue();
    for (int m = 0; m < 10; m++) assertThat(add(recorder, s, M0 - m, 7)).isFalse();

    Collector sink = new Collector();
    sink.drain(recorder);
    assertThat(sink.sums).containsOnlyKeys(List.of((long) s.id, M0), List.of((long) s.id, M0 - 9));
    assertThat(sink.sums.get(List.of((long) s.id, M0))).isEqualTo(events(1, 5));
    sink.drain(recorder);
    sink.drain(recorder);
    assertThat(sink.deltas).isEqualTo(2);
  }

  /**
   * Writers add until add returns false. The first drain after close takes every event whose add
   * returned true, and nothing is left for a later drain.
   */
  @Test
  void close_whileWritersAdd_firstDrainAfterItTakesEveryAcceptedEvent() throws Exception {
    SeriesTable table = table();
    IntervalRecorder recorder = new IntervalRecorder(STRIPES, table);
    Series s = table.findOrCreate("t", "k", "m");
    int writers = 3;
    long[] accepted = new long[writers];
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(writers);
    List<Thread> ts = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      ts.add(
          new Thread(
              () -> {
                await(go);
                long n = 0;
                while (add(recorder, s, M0 - n % 5, 1)) {
                  if (++n == 1_000) started.countDown();
                }
                if (n < 1_000) started.countDown();
                accepted[id] = n;
              }));
    }
    ts.forEach(Thread::start);
    Collector sink = new Collector();
    go.countDown();
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 5; i++) sink.drain(recorder);
    recorder.close();
    sink.drain(recorder);
    long drainedAtClose = sink.sums.values().stream().mapToLong(c -> c[CALLS]).sum();
    for (Thread t : ts) t.join();
    sink.drain(recorder);

    long total = 0;
    for (long n : accepted) total += n;
    assertThat(sink.torn).isEmpty();
    assertThat(drainedAtClose).isEqualTo(total);
    assertThat(sink.sums.values().stream().mapToLong(c -> c[CALLS]).sum()).isEqualTo(total);
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) throw new AssertionError("latch timed out");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
