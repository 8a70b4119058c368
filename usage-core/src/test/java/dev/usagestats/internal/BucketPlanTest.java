package dev.usagestats.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.Granularity;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link BucketPlan} against a naive {@code java.time} reference, in every zone of the tz database
 * (hours once per distinct rules) over one year (2024: every zone's transitions of that year, the
 * 30-minute DST of Lord Howe, the 45-minute offsets of Kathmandu, Eucla and Chatham).
 *
 * <p>The reference for days, weeks and months is {@link LocalDate#atStartOfDay(ZoneId)} stepped by
 * date, and each bound is also checked to be the first instant of its date. The reference for hours
 * steps minute by minute with {@link ZonedDateTime}: a bucket ends wherever the local hour or the
 * offset changes. Minute stepping covers the days around each transition and a sample of others;
 * every other day is checked to be 24 whole hours from its start.
 *
 * <p>Checks in loops collect problems in a list, asserted once, so a failure names every bad zone.
 */
class BucketPlanTest {
  private static final int YEAR = 2024;
  private static final long MINUTE_MS = 60_000L;
  private static final long QUARTER_MS = 15 * MINUTE_MS;
  private static final long HOUR_MS = 60 * MINUTE_MS;
  private static final List<ZoneId> ZONES =
      new TreeSet<>(ZoneId.getAvailableZoneIds()).stream().map(ZoneId::of).toList();

  /**
   * One zone per distinct {@link ZoneRules} (603 ids have 344 in JDK 17's tz data): a plan depends
   * on the zone's rules only, so the hour checks, the costly ones, run once per rules.
   */
  private static final List<ZoneId> DISTINCT_RULES =
      List.copyOf(
          ZONES.stream()
              .collect(Collectors.toMap(ZoneId::getRules, z -> z, (a, b) -> a, LinkedHashMap::new))
              .values());

  /** Plans of the whole of YEAR, by zone and granularity: several tests read them. */
  private static final Map<List<Object>, BucketPlan> YEAR_PLANS = new ConcurrentHashMap<>();

  private static BucketPlan yearPlan(ZoneId zone, Granularity g) {
    return YEAR_PLANS.computeIfAbsent(
        List.of(zone, g),
        k -> BucketPlan.of(yearStart(zone, YEAR), yearStart(zone, YEAR + 1), zone, g));
  }

  private static Instant yearStart(ZoneId zone, int year) {
    return LocalDate.of(year, 1, 1).atStartOfDay(zone).toInstant();
  }

  @Test
  void of_everyZoneDayWeekMonth_boundsAreLocalStarts() {
    List<String> problems = new ArrayList<>();
    for (ZoneId zone : ZONES) {
      Instant from = yearStart(zone, YEAR);
      Instant to = yearStart(zone, YEAR + 1);
      for (Granularity g : List.of(Granularity.DAY, Granularity.WEEK, Granularity.MONTH)) {
        BucketPlan plan = yearPlan(zone, g);
        String label = zone + " " + g;
        checkPlan(plan, from, to, label, problems);
        List<LocalDate> dates = referenceDates(from, to, zone, g);
        long[] expected = dates.stream().mapToLong(d -> startOf(d, zone)).toArray();
        if (!Arrays.equals(plan.bounds, expected)) {
          problems.add(label + ": bounds differ from the reference");
          continue;
        }
        for (int i = 0; i < dates.size(); i++) {
          LocalDate d = dates.get(i);
          long b = plan.bounds[i];
          if (!LocalDate.ofInstant(Instant.ofEpochMilli(b), zone).equals(d)
              || !LocalDate.ofInstant(Instant.ofEpochMilli(b - 1), zone).isBefore(d)) {
            problems.add(label + ": " + Instant.ofEpochMilli(b) + " is not the first of " + d);
          }
          if (g == Granularity.WEEK && d.getDayOfWeek() != DayOfWeek.MONDAY) {
            problems.add(label + ": week starts on " + d);
          }
          if (g == Granularity.MONTH && d.getDayOfMonth() != 1) {
            problems.add(label + ": month starts on " + d);
          }
        }
      }
      int days = yearPlan(zone, Granularity.DAY).size();
      if (days != 366) problems.add(zone + ": " + days + " days in " + YEAR);
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void of_everyZoneHour_boundsAreWhereLocalHourOrOffsetChanges() {
    List<String> problems = new ArrayList<>();
    int steppedDays = 0;
    int transitionDays = 0;
    for (ZoneId zone : DISTINCT_RULES) {
      ZoneRules rules = zone.getRules();
      Instant from = yearStart(zone, YEAR);
      Instant to = yearStart(zone, YEAR + 1);
      BucketPlan plan = yearPlan(zone, Granularity.HOUR);
      checkPlan(plan, from, to, zone + " HOUR", problems);
      long[] days = yearPlan(zone, Granularity.DAY).bounds;
      SplittableRandom random = new SplittableRandom(zone.getId().hashCode());
      int sample = random.nextInt(days.length - 1);
      for (int d = 0; d + 1 < days.length; d++) {
        long dayStart = days[d];
        long dayEnd = days[d + 1];
        int first = Arrays.binarySearch(plan.bounds, dayStart);
        int last = Arrays.binarySearch(plan.bounds, dayEnd);
        if (first < 0 || last < 0) {
          problems.add(zone + ": day starting " + Instant.ofEpochMilli(dayStart) + " not on hours");
          continue;
        }
        long[] actual = Arrays.copyOfRange(plan.bounds, first, last + 1);
        boolean transition = hasTransition(rules, dayStart - HOUR_MS, dayEnd + HOUR_MS);
        if (transition) transitionDays++;
        if (transition || d == sample) {
          steppedDays++;
          long[] expected = referenceHours(dayStart, dayEnd, zone);
          if (!Arrays.equals(actual, expected)) {
            problems.add(
                zone
                    + ": hours of the day starting "
                    + Instant.ofEpochMilli(dayStart)
                    + " are "
                    + instants(actual)
                    + ", expected "
                    + instants(expected));
          }
        } else {
          long[] expected = new long[25];
          for (int h = 0; h <= 24; h++) expected[h] = dayStart + h * HOUR_MS;
          if (!Arrays.equals(actual, expected)) {
            problems.add(zone + ": day without transition " + Instant.ofEpochMilli(dayStart));
          }
        }
      }
    }
    assertThat(problems).isEmpty();
    // The year has transitions in a good part of the tz database, so the stepping saw them.
    assertThat(transitionDays).isGreaterThan(100); // 245 with JDK 17's tz data
    assertThat(steppedDays).isGreaterThan(transitionDays);
  }

  @Test
  void of_partRangesInEveryZone_widenToTheYearPlansBuckets() {
    List<String> problems = new ArrayList<>();
    for (ZoneId zone : DISTINCT_RULES) {
      Instant from = yearStart(zone, YEAR);
      Instant to = yearStart(zone, YEAR + 1);
      SplittableRandom random = new SplittableRandom(zone.getId().hashCode() * 31L);
      for (Granularity g :
          List.of(Granularity.HOUR, Granularity.DAY, Granularity.WEEK, Granularity.MONTH)) {
        BucketPlan year = yearPlan(zone, g);
        long span = to.toEpochMilli() - from.toEpochMilli();
        for (int i = 0; i < 2; i++) {
          long a = from.toEpochMilli() + random.nextLong(span / 2);
          long b = a + 1 + random.nextLong(span / 2 - 1);
          BucketPlan part =
              BucketPlan.of(Instant.ofEpochMilli(a), Instant.ofEpochMilli(b), zone, g);
          String label = zone + " " + g + " [" + a + ", " + b + ")";
          checkPlan(part, Instant.ofEpochMilli(a), Instant.ofEpochMilli(b), label, problems);
          int firstBucket = year.bucketOf(a);
          int lastBucket = year.bucketOf(b - 1);
          if (firstBucket < 0 || lastBucket < 0) continue; // a week or month reaching outside
          long[] expected = Arrays.copyOfRange(year.bounds, firstBucket, lastBucket + 2);
          if (!Arrays.equals(part.bounds, expected)) problems.add(label + ": not the year's");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void of_dstDays_haveTwentyThreeOrTwentyFiveHours() {
    assertThat(hoursOfDay("America/New_York", 2024, 3, 10)).isEqualTo(23);
    assertThat(hoursOfDay("America/New_York", 2024, 11, 3)).isEqualTo(25);
    assertThat(hoursOfDay("Europe/Berlin", 2024, 3, 31)).isEqualTo(23);
    assertThat(hoursOfDay("Europe/Berlin", 2024, 10, 27)).isEqualTo(25);
    assertThat(hoursOfDay("Europe/Berlin", 2024, 10, 28)).isEqualTo(24);
  }

  @Test
  void of_chatham_changeMidHourSplitsThatHour() {
    ZoneId zone = ZoneId.of("Pacific/Chatham");
    // 2024-04-07 03:45 +13:45 -> 02:45 +12:45: local 03:00-03:45, then 02:45-03:00 again
    long[] autumn = dayPlan(zone, LocalDate.of(2024, 4, 7)).bounds;
    assertThat(autumn[autumn.length - 1] - autumn[0]).isEqualTo(25 * HOUR_MS);
    assertThat(autumn).hasSize(26 + 1);
    assertThat(lengths(autumn).subList(2, 6))
        .containsExactly(HOUR_MS, 45 * MINUTE_MS, 15 * MINUTE_MS, HOUR_MS);
    // 2024-09-29 02:45 +12:45 -> 03:45 +13:45: local 02:00-02:45, then 03:45-04:00
    long[] spring = dayPlan(zone, LocalDate.of(2024, 9, 29)).bounds;
    assertThat(spring[spring.length - 1] - spring[0]).isEqualTo(23 * HOUR_MS);
    assertThat(spring).hasSize(24 + 1);
    assertThat(lengths(spring).subList(1, 5))
        .containsExactly(HOUR_MS, 45 * MINUTE_MS, 15 * MINUTE_MS, HOUR_MS);
  }

  @Test
  void of_lordHowe_thirtyMinuteDstGivesOneHalfHourBucket() {
    ZoneId zone = ZoneId.of("Australia/Lord_Howe");
    // DST ends 2024-04-07 02:00 +11 -> 01:30 +10:30; starts 2024-10-06 02:00 +10:30 -> 02:30 +11
    long[] autumn = dayPlan(zone, LocalDate.of(2024, 4, 7)).bounds;
    long[] spring = dayPlan(zone, LocalDate.of(2024, 10, 6)).bounds;
    assertThat(autumn).hasSize(25 + 1);
    assertThat(spring).hasSize(24 + 1);
    assertThat(autumn[autumn.length - 1] - autumn[0]).isEqualTo(24 * HOUR_MS + 30 * MINUTE_MS);
    assertThat(spring[spring.length - 1] - spring[0]).isEqualTo(23 * HOUR_MS + 30 * MINUTE_MS);
    assertThat(lengths(autumn))
        .containsOnly(HOUR_MS, 30 * MINUTE_MS)
        .containsOnlyOnce(30 * MINUTE_MS);
    assertThat(lengths(spring))
        .containsOnly(HOUR_MS, 30 * MINUTE_MS)
        .containsOnlyOnce(30 * MINUTE_MS);
    assertThat(Instant.ofEpochMilli(spring[2]).atZone(zone).toLocalTime()).hasToString("02:30");
  }

  @Test
  void of_quarterAndHalfHourZones_hoursStartOffTheUtcHour() {
    assertThat(hourStartsUtcMinute("Asia/Kathmandu")).containsOnly(15L); // +05:45
    assertThat(hourStartsUtcMinute("Australia/Eucla")).containsOnly(15L); // +08:45
    assertThat(hourStartsUtcMinute("Asia/Kolkata")).containsOnly(30L); // +05:30
    // +12:45 and +13:45: local hours at :15 UTC, and both changes fall at 14:00 UTC mid-hour
    assertThat(hourStartsUtcMinute("Pacific/Chatham")).containsOnly(0L, 15L);
    assertThat(hourStartsUtcMinute("America/St_Johns")).containsOnly(30L); // -03:30, -02:30
    assertThat(hourStartsUtcMinute("Australia/Lord_Howe")).containsOnly(0L, 30L);
    assertThat(hourStartsUtcMinute("UTC")).containsOnly(0L);
  }

  @Test
  void of_minute_isUtcMinutesWhateverTheZone() {
    Instant from = Instant.parse("2024-06-01T10:07:31.250Z");
    Instant to = Instant.parse("2024-06-01T13:02:00.001Z");
    for (String id : List.of("UTC", "Asia/Kathmandu", "Australia/Lord_Howe", "America/St_Johns")) {
      BucketPlan plan = BucketPlan.of(from, to, ZoneId.of(id), Granularity.MINUTE);
      long first = Instant.parse("2024-06-01T10:07:00Z").toEpochMilli();
      long last = Instant.parse("2024-06-01T13:03:00Z").toEpochMilli();
      assertThat(plan.size()).isEqualTo((int) ((last - first) / MINUTE_MS));
      for (int i = 0; i <= plan.size(); i++) {
        assertThat(plan.bounds[i]).isEqualTo(first + i * MINUTE_MS);
      }
      List<String> problems = new ArrayList<>();
      checkPlan(plan, from, to, id, problems);
      assertThat(problems).isEmpty();
    }
    BucketPlan exact =
        BucketPlan.of(
            Instant.parse("2024-06-01T10:07:00Z"),
            Instant.parse("2024-06-01T10:09:00Z"),
            ZoneId.of("Asia/Kathmandu"),
            Granularity.MINUTE);
    assertThat(exact.size()).isEqualTo(2);
  }

  @Test
  void of_rangeOverMaxBuckets_isRefusedNamingTheLimit() {
    Instant from = Instant.parse("2024-01-01T00:00:00Z");
    Instant minuteLimit = from.plus(Duration.ofMinutes(BucketPlan.MAX_BUCKETS));
    assertThat(BucketPlan.of(from, minuteLimit, ZoneId.of("UTC"), Granularity.MINUTE).size())
        .isEqualTo(BucketPlan.MAX_BUCKETS);
    assertThatThrownBy(
            () ->
                BucketPlan.of(
                    from, minuteLimit.plusMillis(1), ZoneId.of("UTC"), Granularity.MINUTE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("range must have at most 200000 MINUTE buckets");

    Instant hourLimit = from.plus(Duration.ofHours(BucketPlan.MAX_BUCKETS));
    assertThat(BucketPlan.of(from, hourLimit, ZoneId.of("UTC"), Granularity.HOUR).size())
        .isEqualTo(BucketPlan.MAX_BUCKETS);
    assertThatThrownBy(
            () ->
                BucketPlan.of(
                    from, hourLimit.plusMillis(1), ZoneId.of("Europe/Berlin"), Granularity.HOUR))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("range must have at most 200000 HOUR buckets");

    Instant farAway = LocalDate.of(2024 + 600, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
    assertThatThrownBy(() -> BucketPlan.of(from, farAway, ZoneId.of("UTC"), Granularity.DAY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("range must have at most 200000 DAY buckets");
  }

  @Test
  void of_auto_isRefused() {
    Instant from = Instant.parse("2024-01-01T00:00:00Z");
    assertThatThrownBy(
            () -> BucketPlan.of(from, from.plusSeconds(60), ZoneId.of("UTC"), Granularity.AUTO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("granularity must be resolved: AUTO");
  }

  @Test
  void bucketOf_boundsAreHalfOpen() {
    ZoneId zone = ZoneId.of("America/New_York");
    BucketPlan plan = dayPlan(zone, LocalDate.of(2024, 11, 3));
    assertThat(plan.bucketOf(plan.from() - 1)).isEqualTo(-1);
    assertThat(plan.bucketOf(plan.from())).isZero();
    assertThat(plan.bucketOf(plan.bounds[1] - 1)).isZero();
    assertThat(plan.bucketOf(plan.bounds[1])).isEqualTo(1);
    assertThat(plan.bucketOf(plan.to() - 1)).isEqualTo(plan.size() - 1);
    assertThat(plan.bucketOf(plan.to())).isEqualTo(-1);
  }

  /**
   * Samoa skipped 2011-12-30: 2011-12-29T24:00-10:00 was 2011-12-31T00:00+14:00. A day plan over
   * that week should have six buckets, strictly increasing, each holding its own start.
   */
  @Test
  void of_dateSkippedByTheZone_hasNoEmptyBucket() {
    ZoneId zone = ZoneId.of("Pacific/Apia");
    Instant from = LocalDate.of(2011, 12, 27).atStartOfDay(zone).toInstant();
    Instant to = LocalDate.of(2012, 1, 3).atStartOfDay(zone).toInstant();
    BucketPlan plan = BucketPlan.of(from, to, zone, Granularity.DAY);
    List<String> problems = new ArrayList<>();
    checkPlan(plan, from, to, "Pacific/Apia DAY", problems);
    assertThat(problems).isEmpty();
    assertThat(plan.size()).isEqualTo(6);
  }

  // ---- reference and checks

  /** Half-open, contiguous, widened to whole buckets, on the 15-minute grid (UTC minutes). */
  private static void checkPlan(
      BucketPlan plan, Instant from, Instant to, String label, List<String> problems) {
    long[] b = plan.bounds;
    if (b.length < 2 || plan.size() != b.length - 1) {
      problems.add(label + ": " + b.length + " bounds");
      return;
    }
    long grid = plan.granularity == Granularity.MINUTE ? MINUTE_MS : QUARTER_MS;
    for (int i = 0; i < b.length; i++) {
      if (Math.floorMod(b[i], grid) != 0) {
        problems.add(
            label + ": bound " + Instant.ofEpochMilli(b[i]) + " off the " + grid + " grid");
      }
      if (i + 1 < b.length) {
        if (b[i] >= b[i + 1]) {
          problems.add(label + ": bounds not increasing at " + Instant.ofEpochMilli(b[i]));
          continue;
        }
        if (plan.bucketOf(b[i]) != i || plan.bucketOf(b[i + 1] - 1) != i) {
          problems.add(label + ": bucket " + i + " is not [" + b[i] + ", " + b[i + 1] + ")");
        }
      }
    }
    long f = from.toEpochMilli();
    long t = to.toEpochMilli();
    if (!(b[0] <= f && f < b[1])) problems.add(label + ": first bucket does not hold from");
    if (!(b[b.length - 2] < t && t <= b[b.length - 1])) {
      problems.add(label + ": last bucket does not hold the end");
    }
    if (plan.from() != b[0] || plan.to() != b[b.length - 1]) problems.add(label + ": from/to");
    if (plan.bucketOf(b[0] - 1) != -1 || plan.bucketOf(b[b.length - 1]) != -1) {
      problems.add(label + ": bucketOf outside the plan");
    }
  }

  /** The first date of each bucket, stepping dates from the bucket holding {@code from}. */
  private static List<LocalDate> referenceDates(
      Instant from, Instant to, ZoneId zone, Granularity g) {
    LocalDate d = LocalDate.ofInstant(from, zone);
    if (g == Granularity.WEEK) d = d.minusDays(d.getDayOfWeek().getValue() - 1);
    if (g == Granularity.MONTH) d = d.withDayOfMonth(1);
    List<LocalDate> dates = new ArrayList<>();
    dates.add(d);
    while (startOf(d, zone) < to.toEpochMilli()) {
      d =
          switch (g) {
            case WEEK -> d.plusWeeks(1);
            case MONTH -> d.plusMonths(1);
            default -> d.plusDays(1);
          };
      dates.add(d);
    }
    return dates;
  }

  private static long startOf(LocalDate d, ZoneId zone) {
    return d.atStartOfDay(zone).toInstant().toEpochMilli();
  }

  private record HourKey(LocalDateTime hour, ZoneOffset offset) {
    static HourKey of(long millis, ZoneId zone) {
      ZonedDateTime z = Instant.ofEpochMilli(millis).atZone(zone);
      return new HourKey(z.toLocalDateTime().truncatedTo(ChronoUnit.HOURS), z.getOffset());
    }
  }

  /** Hour bounds of [dayStart, dayEnd): every minute where the (local hour, offset) changes. */
  private static long[] referenceHours(long dayStart, long dayEnd, ZoneId zone) {
    List<Long> bounds = new ArrayList<>();
    bounds.add(dayStart);
    HourKey previous = HourKey.of(dayStart, zone);
    for (long t = dayStart + MINUTE_MS; t < dayEnd; t += MINUTE_MS) {
      HourKey k = HourKey.of(t, zone);
      if (!k.equals(previous)) bounds.add(t);
      previous = k;
    }
    bounds.add(dayEnd);
    return bounds.stream().mapToLong(Long::longValue).toArray();
  }

  private static boolean hasTransition(ZoneRules rules, long from, long to) {
    ZoneOffsetTransition next = rules.nextTransition(Instant.ofEpochMilli(from));
    return next != null && next.getInstant().toEpochMilli() <= to;
  }

  private static BucketPlan dayPlan(ZoneId zone, LocalDate day) {
    return BucketPlan.of(
        day.atStartOfDay(zone).toInstant(),
        day.plusDays(1).atStartOfDay(zone).toInstant(),
        zone,
        Granularity.HOUR);
  }

  private static int hoursOfDay(String zone, int year, int month, int day) {
    return dayPlan(ZoneId.of(zone), LocalDate.of(year, month, day)).size();
  }

  private static List<Long> lengths(long[] bounds) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i + 1 < bounds.length; i++) out.add(bounds[i + 1] - bounds[i]);
    return out;
  }

  /** The UTC minute-of-hour of every hour bound of YEAR in the zone. */
  private static TreeSet<Long> hourStartsUtcMinute(String id) {
    ZoneId zone = ZoneId.of(id);
    BucketPlan plan =
        BucketPlan.of(yearStart(zone, YEAR), yearStart(zone, YEAR + 1), zone, Granularity.HOUR);
    TreeSet<Long> minutes = new TreeSet<>();
    for (long b : plan.bounds) minutes.add(Math.floorMod(b, HOUR_MS) / MINUTE_MS);
    return minutes;
  }

  private static List<Instant> instants(long[] millis) {
    return Arrays.stream(millis).mapToObj(Instant::ofEpochMilli).toList();
  }
}
