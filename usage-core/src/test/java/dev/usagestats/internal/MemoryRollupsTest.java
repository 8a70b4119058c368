package dev.usagestats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.ModelShare;
import dev.usagestats.SeriesKey;
import dev.usagestats.TrendPoint;
import dev.usagestats.TrendSeries;
import dev.usagestats.UsageListener.SeriesListener;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageTotals;
import dev.usagestats.spi.Measure;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@link MemoryRollups} against a plain list of deltas summed naively: random deltas of a few
 * series, read through a {@link ReportAccumulator} with random plans (zones with 15-, 30- and
 * 45-minute offsets and DST days, so both the group and the slot paths run), compared bucket by
 * bucket, group by group and measure by measure.
 */
class MemoryRollupsTest {
  private static final long MINUTE_MS = 60_000L;
  private static final long QUARTER_MS = 15 * MINUTE_MS;
  private static final long HOUR_MS = 60 * MINUTE_MS;
  private static final long DAY_MS = 24 * HOUR_MS;

  /** Twelve days over the DST changes of Europe (03-29), Lord Howe and Chatham (04-05). */
  private static final long START = Instant.parse("2026-03-27T00:00:00Z").toEpochMilli();

  private static final long END = START + 12 * DAY_MS;
  private static final List<ZoneId> ZONES =
      List.of(
              "UTC",
              "Europe/Berlin",
              "America/New_York",
              "Asia/Kolkata",
              "Asia/Kathmandu",
              "Australia/Eucla",
              "Australia/Lord_Howe",
              "Pacific/Chatham")
          .stream()
          .map(ZoneId::of)
          .toList();

  private static final List<SeriesKey> KEYS =
      List.of(
          new SeriesKey("t1", "k1", "m1"),
          new SeriesKey("t1", "k1", "m2"),
          new SeriesKey("t1", "k2", "m1"),
          new SeriesKey("t2", "k2", "m2"),
          new SeriesKey("t2", "k3", "m3"));

  private record Delta(int series, long minute, long[] counts) {}

  private final Series[] series = new Series[KEYS.size()];
  private final List<Delta> deltas = new ArrayList<>();

  MemoryRollupsTest() {
    for (int i = 0; i < KEYS.size(); i++) {
      series[i] = new Series(KEYS.get(i), i, 4, new SeriesListener[0]);
    }
  }

  @Test
  void read_randomPlans_equalNaiveSums() {
    SplittableRandom random = new SplittableRandom(20260327);
    // The rings hold all twelve days: eviction is tested on its own below.
    MemoryRollups quarters = new MemoryRollups(QUARTER_MS, 96, 4, 16);
    MemoryRollups minutes = new MemoryRollups(MINUTE_MS, 60, 15, 12 * 24 + 2);
    for (int i = 0; i < 3_000; i++) {
      int s = random.nextInt(series.length);
      long minute = START + random.nextLong((END - START) / MINUTE_MS) * MINUTE_MS;
      add(s, minute, randomCounts(random, s), quarters, minutes);
    }
    // Many deltas into one minute, too: slots add.
    for (int i = 0; i < 20; i++)
      add(0, START + 90 * MINUTE_MS, randomCounts(random, 0), quarters, minutes);
    assertThat(quarters.completeFrom()).isEqualTo(Long.MIN_VALUE);
    assertThat(minutes.completeFrom()).isEqualTo(Long.MIN_VALUE);

    List<Granularity> coarse =
        List.of(Granularity.HOUR, Granularity.DAY, Granularity.WEEK, Granularity.MONTH);
    int nonEmpty = 0;
    for (int q = 0; q < 300; q++) {
      boolean byMinute = q % 3 == 0;
      Granularity g =
          byMinute
              ? (random.nextBoolean() ? Granularity.MINUTE : Granularity.HOUR)
              : coarse.get(random.nextInt(coarse.size()));
      long span = byMinute ? 3 * DAY_MS : END - START + 2 * DAY_MS;
      long from = START - DAY_MS + random.nextLong(span);
      long to = from + 1 + random.nextLong(byMinute ? DAY_MS : span);
      if (g == Granularity.MINUTE) to = Math.min(to, from + 2 * DAY_MS);
      UsageQuery query = randomQuery(random, from, to, g);
      if (checkRead(byMinute ? minutes : quarters, query).totals().calls() > 0) nonEmpty++;
    }
    assertThat(nonEmpty).isGreaterThan(150);
  }

  @Test
  void add_groupSumsEqualSlotSums() {
    SplittableRandom random = new SplittableRandom(7);
    MemoryRollups quarters = new MemoryRollups(QUARTER_MS, 96, 4, 16);
    MemoryRollups minutes = new MemoryRollups(MINUTE_MS, 60, 15, 12 * 24 + 2);
    for (int i = 0; i < 2_000; i++) {
      int s = random.nextInt(series.length);
      long minute = START + random.nextLong((END - START) / MINUTE_MS) * MINUTE_MS;
      add(s, minute, randomCounts(random, s), quarters, minutes);
    }
    checkChunks(quarters, 4);
    checkChunks(minutes, 15);
  }

  /** Every chunk's slots equal the deltas of its slots; groups and totals equal the slots'. */
  private void checkChunks(MemoryRollups r, int group) {
    long firstIndex = Math.floorDiv(START, r.chunkMillis);
    long lastIndex = Math.floorDiv(END - 1, r.chunkMillis);
    int chunks = 0;
    for (int s = 0; s < series.length; s++) {
      for (long index = firstIndex; index <= lastIndex; index++) {
        MemoryRollups.Chunk c = r.chunk(s, index);
        long chunkStart = index * r.chunkMillis;
        long[][] expected = new long[Measure.COUNT][r.slotsPerChunk];
        boolean any = false;
        for (Delta d : deltas) {
          if (d.series() != s
              || d.minute() < chunkStart
              || d.minute() >= chunkStart + r.chunkMillis) {
            continue;
          }
          any = true;
          int slot = (int) ((d.minute() - chunkStart) / r.slotMillis);
          for (int f = 0; f < Measure.COUNT; f++) expected[f][slot] += d.counts()[f];
        }
        if (!any) {
          assertThat(c).isNull();
          continue;
        }
        chunks++;
        assertThat(c).isNotNull();
        assertThat(c.index).isEqualTo(index);
        for (int f = 0; f < Measure.COUNT; f++) {
          long[] slots = c.fields[f] == null ? new long[r.slotsPerChunk] : c.fields[f];
          assertThat(slots).as("series %d chunk %d field %d", s, index, f).isEqualTo(expected[f]);
          long total = 0;
          for (long v : slots) total += v;
          assertThat(c.totals[f]).isEqualTo(total);
          if (c.fields[f] == null) {
            assertThat(c.groups[f]).isNull();
            continue;
          }
          long[] groups = c.groups[f];
          assertThat(groups).hasSize(r.slotsPerChunk / group);
          for (int g = 0; g < groups.length; g++) {
            long sum = 0;
            for (int k = g * group; k < (g + 1) * group; k++) sum += slots[k];
            assertThat(groups[g])
                .as("series %d chunk %d field %d group %d", s, index, f, g)
                .isEqualTo(sum);
          }
        }
      }
    }
    assertThat(chunks).isGreaterThan(series.length);
  }

  @Test
  void add_pastTheRing_evictsAndMovesCompleteFromForward() {
    MemoryRollups r = new MemoryRollups(MINUTE_MS, 60, 15, 3); // three one-hour chunks per series
    long[] one = counts(1, 0, 10, 5, 0, 0, 0);
    for (int h = 0; h < 3; h++) {
      add(0, START + h * HOUR_MS + 7 * MINUTE_MS, one, r);
      add(1, START + h * HOUR_MS + 8 * MINUTE_MS, one, r);
    }
    assertThat(r.completeFrom()).isEqualTo(Long.MIN_VALUE);
    checkRead(r, query(START - HOUR_MS, START + 6 * HOUR_MS, "UTC", Granularity.HOUR));

    // Hour 3 of series 0 takes the ring slot of its hour 0.
    add(0, START + 3 * HOUR_MS + 59 * MINUTE_MS, one, r);
    assertThat(r.completeFrom()).isEqualTo(START + HOUR_MS);
    assertThat(r.chunk(0, Math.floorDiv(START, r.chunkMillis))).isNull();
    // The read holds nothing before completeFrom, though series 1 still has its hour 0.
    UsageReport rep = read(r, query(START - HOUR_MS, START + 6 * HOUR_MS, "UTC", Granularity.HOUR));
    assertThat(rep.totals().calls()).isEqualTo(2 + 3);
    checkRead(r, query(START - HOUR_MS, START + 6 * HOUR_MS, "UTC", Granularity.HOUR));
    checkRead(r, query(START, START + 6 * HOUR_MS, "Asia/Kathmandu", Granularity.MINUTE));

    add(1, START + 5 * HOUR_MS, one, r);
    assertThat(r.completeFrom()).isEqualTo(START + 3 * HOUR_MS);
    checkRead(r, query(START - HOUR_MS, START + 6 * HOUR_MS, "UTC", Granularity.DAY));
  }

  @Test
  void add_deltaOlderThanTheRing_isRefusedAndNewerDataKept() {
    MemoryRollups r = new MemoryRollups(MINUTE_MS, 60, 15, 3);
    long[] one = counts(1, 0, 10, 5, 0, 0, 0);
    for (int h = 0; h < 6; h++) add(0, START + h * HOUR_MS + 1 * MINUTE_MS, one, r);
    assertThat(r.completeFrom()).isEqualTo(START + 3 * HOUR_MS);
    UsageQuery q = query(START + 3 * HOUR_MS, START + 6 * HOUR_MS, "UTC", Granularity.MINUTE);
    UsageReport before = read(r, q);

    // Hour 1's ring slot holds hour 4: a late delta for hour 1 is refused, not added to hour 4.
    r.add(0, START + HOUR_MS + 30 * MINUTE_MS, counts(1, 1, 1_000, 1_000, 0, 0, 0));
    assertThat(r.completeFrom()).isEqualTo(START + 3 * HOUR_MS);
    assertThat(read(r, q)).isEqualTo(before);
    assertThat(before.totals().calls()).isEqualTo(3);
    assertThat(before.totals().inputTokens()).isEqualTo(30);
    checkRead(r, q);
  }

  @Test
  void add_refusedDeltaNewerThanCompleteFrom_movesCompleteFromPastIt() {
    MemoryRollups r = new MemoryRollups(MINUTE_MS, 60, 15, 3);
    long[] one = counts(1, 0, 10, 5, 0, 0, 0);
    // Series 0's ring slot for hour 1 holds its hour 4: a late delta for hour 1 is refused.
    add(0, START + 4 * HOUR_MS, one, r);
    assertThat(r.completeFrom()).isEqualTo(Long.MIN_VALUE);
    r.add(0, START + HOUR_MS, one);
    // Memory no longer holds every delta of hour 1.
    assertThat(r.completeFrom()).isEqualTo(START + 2 * HOUR_MS);
    checkRead(r, query(START + 2 * HOUR_MS, START + 5 * HOUR_MS, "UTC", Granularity.HOUR));
  }

  /**
   * A chunk that no newer chunk of its own series replaced stays in memory, but a read skips every
   * chunk older than the newest of any series minus the ring: with completeFrom() still at its
   * start, a read from there misses it. Likewise a late delta into an empty ring slot that old is
   * kept but never read.
   */
  @Test
  void read_oldChunkNeverReplaced_isReadOrCompleteFromMovesPastIt() {
    MemoryRollups r = new MemoryRollups(MINUTE_MS, 60, 15, 3);
    long[] one = counts(1, 0, 10, 5, 0, 0, 0);
    add(0, START, one, r); // series 0: hour 0 only
    add(1, START + 5 * HOUR_MS, one, r); // series 1: hour 5 only
    checkRead(r, query(START, START + 6 * HOUR_MS, "UTC", Granularity.HOUR));

    add(2, START + HOUR_MS, one, r); // late, first delta of series 2, slot free
    checkRead(r, query(START, START + 6 * HOUR_MS, "UTC", Granularity.HOUR));
  }

  // ---- reference

  /**
   * Reads {@code query} from {@code r} and checks it against the deltas at or after completeFrom:
   * every bucket of every group, every measure of the totals and of each model.
   */
  private UsageReport checkRead(MemoryRollups r, UsageQuery query) {
    BucketPlan plan = BucketPlan.of(query.from(), query.to(), query.zone(), query.granularity());
    UsageReport report = read(r, plan, query);
    String label = query.toString();
    long complete = r.completeFrom();

    Map<List<String>, long[][]> trends = new HashMap<>();
    Map<String, long[]> models = new HashMap<>();
    long[] totals = new long[Measure.COUNT];
    for (Delta d : deltas) {
      SeriesKey key = KEYS.get(d.series());
      if (d.minute() < complete || !matches(query, key)) continue;
      int bucket = naiveBucket(plan.bounds, d.minute());
      if (bucket < 0) continue;
      long[][] trend =
          trends.computeIfAbsent(groupOf(query.groupBy(), key), k -> new long[3][plan.size()]);
      trend[0][bucket] += d.counts()[Measure.CALLS.ordinal()];
      trend[1][bucket] += d.counts()[Measure.INPUT_TOKENS.ordinal()];
      trend[2][bucket] += d.counts()[Measure.OUTPUT_TOKENS.ordinal()];
      Measure.add(totals, d.counts());
      Measure.add(models.computeIfAbsent(key.model(), k -> new long[Measure.COUNT]), d.counts());
    }

    assertThat(report.totals()).as(label).isEqualTo(Measure.totals(totals));
    assertThat(report.buckets()).as(label).hasSize(plan.size());
    Map<List<String>, long[][]> actual = new HashMap<>();
    for (TrendSeries s : report.series()) {
      long[][] trend = new long[3][];
      trend[0] = s.points().stream().mapToLong(TrendPoint::calls).toArray();
      trend[1] = s.points().stream().mapToLong(TrendPoint::inputTokens).toArray();
      trend[2] = s.points().stream().mapToLong(TrendPoint::outputTokens).toArray();
      actual.put(nullable(s.apiKey(), s.model()), trend);
    }
    assertThat(actual.keySet()).as(label).isEqualTo(trends.keySet());
    for (Map.Entry<List<String>, long[][]> e : trends.entrySet()) {
      for (int k = 0; k < 3; k++) {
        assertThat(actual.get(e.getKey())[k])
            .as("%s %s trend %d", label, e.getKey(), k)
            .isEqualTo(e.getValue()[k]);
      }
    }
    Map<String, UsageTotals> actualModels = new HashMap<>();
    for (ModelShare m : report.distribution()) actualModels.put(m.model(), m.totals());
    Map<String, UsageTotals> expectedModels = new HashMap<>();
    models.forEach((m, c) -> expectedModels.put(m, Measure.totals(c)));
    assertThat(actualModels).as(label).isEqualTo(expectedModels);
    return report;
  }

  private UsageReport read(MemoryRollups r, UsageQuery query) {
    return read(
        r, BucketPlan.of(query.from(), query.to(), query.zone(), query.granularity()), query);
  }

  private UsageReport read(MemoryRollups r, BucketPlan plan, UsageQuery query) {
    ReportAccumulator acc = new ReportAccumulator(plan, query);
    r.read(acc, series, series.length);
    return acc.build(query, Instant.EPOCH);
  }

  private static int naiveBucket(long[] bounds, long millis) {
    for (int i = 0; i + 1 < bounds.length; i++) {
      if (bounds[i] <= millis && millis < bounds[i + 1]) return i;
    }
    return -1;
  }

  private static boolean matches(UsageQuery q, SeriesKey key) {
    return (q.tenant() == null || q.tenant().equals(key.tenant()))
        && (q.apiKeys().isEmpty() || q.apiKeys().contains(key.apiKey()))
        && (q.models().isEmpty() || q.models().contains(key.model()));
  }

  private static List<String> groupOf(GroupBy groupBy, SeriesKey key) {
    return switch (groupBy) {
      case MODEL -> nullable(null, key.model());
      case API_KEY -> nullable(key.apiKey(), null);
      case API_KEY_AND_MODEL -> nullable(key.apiKey(), key.model());
      case NONE -> nullable(null, null);
    };
  }

  private static List<String> nullable(@Nullable String apiKey, @Nullable String model) {
    List<String> l = new ArrayList<>();
    l.add(apiKey);
    l.add(model);
    return l;
  }

  private void add(int s, long minute, long[] counts, MemoryRollups... rollups) {
    deltas.add(new Delta(s, minute, counts.clone()));
    for (MemoryRollups r : rollups) r.add(s, minute, counts);
  }

  /** At least one call (every drained delta has one); series 3 never has cache or reasoning. */
  private static long[] randomCounts(SplittableRandom random, int s) {
    long calls = 1 + random.nextInt(5);
    long input = random.nextInt(5_000);
    long output = random.nextInt(2_000);
    boolean parts = s != 3;
    return counts(
        calls,
        random.nextInt(4) == 0 ? random.nextLong(calls + 1) : 0,
        input,
        output,
        parts ? random.nextLong(input + 1) / 2 : 0,
        parts && random.nextBoolean() ? random.nextLong(input + 1) / 3 : 0,
        parts ? random.nextLong(output + 1) : 0);
  }

  private static long[] counts(
      long calls, long errors, long in, long out, long cached, long creation, long reasoning) {
    long[] c = new long[Measure.COUNT];
    c[Measure.CALLS.ordinal()] = calls;
    c[Measure.ERRORS.ordinal()] = errors;
    c[Measure.INPUT_TOKENS.ordinal()] = in;
    c[Measure.OUTPUT_TOKENS.ordinal()] = out;
    c[Measure.CACHED_INPUT_TOKENS.ordinal()] = cached;
    c[Measure.CACHE_CREATION_INPUT_TOKENS.ordinal()] = creation;
    c[Measure.REASONING_TOKENS.ordinal()] = reasoning;
    return c;
  }

  private static UsageQuery query(long from, long to, String zone, Granularity g) {
    return UsageQuery.builder()
        .from(Instant.ofEpochMilli(from))
        .to(Instant.ofEpochMilli(to))
        .zone(ZoneId.of(zone))
        .granularity(g)
        .groupBy(GroupBy.API_KEY_AND_MODEL)
        .build();
  }

  private static UsageQuery randomQuery(
      SplittableRandom random, long from, long to, Granularity g) {
    UsageQuery.Builder b =
        UsageQuery.builder()
            .from(Instant.ofEpochMilli(from))
            .to(Instant.ofEpochMilli(to))
            .zone(ZONES.get(random.nextInt(ZONES.size())))
            .granularity(g)
            .groupBy(GroupBy.values()[random.nextInt(GroupBy.values().length)]);
    if (random.nextInt(4) == 0) b.tenant("t" + (1 + random.nextInt(2)));
    if (random.nextInt(4) == 0) b.apiKey("k" + (1 + random.nextInt(3)));
    if (random.nextInt(4) == 0) b.models(List.of("m1", "m3"));
    return b.build();
  }
}
