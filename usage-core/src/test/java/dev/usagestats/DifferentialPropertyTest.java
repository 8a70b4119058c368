package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.testing.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Random events around DST transitions, random queries in zones with odd offsets and DST rules,
 * every granularity, from memory or from a store whose writes fail at random (before or after
 * applying): each report field must equal the naive reference model's. Most runs are priced with a
 * random book (price changes inside the range, a tenant's price, an alias, a pattern, an unpriced
 * model), on the engine or with the query: every cost equals the reference's, exactly.
 */
class DifferentialPropertyTest {
  static final List<ZoneId> ZONES =
      List.of(
          ZoneId.of("America/New_York"),
          ZoneId.of("Europe/London"),
          ZoneId.of("Asia/Kolkata"),
          ZoneId.of("Asia/Kathmandu"),
          ZoneId.of("Australia/Lord_Howe"),
          ZoneId.of("UTC"));

  /** Moments a few days after DST transitions, so the last 14 days span one. */
  static final List<Instant> NOWS =
      List.of(
          Instant.parse("2026-03-12T07:41:13Z"), // after New York spring forward (Mar 8)
          Instant.parse("2026-04-02T13:02:00Z"), // after London (Mar 29), before Lord Howe (Apr 5)
          Instant.parse("2026-04-09T23:59:59Z"), // after Lord Howe falls back 30 min (Apr 5)
          Instant.parse("2026-10-08T18:15:00Z"), // after Lord Howe springs 30 min (Oct 4)
          Instant.parse("2026-11-05T04:59:00Z")); // after London (Oct 25) and New York (Nov 1)

  static final String[] TENANTS = {"acme", "globex"};
  static final String[] KEYS = {"key-a", "key-b", "key-c", "key-d"};
  static final String[] MODELS = {"public/deepseek-r1", "public/qwen3", "m3"};

  @Property(tries = 1000)
  void report_equalsReference(
      @ForAll @IntRange(min = 0, max = 4) int nowIndex,
      @ForAll @IntRange(min = 0, max = 5) int zoneIndex,
      @ForAll @IntRange(min = 0, max = 4) int granularityIndex,
      @ForAll @IntRange(min = 0, max = 400) int eventCount,
      @ForAll boolean withStore,
      @ForAll @IntRange(min = 0, max = 2) int pricing,
      @ForAll @LongRange long seed) {
    Random rnd = new Random(seed);
    Instant now = NOWS.get(nowIndex);
    ZoneId zone = ZONES.get(zoneIndex);
    Granularity g = Granularity.values()[granularityIndex];
    TestClock clock = TestClock.of(now.minus(Duration.ofDays(14)));
    ReferenceModel ref = new ReferenceModel();
    InMemoryStore store = new InMemoryStore();
    UsageStats.Builder builder =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .minuteRetention(Duration.ofDays(15));
    if (withStore) builder.store(store);
    // pricing: 0 none, 1 a book on the engine, 2 a book with each query
    ReferencePrices prices =
        pricing == 0
            ? null
            : ReferencePrices.random(
                rnd, now.minus(Duration.ofDays(15)), now.plus(Duration.ofHours(1)));
    if (pricing == 1) builder.priceBook(prices.book);
    try (UsageStats stats = builder.build()) {
      // Time moves forward through the 14 days; most events are recorded at the clock, some late.
      long span = Duration.ofDays(14).toMillis();
      for (int i = 0; i < eventCount; i++) {
        clock.set(now.minusMillis(span - span * (i + 1) / Math.max(1, eventCount)));
        UsageEvent e = randomEvent(rnd, clock.instant());
        if (rnd.nextInt(4) == 0) {
          stats.record(e);
        } else {
          stats.record(
              e.tenant(),
              e.apiKey(),
              e.model(),
              e.inputTokens(),
              e.outputTokens(),
              e.cachedInputTokens(),
              e.cacheCreationInputTokens(),
              e.reasoningTokens(),
              e.outcome(),
              e.duration() == null ? UsageSeries.NO_LATENCY : e.duration().toNanos(),
              e.timeToFirstToken() == null
                  ? UsageSeries.NO_LATENCY
                  : e.timeToFirstToken().toNanos());
          e =
              new UsageEvent(
                  clock.instant(),
                  e.tenant(),
                  e.apiKey(),
                  e.model(),
                  e.inputTokens(),
                  e.outputTokens(),
                  e.cachedInputTokens(),
                  e.cacheCreationInputTokens(),
                  e.reasoningTokens(),
                  e.outcome(),
                  e.duration(),
                  e.timeToFirstToken());
        }
        ref.add(e);
        if (rnd.nextInt(50) == 0) {
          // With a store: some writes fail before applying, some after (the reply is lost).
          store.failure = InMemoryStore.Failure.values()[rnd.nextInt(3)];
          stats.flush();
        }
      }
      store.failure = InMemoryStore.Failure.NONE;
      clock.set(now);
      // Peaks are exact once every part of a minute is in one place: memory, or the store after
      // a flush. A minute split between the store and the unsent buffer reads a low peak.
      boolean settled = !withStore || rnd.nextBoolean();
      if (withStore && settled) stats.flush();
      for (int q = 0; q < 3; q++) {
        UsageQuery query = randomQuery(rnd, now, zone, g, prices == null ? null : prices.book);
        if (pricing != 2) query = withoutBook(query);
        UsageReport r = stats.query(query);
        Instant from = query.from();
        Instant to = query.to();
        ReferenceModel.Expected want = ref.expect(query, from, to, g, prices);
        LatencyReference.check(r, query, ref.events());
        if (rnd.nextInt(4) == 0) {
          SeriesView lv = LatencyReference.VIEWS.get(rnd.nextInt(LatencyReference.VIEWS.size()));
          LatencyReference.checkView(stats.query(LatencyReference.withView(query, lv)), r, lv);
        }
        assertThat(r.granularity()).isEqualTo(g);
        assertThat(r.from()).isEqualTo(want.from());
        assertThat(r.to()).isEqualTo(want.to());
        assertThat(r.buckets()).isEqualTo(want.buckets());
        assertThat(r.totals()).isEqualTo(want.totals());
        if (settled) {
          assertThat(withoutCost(r.series())).isEqualTo(want.series());
          assertThat(r.peaks()).isEqualTo(want.peaks());
        } else {
          assertThat(withoutPeaks(r.series())).isEqualTo(withoutPeaks(want.series()));
        }
        long[] exact = ref.exactPeak(query, r.from(), r.to());
        if (r.peaks().accuracy() == PeakAccuracy.EXACT && settled) {
          assertThat(new long[] {r.peaks().callsPerMinute(), r.peaks().tokensPerMinute()})
              .containsExactly(exact);
        } else if (settled) {
          assertThat(r.peaks().callsPerMinute()).isGreaterThanOrEqualTo(exact[0]);
          assertThat(r.peaks().tokensPerMinute()).isGreaterThanOrEqualTo(exact[1]);
        }
        assertThat(r.distribution().stream().map(DifferentialPropertyTest::withoutCost).toList())
            .isEqualTo(want.distribution());
        if (prices == null) {
          assertThat(r.cost()).isNull();
        } else {
          checkCost(r, want.cost());
        }
        assertThat(r.asOf()).isEqualTo(now);
        assertThat(r.zone()).isEqualTo(zone);
        assertThat(r.view()).isEqualTo(query.view());
      }
    }
  }

  /** The series with their peaks (and a peak view's values) left out. */
  static List<List<Object>> withoutPeaks(List<TrendSeries> series) {
    List<List<Object>> out = new java.util.ArrayList<>();
    for (TrendSeries s : series) {
      List<Object> points = new java.util.ArrayList<>();
      for (TrendPoint p : s.points()) {
        points.add(List.of(p.start(), p.calls(), p.inputTokens(), p.outputTokens()));
      }
      out.add(java.util.Arrays.asList(s.apiKey(), s.model(), points));
    }
    return out;
  }

  private static void checkCost(UsageReport r, ReferenceModel.Cost want) {
    CostReport cost = r.cost();
    assertThat(cost).isNotNull();
    assertThat(cost.total()).isEqualByComparingTo(want.total());
    assertThat(cost.buckets()).hasSameSizeAs(want.buckets());
    for (int i = 0; i < want.buckets().size(); i++) {
      assertThat(cost.buckets().get(i)).isEqualByComparingTo(want.buckets().get(i));
    }
    for (TrendSeries s : r.series()) {
      BigDecimal[] expected = want.groups().get(s.label());
      for (int i = 0; i < s.points().size(); i++) {
        BigDecimal got = s.points().get(i).cost();
        if (expected == null) assertThat(got).as(s.label()).isNull();
        else assertThat(got).as(s.label()).isEqualByComparingTo(expected[i]);
      }
    }
    for (ModelShare m : r.distribution()) {
      BigDecimal expected = want.models().get(m.model());
      if (expected == null) {
        assertThat(m.cost()).as(m.model()).isNull();
      } else {
        assertThat(m.cost()).as(m.model()).isEqualByComparingTo(expected);
      }
    }
    assertThat(cost.unpricedModels()).isEqualTo(want.unpriced());
    // The lines add up to the total, and priced plus unpriced usage to the report's totals.
    BigDecimal sum = BigDecimal.ZERO;
    UsageTotals usage = UsageTotals.empty();
    for (CostLine l : cost.lines()) {
      sum = sum.add(l.cost());
      usage = usage.plus(l.totals());
    }
    for (UnpricedUsage u : cost.unpriced()) usage = usage.plus(u.totals());
    assertThat(sum).isEqualByComparingTo(want.total());
    assertThat(usage).isEqualTo(r.totals());
  }

  private static List<TrendSeries> withoutCost(List<TrendSeries> series) {
    return series.stream()
        .map(
            s ->
                new TrendSeries(
                    s.apiKey(),
                    s.model(),
                    s.points().stream()
                        .map(
                            p ->
                                new TrendPoint(
                                    p.start(),
                                    p.calls(),
                                    p.inputTokens(),
                                    p.outputTokens(),
                                    p.value(),
                                    p.peakCallsPerMinute(),
                                    p.peakTokensPerMinute()))
                        .toList(),
                    s.peaks()))
        .toList();
  }

  private static ModelShare withoutCost(ModelShare m) {
    return new ModelShare(m.model(), m.totals(), m.tokenShare(), m.callShare());
  }

  private static UsageQuery withoutBook(UsageQuery q) {
    return new UsageQuery(
        q.from(),
        q.to(),
        q.zone(),
        q.granularity(),
        q.tenant(),
        q.apiKeys(),
        q.models(),
        q.groupBy(),
        q.view());
  }

  static UsageEvent randomEvent(Random rnd, Instant clockNow) {
    Instant ts = clockNow;
    if (rnd.nextInt(3) == 0) {
      // late: up to 30 hours before the clock (within retention)
      ts = clockNow.minusMillis((long) (rnd.nextDouble() * Duration.ofHours(30).toMillis()));
    }
    long in = rnd.nextInt(5) == 0 ? 0 : rnd.nextInt(100_000);
    long out = rnd.nextInt(20_000);
    long cached = in == 0 ? 0 : rnd.nextLong(in + 1);
    long cacheCreation = rnd.nextInt(3) == 0 ? rnd.nextLong(in - cached + 1) : 0;
    // Latency on two events in three, a time to first token on half of those; nanoseconds, so the
    // truncation to milliseconds is exercised too.
    Duration duration = null;
    Duration firstToken = null;
    if (rnd.nextInt(3) != 0) {
      long nanos = (long) (Math.exp(rnd.nextGaussian() * 1.2 + 20.5)) % 3_600_000_000_000L;
      duration = Duration.ofNanos(nanos);
      if (rnd.nextBoolean()) firstToken = Duration.ofNanos((long) (nanos * rnd.nextDouble()));
    } else if (rnd.nextInt(10) == 0) {
      firstToken = Duration.ofNanos(rnd.nextLong(5_000_000_000L));
    }
    return new UsageEvent(
        ts,
        TENANTS[rnd.nextInt(TENANTS.length)],
        KEYS[rnd.nextInt(KEYS.length)],
        MODELS[rnd.nextInt(MODELS.length)],
        in,
        out,
        cached,
        cacheCreation,
        out == 0 ? 0 : rnd.nextLong(out + 1),
        rnd.nextInt(10) == 0 ? Outcome.ERROR : Outcome.SUCCESS,
        duration,
        firstToken);
  }

  static UsageQuery randomQuery(Random rnd, Instant now, ZoneId zone, Granularity g) {
    return randomQuery(rnd, now, zone, g, null);
  }

  static UsageQuery randomQuery(
      Random rnd, Instant now, ZoneId zone, Granularity g, PriceBook book) {
    UsageQuery.Builder b = UsageQuery.builder().zone(zone).granularity(g);
    if (book != null) b.priceBook(book);
    long maxSpan =
        g == Granularity.MINUTE ? Duration.ofHours(30).toMillis() : Duration.ofDays(13).toMillis();
    if (g != Granularity.MINUTE && rnd.nextBoolean()) {
      LocalDate today = LocalDate.ofInstant(now, zone);
      LocalDate first = today.minusDays(rnd.nextInt(13));
      LocalDate last =
          first.plusDays(rnd.nextInt((int) (today.toEpochDay() - first.toEpochDay()) + 1));
      b.days(first, last);
    } else {
      long earliest = now.toEpochMilli() - maxSpan;
      long from = earliest + (long) (rnd.nextDouble() * maxSpan);
      long to = from + 1 + (long) (rnd.nextDouble() * (now.toEpochMilli() + 3_600_000L - from));
      b.from(Instant.ofEpochMilli(from)).to(Instant.ofEpochMilli(to));
    }
    if (rnd.nextInt(4) == 0) b.tenant(TENANTS[rnd.nextInt(TENANTS.length)]);
    if (rnd.nextInt(3) == 0) b.apiKey(KEYS[rnd.nextInt(KEYS.length)]);
    if (rnd.nextInt(5) == 0) b.apiKey(KEYS[rnd.nextInt(KEYS.length)]);
    if (rnd.nextInt(3) == 0) b.model(MODELS[rnd.nextInt(MODELS.length)]);
    b.groupBy(GroupBy.values()[rnd.nextInt(GroupBy.values().length)]);
    // latency views are checked apart (LatencyReference), against the raw latencies
    int views = book == null ? SeriesView.COST.ordinal() : SeriesView.COST.ordinal() + 1;
    b.view(SeriesView.values()[rnd.nextInt(views)]);
    return b.build();
  }
}
