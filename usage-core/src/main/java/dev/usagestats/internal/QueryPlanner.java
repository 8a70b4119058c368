package dev.usagestats.internal;

import dev.usagestats.Granularity;
import dev.usagestats.UsageQuery;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * Turns a query into buckets: fills in the default range (the last 14 local days up to now),
 * resolves AUTO granularity, and plans the bucket bounds in the query's zone. Stateless and
 * thread-safe.
 */
final class QueryPlanner {
  private final Duration minuteRetention;

  QueryPlanner(Duration minuteRetention) {
    this.minuteRetention = minuteRetention;
  }

  /**
   * The buckets of {@code query} at {@code now} (epoch millis).
   *
   * @throws IllegalArgumentException if the range is empty or has too many buckets
   */
  BucketPlan plan(UsageQuery query, long now) {
    ZoneId zone = query.zone();
    Instant from =
        query.from() != null
            ? query.from()
            : LocalDate.ofInstant(Instant.ofEpochMilli(now), zone)
                .minusDays(13)
                .atStartOfDay(zone)
                .toInstant();
    Instant to = query.to() != null ? query.to() : Instant.ofEpochMilli(now + 1);
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to: from=" + from + ", to=" + to);
    }
    Granularity g = resolve(query.granularity(), from, to, now);
    return BucketPlan.of(from, to, zone, g);
  }

  /**
   * AUTO: minutes up to 3 hours (within minuteRetention), hours up to 4 days, days up to 92 days,
   * weeks up to 2 years, then months.
   */
  Granularity resolve(Granularity g, Instant from, Instant to, long now) {
    if (g != Granularity.AUTO) return g;
    long span = to.toEpochMilli() - from.toEpochMilli();
    if (span <= Duration.ofHours(3).toMillis()) {
      // Minute detail is kept for minuteRetention in memory; a store may compact older minutes.
      boolean recent = from.toEpochMilli() >= now - minuteRetention.toMillis();
      return recent ? Granularity.MINUTE : Granularity.HOUR;
    }
    if (span <= Duration.ofDays(4).toMillis()) return Granularity.HOUR;
    if (span <= Duration.ofDays(92).toMillis()) return Granularity.DAY;
    if (span <= Duration.ofDays(731).toMillis()) return Granularity.WEEK;
    return Granularity.MONTH;
  }
}
