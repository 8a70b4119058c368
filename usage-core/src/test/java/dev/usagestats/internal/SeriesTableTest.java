package dev.usagestats.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.ApiKeyPolicy;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageListener;
import dev.usagestats.UsageListener.SeriesListener;
import dev.usagestats.spi.Measure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link SeriesIndex} (lookup by names, collisions, resize, lock-free reads during inserts) and
 * {@link SeriesTable} (one series per names under contention, dense ids, the cap and its overflow
 * series, name checks).
 */
class SeriesTableTest {
  private static final int STRIPES = 4;

  /** A series for the index alone: one stripe, so thousands of them stay small. */
  private static Series series(String tenant, String apiKey, String model, int id) {
    return new Series(new SeriesKey(tenant, apiKey, model), id, 1, new SeriesListener[0]);
  }

  /** 2^bits strings of equal {@link String#hashCode()}: "Aa" and "BB" hash alike. */
  private static List<String> collidingNames(int bits) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 1 << bits; i++) {
      StringBuilder sb = new StringBuilder("model-");
      for (int b = 0; b < bits; b++) sb.append((i >> b & 1) == 0 ? "Aa" : "BB");
      names.add(sb.toString());
    }
    return names;
  }

  private static SeriesTable table(int maxSeries) {
    return new SeriesTable(maxSeries, ApiKeyPolicy.REFUSE, STRIPES, List.of(), new Health());
  }

  // ---- SeriesIndex

  @Test
  void get_empty_returnsNull() {
    assertThat(new SeriesIndex().get("t", "k", "m")).isNull();
  }

  @Test
  void get_collidingHashes_findsEachAndNoOther() {
    List<String> models = collidingNames(7);
    int h = Series.hash("t", "k", models.get(0));
    for (String m : models) assertThat(Series.hash("t", "k", m)).isEqualTo(h);
    // The same hash across fields, too: "Aa" and "BB" as tenant or key.
    assertThat(Series.hash("Aa", "k", models.get(0)))
        .isEqualTo(Series.hash("BB", "k", models.get(0)));

    SeriesIndex index = new SeriesIndex();
    Map<List<String>, Series> put = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      Series s = series("t", "k", models.get(i), i);
      index.put(s);
      put.put(List.of("t", "k", models.get(i)), s);
    }
    Series aa = series("Aa", "k", models.get(0), 100);
    Series bb = series("BB", "k", models.get(0), 101);
    index.put(aa);
    index.put(bb);

    put.forEach(
        (names, s) -> assertThat(index.get(names.get(0), names.get(1), names.get(2))).isSameAs(s));
    assertThat(index.get("Aa", "k", models.get(0))).isSameAs(aa);
    assertThat(index.get("BB", "k", models.get(0))).isSameAs(bb);
    for (int i = 100; i < models.size(); i++)
      assertThat(index.get("t", "k", models.get(i))).isNull();
    assertThat(index.get("t", "k2", models.get(0))).isNull();
    assertThat(index.get("Aa", "BB", models.get(0))).isNull();
  }

  /** An equal string that is not the same instance. */
  private static String copy(String s) {
    String c = new String(s.toCharArray());
    assertThat(c).isEqualTo(s).isNotSameAs(s);
    return c;
  }

  @Test
  void get_equalNamesInOtherInstances_findsTheSeriesForEveryMixOfInstances() {
    String tenant = copy("acme");
    String apiKey = copy("key-1");
    String model = copy("gpt-4o");
    SeriesIndex index = new SeriesIndex();
    Series s = series(tenant, apiKey, model, 0);
    index.put(s);
    index.put(series(tenant, apiKey, copy("gpt-4o-mini"), 1));
    // Each name either the instance the series holds or an equal copy: all eight mixes.
    for (int mix = 0; mix < 8; mix++) {
      String t = (mix & 1) == 0 ? tenant : copy(tenant);
      String k = (mix & 2) == 0 ? apiKey : copy(apiKey);
      String m = (mix & 4) == 0 ? model : copy(model);
      assertThat(index.get(t, k, m)).as("mix %s", mix).isSameAs(s);
    }
    assertThat(index.get(tenant, apiKey, copy("gpt-4"))).isNull();
    assertThat(index.get(tenant, copy("key-2"), model)).isNull();
  }

  @Test
  void get_sameHashNamesInOtherInstances_findsEachAndNoOther() {
    // Equal Series.hash for every model; each lookup passes copies, so the probe meets series of
    // its hash whose names are other instances, and must compare characters to tell them apart.
    List<String> models = collidingNames(5);
    SeriesIndex index = new SeriesIndex();
    List<Series> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Series s = series("t", "k", models.get(i), i);
      index.put(s);
      all.add(s);
    }
    for (Series s : all) {
      assertThat(index.get(copy("t"), copy("k"), copy(s.key.model()))).isSameAs(s);
      assertThat(index.get("t", "k", s.key.model())).isSameAs(s);
      // The identical tenant and key but a model copy: the first series of the hash is another.
      assertThat(index.get(s.key.tenant(), s.key.apiKey(), copy(s.key.model()))).isSameAs(s);
    }
    for (int i = 20; i < models.size(); i++) {
      assertThat(index.get(copy("t"), "k", copy(models.get(i)))).isNull();
    }
  }

  @Test
  void get_randomNamesAsInstancesOrCopies_agreesWithAHashMap() {
    // Names from a small alphabet with colliding pieces ("Aa" and "BB" hash alike), so many
    // lookups meet series of their hash; each name passed as the series' own instance, an equal
    // copy, or a name of no series. The reference is a HashMap keyed by the names' values.
    Random random = new Random(14);
    String[] pieces = {"Aa", "BB", "C", "D"};
    SeriesIndex index = new SeriesIndex();
    Map<List<String>, Series> reference = new HashMap<>();
    List<Series> all = new ArrayList<>();
    for (int n = 0; n < 20_000; n++) {
      List<String> names = new ArrayList<>();
      for (int f = 0; f < 3; f++) {
        StringBuilder sb = new StringBuilder();
        for (int p = 1 + random.nextInt(2); p > 0; p--) sb.append(pieces[random.nextInt(4)]);
        names.add(sb.toString());
      }
      Series known = reference.get(names);
      if (known == null && random.nextInt(4) == 0) {
        Series s = series(names.get(0), names.get(1), names.get(2), all.size());
        index.put(s);
        reference.put(names, s);
        all.add(s);
        known = s;
      }
      if (known != null && random.nextBoolean()) {
        // Some of the names as the very instances the series holds.
        names.set(0, random.nextBoolean() ? known.key.tenant() : names.get(0));
        names.set(1, random.nextBoolean() ? known.key.apiKey() : names.get(1));
        names.set(2, random.nextBoolean() ? known.key.model() : names.get(2));
      }
      assertThat(index.get(names.get(0), names.get(1), names.get(2)))
          .as("%s", names)
          .isSameAs(reference.get(names));
    }
    assertThat(all).hasSizeGreaterThan(1_000);
  }

  @Test
  void put_manySeries_resizeKeepsEveryOneFindable() {
    SeriesIndex index = new SeriesIndex();
    Random random = new Random(9);
    List<Series> all = new ArrayList<>();
    List<String> colliding = collidingNames(6);
    for (int i = 0; i < 10_000; i++) {
      String model = i % 10 == 0 ? colliding.get(i / 10 % colliding.size()) + "-" + i : "m" + i;
      Series s = series("tenant-" + (i % 7), "key-" + (i % 13), model, i);
      index.put(s);
      all.add(s);
      assertThat(index.get(s.key.tenant(), s.key.apiKey(), s.key.model())).isSameAs(s);
      Series earlier = all.get(random.nextInt(all.size()));
      assertThat(index.get(earlier.key.tenant(), earlier.key.apiKey(), earlier.key.model()))
          .isSameAs(earlier);
    }
    for (Series s : all) {
      assertThat(index.get(s.key.tenant(), s.key.apiKey(), s.key.model())).isSameAs(s);
    }
    assertThat(index.get("tenant-0", "key-0", "m1")).isNull();
  }

  @Test
  void get_whileAnotherThreadPutsAndResizes_findsEveryPublishedSeries() throws Exception {
    SeriesIndex index = new SeriesIndex();
    int n = 30_000;
    Series[] all = new Series[n];
    for (int i = 0; i < n; i++) all[i] = series("t", "k" + (i % 31), "m" + i, i);
    AtomicInteger published = new AtomicInteger();
    AtomicInteger misses = new AtomicInteger();
    AtomicInteger reads = new AtomicInteger();
    Thread writer =
        new Thread(
            () -> {
              int seen = 0;
              for (int i = 0; i < n; i++) {
                index.put(all[i]);
                published.set(i + 1);
                // Every 3,000 puts, let the readers read (however the threads are scheduled), so
                // reads interleave with resizes on a loaded machine too.
                if (i % 3_000 == 0) {
                  while (reads.get() <= seen) Thread.yield();
                  seen = reads.get();
                }
              }
            });
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      int seed = r;
      readers.add(
          new Thread(
              () -> {
                Random random = new Random(seed);
                while (published.get() < n) {
                  int p = published.get();
                  if (p == 0) continue;
                  Series s = all[random.nextInt(p)];
                  if (index.get(s.key.tenant(), s.key.apiKey(), s.key.model()) != s) {
                    misses.incrementAndGet();
                  }
                  reads.incrementAndGet();
                }
              }));
    }
    readers.forEach(Thread::start);
    writer.start();
    writer.join();
    for (Thread t : readers) t.join();
    assertThat(misses.get()).isZero();
    assertThat(reads.get()).isPositive();
  }

  // ---- SeriesTable

  @Test
  void findOrCreate_sameNamesFromManyThreads_oneSeriesPerNames() throws Exception {
    SeriesTable table = table(10_000);
    int threads = 8;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 500; i++) names.add("m" + i);
    names.addAll(collidingNames(5));
    List<Map<String, Series>> seen = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Map<String, Series> mine = new HashMap<>();
      seen.add(mine);
      List<String> order = new ArrayList<>(names);
      Collections.shuffle(order, new Random(t));
      ts.add(
          new Thread(
              () -> {
                await(go);
                for (String m : order) mine.put(m, table.findOrCreate("t", "k", m));
              }));
    }
    ts.forEach(Thread::start);
    go.countDown();
    for (Thread t : ts) t.join();

    assertThat(table.seriesCount()).isEqualTo(names.size());
    Series[] array = table.array();
    Map<Series, Boolean> distinct = new IdentityHashMap<>();
    for (String m : names) {
      Series first = seen.get(0).get(m);
      assertThat(first.key).isEqualTo(new SeriesKey("t", "k", m));
      assertThat(first.overflow).isFalse();
      for (Map<String, Series> other : seen) assertThat(other.get(m)).isSameAs(first);
      assertThat(table.find("t", "k", m)).isSameAs(first);
      assertThat(array[first.id]).isSameAs(first);
      distinct.put(first, true);
    }
    assertThat(distinct).hasSize(names.size());
  }

  @Test
  void findOrCreate_pastTheCap_givesTheOneOverflowSeries() {
    SeriesTable table = table(10);
    List<Series> regular = new ArrayList<>();
    for (int i = 0; i < 10; i++) regular.add(table.findOrCreate("t", "k", "m" + i));
    Series overflow = table.findOrCreate("t", "k", "m10");
    assertThat(overflow.overflow).isTrue();
    assertThat(overflow.key).isEqualTo(SeriesKey.OVERFLOW_KEY);
    for (int i = 11; i < 30; i++)
      assertThat(table.findOrCreate("t2", "k", "m" + i)).isSameAs(overflow);
    // Existing series keep their own; a name past the cap is not found as itself.
    for (int i = 0; i < 10; i++)
      assertThat(table.findOrCreate("t", "k", "m" + i)).isSameAs(regular.get(i));
    assertThat(table.find("t", "k", "m10")).isNull();
    assertThat(table.seriesCount()).isEqualTo(11);
    Series[] array = table.array();
    for (int id = 0; id < table.count(); id++) assertThat(array[id].id).isEqualTo(id);
    assertThat(array[overflow.id]).isSameAs(overflow);
  }

  @Test
  void findOrCreate_pastTheCapFromManyThreads_countsStayExact() throws Exception {
    SeriesTable table = table(10);
    IntervalRecorder recorder = new IntervalRecorder(STRIPES, table);
    int threads = 4;
    int names = 40;
    int perThread = 20_000;
    long minute = 29_000_000L;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      ts.add(
          new Thread(
              () -> {
                await(go);
                for (int i = 0; i < perThread; i++) {
                  int n = (i * 7 + seed) % names;
                  Series s = table.findOrCreate("t", "k", "m" + n);
                  recorder.add(s, minute, 0, n + 1, 1, 0, 0, 0);
                }
              }));
    }
    ts.forEach(Thread::start);
    go.countDown();
    for (Thread t : ts) t.join();
    Map<SeriesKey, long[]> drained = new HashMap<>();
    recorder.drain(
        (series, minuteMillis, counts, latency) ->
            Measure.add(drained.computeIfAbsent(series.key, k -> new long[Measure.COUNT]), counts));

    // What each name was sent, summed by where it should land.
    Map<String, long[]> sent = new HashMap<>();
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i++) {
        int n = (i * 7 + t) % names;
        long[] c = sent.computeIfAbsent("m" + n, k -> new long[Measure.COUNT]);
        c[Measure.CALLS.ordinal()]++;
        c[Measure.INPUT_TOKENS.ordinal()] += n + 1;
        c[Measure.OUTPUT_TOKENS.ordinal()]++;
      }
    }
    long[] overflowExpected = new long[Measure.COUNT];
    long[] all = new long[Measure.COUNT];
    int regular = 0;
    for (Map.Entry<String, long[]> e : sent.entrySet()) {
      Measure.add(all, e.getValue());
      Series s = table.find("t", "k", e.getKey());
      if (s == null) {
        Measure.add(overflowExpected, e.getValue());
      } else {
        regular++;
        assertThat(drained.get(s.key)).as(e.getKey()).isEqualTo(e.getValue());
      }
    }
    assertThat(regular).isEqualTo(10);
    assertThat(drained.get(SeriesKey.OVERFLOW_KEY)).isEqualTo(overflowExpected);
    long[] drainedAll = new long[Measure.COUNT];
    drained.values().forEach(c -> Measure.add(drainedAll, c));
    assertThat(drainedAll).isEqualTo(all);
    assertThat(drainedAll[Measure.CALLS.ordinal()]).isEqualTo((long) threads * perThread);
  }

  @Test
  void findOrCreate_badNames_refusedNamingTheField() {
    SeriesTable table = table(100);
    String tooLong = "x".repeat(Checks.MAX_NAME_LENGTH + 1);
    for (String field : List.of("tenant", "apiKey", "model")) {
      assertThatThrownBy(() -> create(table, field, " "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(field + " must not be blank: ' '");
      assertThatThrownBy(() -> create(table, field, ""))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(field + " must not be blank");
      assertThatThrownBy(() -> create(table, field, tooLong))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(field + " must be at most 256 characters: 257 characters");
      assertThatThrownBy(() -> create(table, field, "a\nb"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              field
                  + " must not contain control characters: U+000A at index 1 in '"
                  + (field.equals("apiKey") ? "..." : "a\\u000Ab")
                  + "'");
      assertThatThrownBy(() -> create(table, field, SeriesKey.OVERFLOW))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(field + " must not be the reserved overflow name: __overflow__");
    }
    assertThat(table.seriesCount()).isZero();
    assertThat(create(table, "model", "x".repeat(Checks.MAX_NAME_LENGTH)).key.model()).hasSize(256);
  }

  @Test
  void findOrCreate_badNamePastTheCap_isStillRefused() {
    SeriesTable table = table(1);
    table.findOrCreate("t", "k", "m");
    assertThat(table.findOrCreate("t", "k", "m2").overflow).isTrue();
    assertThatThrownBy(() -> table.findOrCreate("t", "k", "bad\tname"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("model must not contain control characters");
    assertThatThrownBy(() -> table.findOrCreate(SeriesKey.OVERFLOW, "k", "m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tenant must not be the reserved overflow name");
  }

  @Test
  void findOrCreate_listeners_boundOncePerSeriesAndFailuresCounted() {
    Map<SeriesKey, Integer> bound = new ConcurrentHashMap<>();
    SeriesListener noop = (in, out, cached, creation, reasoning, outcome) -> {};
    UsageListener counting =
        key -> {
          bound.merge(key, 1, Integer::sum);
          return noop;
        };
    UsageListener failing =
        key -> {
          throw new IllegalStateException("listener down");
        };
    Health health = new Health();
    SeriesTable table =
        new SeriesTable(2, ApiKeyPolicy.REFUSE, STRIPES, List.of(counting, failing), health);
    Series a = table.findOrCreate("t", "k", "a");
    table.findOrCreate("t", "k", "a");
    table.findOrCreate("t", "k", "b");
    Series over = table.findOrCreate("t", "k", "c");
    table.findOrCreate("t", "k", "d");

    assertThat(a.listeners).containsExactly(noop);
    assertThat(over.listeners).containsExactly(noop);
    assertThat(bound)
        .containsOnly(
            Map.entry(new SeriesKey("t", "k", "a"), 1),
            Map.entry(new SeriesKey("t", "k", "b"), 1),
            Map.entry(SeriesKey.OVERFLOW_KEY, 1));
    assertThat(health.listenerFailures.get()).isEqualTo(3);
  }

  private static Series create(SeriesTable table, String field, String value) {
    return switch (field) {
      case "tenant" -> table.findOrCreate(value, "k", "m");
      case "apiKey" -> table.findOrCreate("t", value, "m");
      default -> table.findOrCreate("t", "k", value);
    };
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
