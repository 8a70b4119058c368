package dev.usagestats.jdbc;

import dev.usagestats.Granularity;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import dev.usagestats.spi.KeyDetail;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Zones and bucket bounds for the coarse-row tests: one zone per distinct pattern of offsets and
 * transitions in the tz database, and local HOUR, DAY, WEEK and MONTH bounds found by walking a
 * range quarter hour by quarter hour with {@code java.time} (a reference, independent of the
 * engine's bucket planner).
 */
final class Zones {
  private Zones() {}

  /**
   * One zone (the first by name) per distinct pattern of offsets over {@code [from, to)}: the
   * offset at {@code from} and every transition inside, its instant and offset after.
   */
  static List<ZoneId> distinctPatterns(Instant from, Instant to) {
    Map<String, ZoneId> byPattern = new TreeMap<>();
    for (String id : new TreeSet<>(ZoneId.getAvailableZoneIds())) {
      ZoneId z = ZoneId.of(id);
      StringBuilder key = new StringBuilder(z.getRules().getOffset(from).toString());
      for (ZoneOffsetTransition t = z.getRules().nextTransition(from);
          t != null && t.getInstant().isBefore(to);
          t = z.getRules().nextTransition(t.getInstant())) {
        key.append(' ').append(t.getInstant()).append(t.getOffsetAfter());
      }
      byPattern.putIfAbsent(key.toString(), z);
    }
    return List.copyOf(byPattern.values());
  }

  /** The zone's transitions in [from, to). */
  static List<Instant> transitions(ZoneId z, Instant from, Instant to) {
    List<Instant> out = new ArrayList<>();
    for (ZoneOffsetTransition t = z.getRules().nextTransition(from);
        t != null && t.getInstant().isBefore(to);
        t = z.getRules().nextTransition(t.getInstant())) {
      out.add(t.getInstant());
    }
    return out;
  }

  /**
   * Bounds of {@code g}'s local buckets in {@code zone} over [from, to) (both on quarter hours):
   * from, every quarter hour where the bucket changes, and to. The first and last bucket may be
   * partial.
   */
  static List<Instant> bounds(ZoneId zone, Granularity g, Instant from, Instant to) {
    List<Instant> out = new ArrayList<>();
    out.add(from);
    Object last = bucket(zone, g, from);
    for (Instant t = from.plusSeconds(900); t.isBefore(to); t = t.plusSeconds(900)) {
      Object b = bucket(zone, g, t);
      if (!b.equals(last)) out.add(t);
      last = b;
    }
    out.add(to);
    return out;
  }

  private static Object bucket(ZoneId zone, Granularity g, Instant t) {
    LocalDateTime l = LocalDateTime.ofInstant(t, zone);
    return switch (g) {
      case HOUR -> List.of(l.toLocalDate(), l.getHour(), zone.getRules().getOffset(t));
      case DAY -> l.toLocalDate();
      case WEEK -> l.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTH -> YearMonth.from(l);
      default -> throw new IllegalArgumentException("granularity: " + g);
    };
  }

  /** A row of a read, key and bucket aside. */
  record Sums(UsageTotals totals, long peakCalls, long peakTokens) {}

  /** A (key, bucket) of a read. */
  record At(SeriesKey key, int bucket) {}

  /** A read's rows, merged per key and bucket (peaks by maximum, unknown wins), zero rows out. */
  static Map<At, Sums> rows(StoreResult r) {
    Map<At, Sums> out = new HashMap<>();
    for (StoreResult.Row row : r.rows()) {
      Sums s = new Sums(row.totals(), row.peakCallsPerMinute(), row.peakTokensPerMinute());
      out.merge(
          new At(row.key(), row.bucket()),
          s,
          (a, b) ->
              new Sums(
                  a.totals().plus(b.totals()),
                  peak(a.peakCalls(), b.peakCalls()),
                  peak(a.peakTokens(), b.peakTokens())));
    }
    out.values().removeIf(s -> s.totals().equals(UsageTotals.empty()));
    return out;
  }

  private static long peak(long a, long b) {
    return a < 0 || b < 0 ? -1 : Math.max(a, b);
  }

  /**
   * Read rows as two plans of one read must agree: summed rows (tenant and API key dropped, a read
   * by model) keep only their totals. Their peaks depend on the plan: the largest series row's from
   * series rows, the model's own from the model sums; a report over all keys takes its peaks from
   * the model sums' own rows, which must agree in full.
   */
  static Map<At, Sums> planIndependent(Map<At, Sums> rows) {
    Map<At, Sums> out = new HashMap<>();
    rows.forEach(
        (at, s) ->
            out.put(
                at,
                at.key().tenant().isEmpty() && at.key().apiKey().isEmpty()
                    ? new Sums(s.totals(), 0, 0)
                    : s));
    return out;
  }

  /** Read rows without the model sums: what the reference model holds. */
  static Map<At, Sums> seriesRows(Map<At, Sums> rows) {
    Map<At, Sums> out = new HashMap<>(rows);
    out.keySet().removeIf(at -> Keys.isModelSum(at.key()));
    return out;
  }

  /** A read of every series over {@code bounds}, keeping {@code detail}. */
  static StoreRead read(List<Instant> bounds, ZoneId zone, Granularity g, KeyDetail detail) {
    return new StoreRead(
        bounds, zone, Objects.requireNonNull(g), null, Set.of(), Set.of(), Set.of(), detail);
  }
}
