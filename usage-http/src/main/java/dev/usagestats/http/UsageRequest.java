package dev.usagestats.http;

import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.SeriesView;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The parameters of the usage API ({@code GET /api/usage} in the demo, the {@code usage} actuator
 * endpoint in the Spring Boot starter), checked and turned into a {@link UsageQuery}.
 *
 * <ul>
 *   <li>{@code apiKey}, {@code model}, {@code tenant}: one id or name; absent, empty or {@code all}
 *       for all.
 *   <li>{@code days}: the last N local days, today included (1 to 366). The default is 14: the last
 *       two weeks.
 *   <li>{@code from}, {@code to}: a date ({@code 2026-11-20}: from its start, or to its end, in the
 *       query's zone) or an instant with an offset ({@code 2026-11-20T08:00:00Z}, {@code to}
 *       exclusive). Either may be given alone; not together with {@code days}.
 *   <li>{@code zone}: a time zone id (default: the server's zone).
 *   <li>{@code granularity}: auto, minute, hour, day, week, month (default auto).
 *   <li>{@code view}: total, input, output, peak_tokens_per_minute, peak_calls_per_minute, cost
 *       when a price book is in force, or a latency percentile in milliseconds: p50_duration,
 *       p95_duration, p99_duration, p95_time_to_first_token (default total).
 *   <li>{@code groupBy}: model, api_key, api_key_and_model, none (default model).
 * </ul>
 *
 * Any other parameter, a parameter given twice, or a value that does not parse is refused with a
 * {@link BadRequestException} naming the parameter and the value.
 *
 * <pre>{@code
 * Map<String, String> params = UsageRequest.parameters(uri.getRawQuery());
 * UsageQuery query = UsageRequest.toQuery(params, clock, ZoneOffset.UTC);
 * UsageReport report = UsageRequest.answer(stats, query, params);
 * }</pre>
 */
public final class UsageRequest {
  /** The parameters the API knows. */
  public static final Set<String> PARAMETERS =
      Set.of(
          "apiKey",
          "model",
          "tenant",
          "days",
          "from",
          "to",
          "zone",
          "granularity",
          "view",
          "groupBy");

  /** The days a request without {@code days}, {@code from} and {@code to} covers: two weeks. */
  public static final int DEFAULT_DAYS = 14;

  /** The most days {@code days} may ask for. */
  public static final int MAX_DAYS = 366;

  /**
   * The most points (buckets x series) the demo's answer holds: 10,000, about 1.7 MB of JSON (5 MB
   * when every call has a latency), more than a chart a few hundred pixels wide can show apart. The
   * engine's own bounds (2,000,000 buckets x groups, the years 1 to 9999) are far larger; they
   * protect the process, this one the browser.
   */
  public static final int DEFAULT_MAX_POINTS = 10_000;

  private UsageRequest() {}

  /**
   * Parses a raw (still percent-encoded) query string.
   *
   * @throws BadRequestException if a parameter is unknown, repeated or malformed
   */
  public static Map<String, String> parameters(@Nullable String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) return params;
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (!PARAMETERS.contains(name)) {
        throw new BadRequestException(
            name, value, "unknown parameter '" + name + "'; known: " + String.join(", ", sorted()));
      }
      if (params.putIfAbsent(name, value) != null) {
        throw new BadRequestException(name, value, name + " must be given at most once");
      }
    }
    return params;
  }

  /**
   * The query the parameters ask for; {@code clock} says what today is, {@code defaultZone} is the
   * zone of a request that names none.
   *
   * @throws BadRequestException naming the first parameter that is malformed
   */
  public static UsageQuery toQuery(Map<String, String> params, Clock clock, ZoneId defaultZone) {
    ZoneId zone = zone(params.get("zone"), defaultZone);
    UsageQuery.Builder b = UsageQuery.builder().zone(zone);
    filter(params, "apiKey", b::apiKey);
    filter(params, "model", b::model);
    filter(params, "tenant", b::tenant);
    b.granularity(choice("granularity", params.get("granularity"), Granularity.class, "auto"));
    b.view(choice("view", params.get("view"), SeriesView.class, "total"));
    b.groupBy(choice("groupBy", params.get("groupBy"), GroupBy.class, "model"));

    String days = blankToNull(params.get("days"));
    String from = blankToNull(params.get("from"));
    String to = blankToNull(params.get("to"));
    if (days != null && (from != null || to != null)) {
      throw new BadRequestException(
          "days", days, "days must not be combined with from or to: days=" + days);
    }
    if (from == null && to == null) {
      int n = days == null ? DEFAULT_DAYS : days(days);
      LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
      b.days(today.minusDays(n - 1L), today);
    } else {
      Instant f = from == null ? null : instant("from", from, zone, false);
      Instant t = to == null ? null : instant("to", to, zone, true);
      if (f != null && t != null && !f.isBefore(t)) {
        throw new BadRequestException(
            "to", to, "to must be after from: from=" + from + ", to=" + to);
      }
      if (f != null) bound("from", from, () -> b.from(f));
      if (t != null) bound("to", to, () -> b.to(t));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException | DateTimeException e) {
      String field = days != null ? "days" : from != null ? "from" : "to";
      String value = days != null ? days : from != null ? from : to;
      throw new BadRequestException(field, value, field + "=" + value + ": " + e.getMessage());
    }
  }

  /** Sets a range bound, refusing one the engine cannot name (outside the years 1 to 9999). */
  private static void bound(String field, String value, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException e) {
      throw new BadRequestException(field, value, field + "=" + value + ": " + e.getMessage());
    }
  }

  /**
   * Answers {@code query}, built by {@link #toQuery} from {@code params}. A range the engine cannot
   * answer (MINUTE buckets too far back, too many buckets) is refused naming the parameter that
   * asked for it: {@code granularity}, {@code days}, {@code from} or {@code to}. A range older than
   * the engine's retention is answered with what is left ({@link UsageReport#incompleteBefore()}).
   *
   * @throws BadRequestException if the engine cannot answer the range, or the view is cost and no
   *     price book is in force
   * @throws dev.usagestats.UsageStoreException if the store cannot be read
   */
  public static UsageReport answer(UsageStats stats, UsageQuery query, Map<String, String> params) {
    if (query.view() == SeriesView.COST && query.priceBook() == null && stats.priceBook() == null) {
      throw new BadRequestException(
          "view", params.getOrDefault("view", "cost"), "view=cost needs a price book: none is set");
    }
    try {
      return stats.query(query);
    } catch (IllegalArgumentException e) {
      String field = query.granularity() == Granularity.MINUTE ? "granularity" : rangeField(params);
      String value = params.getOrDefault(field, String.valueOf(DEFAULT_DAYS));
      throw new BadRequestException(
          field, value, field + "=" + value + " cannot be answered: " + e.getMessage());
    }
  }

  /**
   * Answers {@code query} as {@link #answer(UsageStats, UsageQuery, Map)} does, and refuses an
   * answer of more than {@code maxPoints} points (buckets x series), naming the limit and how to
   * narrow the query: the parameter named is {@code granularity} if the request gave one, else the
   * range ({@code days}, {@code from} or {@code to}).
   *
   * @throws BadRequestException if the engine cannot answer the range, or the answer is too large
   * @throws IllegalArgumentException if {@code maxPoints < 1}
   */
  public static UsageReport answer(
      UsageStats stats, UsageQuery query, Map<String, String> params, int maxPoints) {
    if (maxPoints < 1) {
      throw new IllegalArgumentException("maxPoints must be >= 1: " + maxPoints);
    }
    UsageReport report = answer(stats, query, params);
    long buckets = report.buckets().size();
    long series = report.series().size();
    if (buckets * series > maxPoints || buckets > maxPoints) {
      String field = params.containsKey("granularity") ? "granularity" : rangeField(params);
      String value = params.getOrDefault(field, String.valueOf(DEFAULT_DAYS));
      throw new BadRequestException(
          field,
          value,
          String.format(
              Locale.ROOT,
              "%s=%s asks for %,d points (%,d %s buckets x %,d series); an answer holds at most"
                  + " %,d: choose a coarser granularity, a shorter range (days, from, to),"
                  + " or filter by model or apiKey, or groupBy=none",
              field,
              value,
              buckets * Math.max(1, series),
              buckets,
              report.granularity().name().toLowerCase(Locale.ROOT),
              series,
              maxPoints));
    }
    return report;
  }

  private static String rangeField(Map<String, String> params) {
    return params.containsKey("days") ? "days" : params.containsKey("from") ? "from" : "to";
  }

  /** Applies a name filter unless it is absent, empty or {@code all}. */
  private static void filter(Map<String, String> params, String field, Consumer<String> setter) {
    String v = blankToNull(params.get(field));
    if (v == null || v.equalsIgnoreCase("all")) return;
    try {
      setter.accept(v);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException(field, v, e.getMessage());
    }
  }

  private static ZoneId zone(@Nullable String value, ZoneId defaultZone) {
    String v = blankToNull(value);
    if (v == null) return defaultZone;
    try {
      return ZoneId.of(v);
    } catch (DateTimeException e) {
      throw new BadRequestException(
          "zone", v, "zone must be a time zone id such as UTC or Europe/Berlin: '" + v + "'");
    }
  }

  private static int days(String v) {
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new BadRequestException("days", v, "days must be a whole number: '" + v + "'");
    }
    if (n < 1 || n > MAX_DAYS) {
      throw new BadRequestException("days", v, "days must be between 1 and " + MAX_DAYS + ": " + n);
    }
    return n;
  }

  /** A date (start of day, or for {@code to} the start of the next day) or an instant. */
  private static Instant instant(String field, String v, ZoneId zone, boolean endOfDay) {
    LocalDate day = parseOrNull(v);
    if (day != null) {
      // Days outside the years 1 to 9999 are refused here, before date arithmetic can overflow.
      if (day.getYear() < 1 || day.getYear() > 9999) {
        throw new BadRequestException(
            field, v, field + " must be a day of the years 0001 to 9999: '" + v + "'");
      }
      return (endOfDay ? day.plusDays(1) : day).atStartOfDay(zone).toInstant();
    }
    try {
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeException notAnInstant) {
      throw new BadRequestException(
          field,
          v,
          field
              + " must be a date like 2026-11-20 or an instant like 2026-11-20T08:00:00Z: '"
              + v
              + "'");
    }
  }

  private static @Nullable LocalDate parseOrNull(String v) {
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException notADate) {
      return null;
    }
  }

  private static <E extends Enum<E>> E choice(
      String field, @Nullable String value, Class<E> type, String fallback) {
    String v = blankToNull(value);
    String name = (v == null ? fallback : v).toUpperCase(Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(name)) return e;
    }
    String allowed =
        String.join(
            ", ",
            Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT))
                .toList());
    throw new BadRequestException(field, v, field + " must be one of " + allowed + ": '" + v + "'");
  }

  private static @Nullable String blankToNull(@Nullable String v) {
    return v == null || v.isBlank() ? null : v.strip();
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("query", s, "query must be percent-encoded: '" + s + "'");
    }
  }

  private static List<String> sorted() {
    return PARAMETERS.stream().sorted().toList();
  }
}
