package dev.usagestats.jdbc;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A grid of coarse rows: rows {@code minutes} long (60, hour rows; 1440, day rows) whose spans
 * start {@code anchor} seconds after each UTC hour or day. The UTC grids have anchor 0; New York's
 * days in winter start at 05:00 UTC, anchor 18,000; Kathmandu's hours start at a quarter past the
 * UTC hour, anchor 900. A row of a grid holds the sums of the 15-minute rows in its span (see
 * {@link Compactor}), so it stands for them in a read whose bucket it fits in (see {@link
 * ReadPlan}).
 *
 * <p>Day rows are always 24 hours long: a local day of 23 or 25 hours (a DST change) is read from
 * hour and 15-minute rows instead. Immutable; ordered by grain, then anchor.
 *
 * @param minutes the row length: {@link #HOUR} or {@link #DAY}
 * @param anchor seconds after the UTC hour or day at which the spans start: a multiple of 900, less
 *     than the row length
 */
record Grid(int minutes, int anchor) implements Comparable<Grid> {
  /** The length of an hour row, in minutes. */
  static final int HOUR = 60;

  /** The length of a day row, in minutes. */
  static final int DAY = 1440;

  private static final int QUARTER_S = 900;

  /** UTC's hours and days. */
  static final List<Grid> UTC = List.of(new Grid(HOUR, 0), new Grid(DAY, 0));

  /** Checks the fields. */
  Grid {
    if (minutes != HOUR && minutes != DAY) {
      throw new IllegalArgumentException("grid minutes must be 60 or 1440: " + minutes);
    }
    if (anchor < 0 || anchor >= minutes * 60 || anchor % QUARTER_S != 0) {
      throw new IllegalArgumentException(
          "grid anchor must be a multiple of 900 in [0, " + minutes * 60 + "): " + anchor);
    }
  }

  /** The row length in seconds. */
  long seconds() {
    return minutes * 60L;
  }

  /** Whether a span of this grid starts at {@code epochSecond}. */
  boolean startsAt(long epochSecond) {
    return Math.floorMod(epochSecond, seconds()) == anchor;
  }

  /** The start of the span of this grid holding {@code epochSecond}. */
  long floor(long epochSecond) {
    return epochSecond - Math.floorMod(epochSecond - anchor, seconds());
  }

  /**
   * The same, in SQL, of the column {@code bucket_start}; MOD twice floors negative seconds too.
   */
  String floorSql() {
    long l = seconds();
    return "bucket_start - MOD(MOD(bucket_start - "
        + anchor
        + ", "
        + l
        + ") + "
        + l
        + ", "
        + l
        + ")";
  }

  /** SQL that is true for the rows of this grid (and its grain). */
  String rowsSql() {
    long l = seconds();
    return "grain = "
        + minutes
        + " AND MOD(MOD(bucket_start, "
        + l
        + ") + "
        + l
        + ", "
        + l
        + ") = "
        + anchor;
  }

  @Override
  public int compareTo(Grid o) {
    return minutes != o.minutes
        ? Integer.compare(minutes, o.minutes)
        : Integer.compare(anchor, o.anchor);
  }

  /**
   * The grids on which {@code zone}'s local days and hours start (UTC's own hours for a whole-hour
   * offset), for every offset it has from two years before {@code around} to one year after: New
   * York gives days at 04:00 and 05:00 UTC and UTC's hours; Kathmandu its days at 18:15 UTC and
   * hours at a quarter past.
   *
   * @throws IllegalArgumentException if an offset in that time is not on a 15-minute step
   */
  static Set<Grid> of(ZoneId zone, Instant around) {
    ZoneRules rules = zone.getRules();
    Instant from = around.minus(Duration.ofDays(2 * 366));
    Instant to = around.plus(Duration.ofDays(366));
    List<ZoneOffset> offsets = new ArrayList<>();
    offsets.add(rules.getOffset(from));
    for (ZoneOffsetTransition t = rules.nextTransition(from);
        t != null && t.getInstant().isBefore(to);
        t = rules.nextTransition(t.getInstant())) {
      offsets.add(t.getOffsetAfter());
    }
    Set<Grid> out = new TreeSet<>();
    for (ZoneOffset o : offsets) {
      int s = o.getTotalSeconds();
      if (s % QUARTER_S != 0) {
        throw new IllegalArgumentException(
            "reportZones must have offsets on 15-minute steps: " + zone + " has " + o);
      }
      out.add(new Grid(HOUR, Math.floorMod(-s, 3600)));
      out.add(new Grid(DAY, Math.floorMod(-s, 86_400)));
    }
    return out;
  }
}
