package dev.usagestats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.Granularity;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * {@link BucketPlan} in any zone and any year from 1900 to 2100 (local mean times with second
 * offsets, wartime double summer time, zones that changed their standard offset), from and to
 * anywhere. Beyond the 2024 table of {@link BucketPlanTest}, this checks what holds in every era:
 * half-open increasing buckets that cover the range; day, week and month buckets starting at the
 * first instant of their date; and hour buckets inside which neither the local hour nor the offset
 * changes, ending exactly where one of them does. The 15-minute grid is not checked: local mean
 * time offsets are not on it.
 *
 * <p>Ranges holding a date the zone skipped (Samoa 2011-12-30) are assumed away: see the disabled
 * {@link BucketPlanTest} case.
 */
class BucketPlanPropertyTest {
  private static final List<String> ZONES =
      List.copyOf(new TreeSet<>(ZoneId.getAvailableZoneIds()));

  @Provide
  Arbitrary<String> zones() {
    return Arbitraries.of(ZONES);
  }

  @Provide
  Arbitrary<Granularity> calendar() {
    return Arbitraries.of(Granularity.HOUR, Granularity.DAY, Granularity.WEEK, Granularity.MONTH);
  }

  @Property(tries = 400)
  void of_anyZoneYearAndRange_bucketsAreWellFormed(
      @ForAll("zones") String id,
      @ForAll @IntRange(min = 1900, max = 2100) int year,
      @ForAll("calendar") Granularity g,
      @ForAll @LongRange(min = 0, max = 366L * 86_400_000L) long offset,
      @ForAll @LongRange(min = 1, max = 90L * 86_400_000L) long length) {
    ZoneId zone = ZoneId.of(id);
    long span = g == Granularity.HOUR ? length / 30 + 1 : length;
    Instant from = Instant.ofEpochMilli(yearStartUtc(year) + offset);
    Instant to = from.plusMillis(span);
    Assume.that(!skipsADate(zone, from, to));

    BucketPlan plan = BucketPlan.of(from, to, zone, g);
    List<String> problems = new ArrayList<>();
    long[] b = plan.bounds;
    if (!(b[0] <= from.toEpochMilli() && from.toEpochMilli() < b[1])) problems.add("from");
    if (!(b[b.length - 2] < to.toEpochMilli() && to.toEpochMilli() <= b[b.length - 1])) {
      problems.add("to");
    }
    for (int i = 0; i + 1 < b.length; i++) {
      if (b[i] >= b[i + 1]) {
        problems.add("not increasing at " + Instant.ofEpochMilli(b[i]));
        continue;
      }
      if (plan.bucketOf(b[i]) != i || plan.bucketOf(b[i + 1] - 1) != i) {
        problems.add("bucket " + i + " not half-open");
      }
      if (g == Granularity.HOUR) {
        checkHour(zone.getRules(), b[i], b[i + 1], problems);
      } else {
        checkDate(zone, g, b[i], b[i + 1], problems);
      }
    }
    assertThat(problems).as("%s %s [%s, %s)", zone, g, from, to).isEmpty();
  }

  /**
   * Inside [start, end) the offset and the local hour stay the same, and at start one of them
   * changed.
   */
  private static void checkHour(ZoneRules rules, long start, long end, List<String> problems) {
    Instant s = Instant.ofEpochMilli(start);
    Instant last = Instant.ofEpochMilli(end - 1);
    ZoneOffset offset = rules.getOffset(s);
    ZoneOffsetTransition next = rules.nextTransition(s);
    if (next != null && next.getInstant().isBefore(Instant.ofEpochMilli(end))) {
      problems.add("offset changes inside " + s + ": " + next);
    }
    LocalDateTime hour = localHour(s, offset);
    if (!localHour(last, offset).equals(hour)) problems.add("local hour changes inside " + s);
    Instant before = Instant.ofEpochMilli(start - 1);
    ZoneOffset offsetBefore = rules.getOffset(before);
    if (offsetBefore.equals(offset) && localHour(before, offsetBefore).equals(hour)) {
      problems.add("nothing changes at " + s);
    }
  }

  private static void checkDate(
      ZoneId zone, Granularity g, long start, long end, List<String> problems) {
    LocalDate d = LocalDate.ofInstant(Instant.ofEpochMilli(start), zone);
    LocalDate next = LocalDate.ofInstant(Instant.ofEpochMilli(end), zone);
    if (!LocalDate.ofInstant(Instant.ofEpochMilli(start - 1), zone).isBefore(d)) {
      problems.add(Instant.ofEpochMilli(start) + " is not the first instant of " + d);
    }
    LocalDate expectedNext =
        switch (g) {
          case WEEK -> d.plusWeeks(1);
          case MONTH -> d.plusMonths(1);
          default -> d.plusDays(1);
        };
    if (!next.equals(expectedNext)) problems.add(d + " bucket ends at " + next);
    if (g == Granularity.WEEK && d.getDayOfWeek() != DayOfWeek.MONDAY) problems.add("week " + d);
    if (g == Granularity.MONTH && d.getDayOfMonth() != 1) problems.add("month " + d);
  }

  private static LocalDateTime localHour(Instant t, ZoneOffset offset) {
    return LocalDateTime.ofInstant(t, offset).truncatedTo(ChronoUnit.HOURS);
  }

  private static long yearStartUtc(int year) {
    return LocalDate.of(year, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /** Whether a date near the range has no instant of its own in the zone. */
  private static boolean skipsADate(ZoneId zone, Instant from, Instant to) {
    LocalDate first = LocalDate.ofInstant(from, ZoneOffset.UTC).minusDays(40);
    LocalDate last = LocalDate.ofInstant(to, ZoneOffset.UTC).plusDays(40);
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      if (!LocalDate.ofInstant(d.atStartOfDay(zone).toInstant(), zone).equals(d)) return true;
    }
    return false;
  }
}
