package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.usagestats.PlanningReport.PeriodUsage;
import dev.usagestats.PlanningReport.Row;
import dev.usagestats.PlanningReport.Status;
import dev.usagestats.testing.TestClock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The planning report: a hand-built week against the week before, in New York over the spring DST
 * change, with a model that appears and one that disappears; and random traffic over weeks and
 * months in odd-offset zones against a reference built from the events with java.time.
 */
class PlanningReportTest {
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  private static UsageEvent at(String instant, String key, String model, long in, long out) {
    return UsageEvent.of(Instant.parse(instant), "acme", key, model, in, out);
  }

  /**
   * ISO week 2026-03-02..08 in New York holds the spring change (Sunday 8 March, 02:00 EST becomes
   * 03:00 EDT): 167 hours, from 05:00Z on the 2nd to 04:00Z on the 9th.
   */
  @Test
  void plan_weekOverDstChange_handBuiltFigures() {
    List<UsageEvent> events =
        List.of(
            // previous week, 2026-02-23 05:00Z .. 2026-03-02 05:00Z
            at("2026-02-24T10:00:00Z", "key-a", "old", 500, 500),
            at("2026-02-24T10:01:00Z", "key-a", "old", 500, 500),
            at("2026-02-24T10:02:00Z", "key-a", "old", 500, 500),
            at("2026-02-25T15:00:10Z", "key-a", "steady", 60, 40),
            at("2026-02-25T15:00:50Z", "key-b", "steady", 60, 40),
            at("2026-03-02T04:59:00Z", "key-a", "steady", 60, 40), // Sunday 23:59 EST
            // current week
            at("2026-03-02T05:00:00Z", "key-a", "steady", 60, 40), // Monday 00:00 EST
            at("2026-03-04T08:00:00Z", "key-c", "new", 700, 300),
            at("2026-03-05T12:00:00Z", "key-a", "steady", 60, 40),
            at("2026-03-09T03:30:05Z", "key-a", "steady", 60, 40), // Sunday 23:30 EDT
            at("2026-03-09T03:30:15Z", "key-b", "steady", 60, 40),
            at("2026-03-09T03:30:25Z", "key-c", "steady", 60, 40),
            // next week: Monday 00:30 EDT
            at("2026-03-09T04:30:00Z", "key-a", "steady", 60, 40));
    TestClock clock = TestClock.of(Instant.parse("2026-02-24T00:00:00Z"));
    try (UsageStats stats = UsageStats.builder().clock(clock).build()) {
      for (UsageEvent e : events) {
        clock.set(e.timestamp());
        stats.record(e);
      }
      clock.set(Instant.parse("2026-03-09T05:00:00Z"));
      PlanningReport plan =
          stats.plan(
              PlanningQuery.builder().zone(NEW_YORK).containing(LocalDate.of(2026, 3, 5)).build());

      assertThat(plan.previousFrom()).isEqualTo(Instant.parse("2026-02-23T05:00:00Z"));
      assertThat(plan.currentFrom()).isEqualTo(Instant.parse("2026-03-02T05:00:00Z"));
      assertThat(plan.currentTo()).isEqualTo(Instant.parse("2026-03-09T04:00:00Z"));
      Peaks exact21000 = new Peaks(2, 1000, PeakAccuracy.EXACT);
      assertThat(plan.previous()).isEqualTo(new PeriodUsage(6, 3300, exact21000));
      assertThat(plan.current())
          .isEqualTo(new PeriodUsage(6, 1500, new Peaks(3, 1000, PeakAccuracy.EXACT)));
      assertThat(plan.rows()).extracting(Row::name).containsExactly("new", "steady", "old");

      Row fresh = plan.rows().get(0);
      assertThat(fresh.status()).isEqualTo(Status.NEW);
      assertThat(fresh.rank()).isEqualTo(1);
      assertThat(fresh.previous()).isEqualTo(new PeriodUsage(0, 0, Peaks.none()));
      assertThat(fresh.current())
          .isEqualTo(new PeriodUsage(1, 1000, new Peaks(1, 1000, PeakAccuracy.EXACT)));
      assertThat(fresh.tokensChange()).isNull();
      assertThat(fresh.tokenShare()).isCloseTo(1000.0 / 1500, within(1e-12));

      Row steady = plan.rows().get(1);
      assertThat(steady.status()).isEqualTo(Status.ONGOING);
      assertThat(steady.rank()).isEqualTo(2);
      assertThat(steady.previous())
          .isEqualTo(new PeriodUsage(3, 300, new Peaks(2, 200, PeakAccuracy.EXACT)));
      assertThat(steady.current())
          .isEqualTo(new PeriodUsage(5, 500, new Peaks(3, 300, PeakAccuracy.EXACT)));
      assertThat(steady.tokensChange()).isCloseTo(200.0 / 300, within(1e-12));
      assertThat(steady.callsChange()).isCloseTo(2.0 / 3, within(1e-12));

      Row old = plan.rows().get(2);
      assertThat(old.status()).isEqualTo(Status.GONE);
      assertThat(old.rank()).isZero();
      assertThat(old.tokensChange()).isEqualTo(-1.0);
      assertThat(old.previous())
          .isEqualTo(new PeriodUsage(3, 3000, new Peaks(1, 1000, PeakAccuracy.EXACT)));
      assertThat(plan.gone()).containsExactly(old);
    }
  }

  /** Per API key with a tenant filter: a key's peak over its models is an upper bound. */
  @Test
  void plan_byApiKeyAcrossModels_peaksAreUpperBounds() {
    TestClock clock = TestClock.of(Instant.parse("2026-06-03T10:00:00Z"));
    try (UsageStats stats = UsageStats.builder().clock(clock).build()) {
      stats.record("acme", "key-a", "m1", 10, 0);
      clock.advance(Duration.ofMinutes(1));
      stats.record("acme", "key-a", "m2", 20, 0);
      PlanningReport plan =
          stats.plan(PlanningQuery.builder().groupBy(GroupBy.API_KEY).tenant("acme").build());
      Row a = plan.rows().get(0);
      assertThat(a.name()).isEqualTo("key-a");
      // minutes 10 and 20 apart: the true peak is 20 tokens, the bound adds the models' peaks
      assertThat(a.current().peaks()).isEqualTo(new Peaks(2, 30, PeakAccuracy.UPPER_BOUND));
    }
  }

  @Property(tries = 150)
  void plan_randomTraffic_equalsReferenceFromEvents(
      @ForAll @IntRange(min = 0, max = 3) int zoneIndex,
      @ForAll boolean monthly,
      @ForAll @IntRange(min = 0, max = 600) int eventCount,
      @ForAll @LongRange long seed) {
    Random rnd = new Random(seed);
    ZoneId zone =
        List.of("Asia/Kathmandu", "Asia/Kolkata", "America/New_York", "Australia/Lord_Howe")
            .stream()
            .map(ZoneId::of)
            .toList()
            .get(zoneIndex);
    PlanningQuery.Period period = monthly ? PlanningQuery.Period.MONTH : PlanningQuery.Period.WEEK;
    Instant end = Instant.parse("2026-04-08T00:00:00Z").plus(Duration.ofHours(rnd.nextInt(400)));
    long span = Duration.ofDays(monthly ? 60 : 15).toMillis();
    TestClock clock = TestClock.of(end.minusMillis(span));
    List<UsageEvent> events = new ArrayList<>();
    try (UsageStats stats =
        UsageStats.builder().clock(clock).retention(Duration.ofDays(100)).build()) {
      for (int i = 0; i < eventCount; i++) {
        clock.advance(Duration.ofMillis(rnd.nextLong(span / Math.max(1, eventCount) + 1)));
        // bursts: several events in one minute now and then
        int burst = rnd.nextInt(8) == 0 ? 1 + rnd.nextInt(5) : 1;
        for (int j = 0; j < burst; j++) {
          UsageEvent e =
              UsageEvent.of(
                  clock.instant(),
                  "t",
                  "key-" + rnd.nextInt(3),
                  // model m3 stops half-way, m4 starts half-way
                  "m" + (i < eventCount / 2 ? rnd.nextInt(4) : 1 + rnd.nextInt(4)),
                  rnd.nextInt(3_000),
                  rnd.nextInt(500));
          stats.record(e);
          events.add(e);
        }
      }
      PlanningReport plan = stats.plan(PlanningQuery.builder().zone(zone).period(period).build());
      assertThat(plan).isEqualTo(reference(events, zone, period, clock.instant(), plan.asOf()));
    }
  }

  /** The plan computed from the events with java.time, the obvious way. */
  private static PlanningReport reference(
      List<UsageEvent> events,
      ZoneId zone,
      PlanningQuery.Period period,
      Instant now,
      Instant asOf) {
    LocalDate today = LocalDate.ofInstant(now, zone);
    LocalDate start =
        period == PlanningQuery.Period.WEEK
            ? today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
            : today.withDayOfMonth(1);
    LocalDate prev =
        period == PlanningQuery.Period.WEEK ? start.minusWeeks(1) : start.minusMonths(1);
    LocalDate next = period == PlanningQuery.Period.WEEK ? start.plusWeeks(1) : start.plusMonths(1);
    Instant[] bounds = {
      prev.atStartOfDay(zone).toInstant(),
      start.atStartOfDay(zone).toInstant(),
      next.atStartOfDay(zone).toInstant()
    };
    // per name and period: calls, tokens, and per-minute sums
    Map<String, long[][]> sums = new TreeMap<>();
    Map<String, List<Map<Long, long[]>>> minutes = new HashMap<>();
    List<Map<Long, long[]>> allMinutes = List.of(new HashMap<>(), new HashMap<>());
    for (UsageEvent e : events) {
      int p = -1;
      for (int i = 0; i < 2; i++) {
        if (!e.timestamp().isBefore(bounds[i]) && e.timestamp().isBefore(bounds[i + 1])) p = i;
      }
      if (p < 0) continue;
      long tokens = e.inputTokens() + e.outputTokens();
      long[][] s = sums.computeIfAbsent(e.model(), k -> new long[2][2]);
      s[p][0]++;
      s[p][1] += tokens;
      long minute = e.timestamp().getEpochSecond() / 60;
      List<Map<Long, long[]>> m =
          minutes.computeIfAbsent(e.model(), k -> List.of(new HashMap<>(), new HashMap<>()));
      for (Map<Long, long[]> target : List.of(m.get(p), allMinutes.get(p))) {
        long[] v = target.computeIfAbsent(minute, k -> new long[2]);
        v[0]++;
        v[1] += tokens;
      }
    }
    long[] calls = new long[2];
    long[] tokens = new long[2];
    for (long[][] s : sums.values()) {
      for (int p = 0; p < 2; p++) {
        calls[p] += s[p][0];
        tokens[p] += s[p][1];
      }
    }
    List<Row> now2 = new ArrayList<>();
    List<Row> gone = new ArrayList<>();
    for (Map.Entry<String, long[][]> e : sums.entrySet()) {
      long[][] s = e.getValue();
      PeriodUsage before = new PeriodUsage(s[0][0], s[0][1], peak(minutes.get(e.getKey()).get(0)));
      PeriodUsage after = new PeriodUsage(s[1][0], s[1][1], peak(minutes.get(e.getKey()).get(1)));
      Status status = s[0][0] == 0 ? Status.NEW : s[1][0] == 0 ? Status.GONE : Status.ONGOING;
      Row r =
          new Row(
              e.getKey(),
              before,
              after,
              s[0][1] == 0 ? null : (double) (s[1][1] - s[0][1]) / s[0][1],
              s[0][0] == 0 ? null : (double) (s[1][0] - s[0][0]) / s[0][0],
              tokens[1] == 0 ? 0.0 : (double) s[1][1] / tokens[1],
              0,
              status);
      (status == Status.GONE ? gone : now2).add(r);
    }
    now2.sort(Comparator.comparingLong((Row r) -> -r.current().tokens()).thenComparing(Row::name));
    gone.sort(Comparator.comparingLong((Row r) -> -r.previous().tokens()).thenComparing(Row::name));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < now2.size(); i++) {
      Row r = now2.get(i);
      rows.add(
          new Row(
              r.name(),
              r.previous(),
              r.current(),
              r.tokensChange(),
              r.callsChange(),
              r.tokenShare(),
              i + 1,
              r.status()));
    }
    rows.addAll(gone);
    return new PlanningReport(
        zone,
        bounds[0],
        bounds[1],
        bounds[2],
        GroupBy.MODEL,
        new PeriodUsage(calls[0], tokens[0], peak(allMinutes.get(0))),
        new PeriodUsage(calls[1], tokens[1], peak(allMinutes.get(1))),
        rows,
        asOf);
  }

  private static Peaks peak(Map<Long, long[]> minutes) {
    long c = 0;
    long t = 0;
    for (long[] v : minutes.values()) {
      c = Math.max(c, v[0]);
      t = Math.max(t, v[1]);
    }
    return new Peaks(c, t, PeakAccuracy.EXACT);
  }
}
