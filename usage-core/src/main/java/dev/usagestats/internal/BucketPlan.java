package dev.usagestats.internal;

import dev.usagestats.Granularity;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Arrays;

/**
 * The buckets of a query: bounds in epoch millis, {@code bounds[i]} to {@code bounds[i+1]}.
 *
 * <p>The range is widened to whole buckets. Hour buckets end wherever the local hour or the zone
 * offset changes, so a 25-hour DST day has 25 of them, and in a zone whose offset moves by 30
 * minutes one bucket is 30 minutes long. Days, weeks (ISO, Monday) and months start at the first
 * instant of their local date. Minutes are UTC minutes. Immutable.
 */
final class BucketPlan {
  static final int MAX_BUCKETS = 200_000;

  final Granularity granularity;
  final ZoneId zone;
  final long[] bounds;

  private BucketPlan(Granularity granularity, ZoneId zone, long[] bounds) {
    this.granularity = granularity;
    this.zone = zone;
    this.bounds = bounds;
  }

  int size() {
    return bounds.length - 1;
  }

  long from() {
    return bounds[0];
  }

  long to() {
    return bounds[bounds.length - 1];
  }

  /** The bucket holding {@code millis}, or -1 if outside the plan. */
  int bucketOf(long millis) {
    if (millis < bounds[0] || millis >= bounds[bounds.length - 1]) return -1;
    int i = Arrays.binarySearch(bounds, millis);
    return i >= 0 ? i : -i - 2;
  }

  /**
   * This plan with its buckets split at each of {@code instants} (epoch millis, in order) that
   * falls strictly inside the range: the plan a priced report reads, so that no read bucket spans a
   * price change. Returns this plan if nothing splits it.
   *
   * @throws IllegalArgumentException if the split plan would have too many buckets
   */
  BucketPlan refine(long[] instants) {
    long from = from();
    long to = to();
    Growing b = new Growing();
    int i = 0;
    for (int k = 0; k < bounds.length; k++) {
      long bound = bounds[k];
      while (i < instants.length && instants[i] < bound) {
        long t = instants[i++];
        if (t > from && t < to && t != b.last()) b.add(t);
      }
      if (b.size == 0 || bound != b.last()) b.add(bound);
      checkCount(b.size - 1, granularity);
    }
    return b.size == bounds.length ? this : new BucketPlan(granularity, zone, b.toArray());
  }

  static BucketPlan of(Instant from, Instant to, ZoneId zone, Granularity granularity) {
    long[] bounds =
        switch (granularity) {
          case MINUTE -> minutes(from.toEpochMilli(), to.toEpochMilli());
          case HOUR -> hours(from, to, zone);
          case DAY, WEEK, MONTH -> dates(from, to, zone, granularity);
          case AUTO -> throw new IllegalArgumentException("granularity must be resolved: AUTO");
        };
    return new BucketPlan(granularity, zone, bounds);
  }

  private static long[] minutes(long from, long to) {
    long first = Math.floorDiv(from, 60_000L) * 60_000L;
    long last = Math.floorDiv(to - 1, 60_000L) * 60_000L + 60_000L;
    long n = (last - first) / 60_000L;
    checkCount(n, Granularity.MINUTE);
    long[] b = new long[(int) n + 1];
    for (int i = 0; i <= n; i++) b[i] = first + i * 60_000L;
    return b;
  }

  private static long[] hours(Instant from, Instant to, ZoneId zone) {
    ZoneRules rules = zone.getRules();
    Growing b = new Growing();
    Instant start = hourStart(from, rules);
    b.add(start.toEpochMilli());
    Instant t = start;
    while (t.isBefore(to)) {
      t = nextHourBound(t, rules);
      b.add(t.toEpochMilli());
      checkCount(b.size - 1, Granularity.HOUR);
    }
    return b.toArray();
  }

  /** The first instant of the hour bucket holding {@code t}. */
  static Instant hourStart(Instant t, ZoneRules rules) {
    ZoneOffset offset = rules.getOffset(t);
    LocalDateTime local = LocalDateTime.ofInstant(t, offset).truncatedTo(ChronoUnit.HOURS);
    Instant start = local.toInstant(offset);
    ZoneOffsetTransition previous = rules.previousTransition(t.plusNanos(1));
    if (previous != null && previous.getInstant().isAfter(start)) {
      start = previous.getInstant();
    }
    return start;
  }

  private static Instant nextHourBound(Instant t, ZoneRules rules) {
    ZoneOffset offset = rules.getOffset(t);
    LocalDateTime local = LocalDateTime.ofInstant(t, offset).truncatedTo(ChronoUnit.HOURS);
    Instant nextHour = local.plusHours(1).toInstant(offset);
    ZoneOffsetTransition next = rules.nextTransition(t);
    if (next != null && next.getInstant().isBefore(nextHour)) {
      return next.getInstant();
    }
    return nextHour;
  }

  private static long[] dates(Instant from, Instant to, ZoneId zone, Granularity g) {
    LocalDate d = startDate(LocalDate.ofInstant(from, zone), g);
    Growing b = new Growing();
    long t = d.atStartOfDay(zone).toInstant().toEpochMilli();
    b.add(t);
    long end = to.toEpochMilli();
    while (t < end) {
      d = next(d, g);
      long start = d.atStartOfDay(zone).toInstant().toEpochMilli();
      // A date the zone skipped (Pacific/Apia had no 2011-12-30) starts where the next one does:
      // it has no instants, so no bucket.
      if (start == t) continue;
      t = start;
      b.add(t);
      checkCount(b.size - 1, g);
    }
    return b.toArray();
  }

  /** The first date of the bucket holding {@code date}. */
  static LocalDate startDate(LocalDate date, Granularity g) {
    return switch (g) {
      case WEEK -> date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTH -> date.withDayOfMonth(1);
      default -> date;
    };
  }

  private static LocalDate next(LocalDate d, Granularity g) {
    return switch (g) {
      case WEEK -> d.plusWeeks(1);
      case MONTH -> d.plusMonths(1);
      default -> d.plusDays(1);
    };
  }

  private static void checkCount(long n, Granularity g) {
    if (n > MAX_BUCKETS) {
      throw new IllegalArgumentException(
          "range must have at most " + MAX_BUCKETS + " " + g + " buckets: at least " + n);
    }
  }

  private static final class Growing {
    long[] a = new long[64];
    int size;

    void add(long v) {
      if (size == a.length) a = Arrays.copyOf(a, size * 2);
      a[size++] = v;
    }

    long last() {
      return size == 0 ? Long.MIN_VALUE : a[size - 1];
    }

    long[] toArray() {
      return Arrays.copyOf(a, size);
    }
  }
}
