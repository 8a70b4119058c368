package dev.usagestats.http;

import dev.usagestats.GroupBy;
import dev.usagestats.PlanningQuery;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The parameters of the planning API ({@code /api/planning}): {@code zone} (a time zone id; default
 * the server's), {@code period} ({@code week}, the default, or {@code month}), {@code groupBy}
 * ({@code model}, the default, or {@code api_key}), {@code tenant}, and {@code date} (a day in the
 * current period, ISO {@code 2026-03-05}; default today). Stateless.
 *
 * <pre>{@code
 * PlanningQuery q = PlanningRequest.toQuery(PlanningRequest.parameters(rawQuery), zone);
 * ObjectNode body = ReportJson.of(mapper).planning(stats.plan(q));
 * }</pre>
 */
public final class PlanningRequest {
  private static final Set<String> PARAMETERS =
      Set.of("zone", "period", "groupBy", "tenant", "date");

  private PlanningRequest() {}

  /**
   * The parameters of a raw query string, decoded.
   *
   * @throws BadRequestException for an unknown or repeated parameter
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
            name,
            value,
            "unknown parameter '" + name + "'; known: date, groupBy, period, tenant, zone");
      }
      if (params.putIfAbsent(name, value) != null) {
        throw new BadRequestException(name, value, name + " must be given at most once");
      }
    }
    return params;
  }

  /**
   * The planning query the parameters ask for.
   *
   * @throws BadRequestException naming the first parameter that is malformed
   */
  public static PlanningQuery toQuery(Map<String, String> params, ZoneId defaultZone) {
    PlanningQuery.Builder b = PlanningQuery.builder();
    String zone = blankToNull(params.get("zone"));
    try {
      b.zone(zone == null ? defaultZone : ZoneId.of(zone));
    } catch (DateTimeException e) {
      throw new BadRequestException(
          "zone", zone, "zone must be a time zone id such as UTC or Europe/Berlin: '" + zone + "'");
    }
    String period = blankToNull(params.get("period"));
    if (period != null) {
      switch (period.toLowerCase(Locale.ROOT)) {
        case "week" -> b.period(PlanningQuery.Period.WEEK);
        case "month" -> b.period(PlanningQuery.Period.MONTH);
        default ->
            throw new BadRequestException(
                "period", period, "period must be one of week, month: '" + period + "'");
      }
    }
    String groupBy = blankToNull(params.get("groupBy"));
    if (groupBy != null) {
      switch (groupBy.toLowerCase(Locale.ROOT)) {
        case "model" -> b.groupBy(GroupBy.MODEL);
        case "api_key" -> b.groupBy(GroupBy.API_KEY);
        default ->
            throw new BadRequestException(
                "groupBy", groupBy, "groupBy must be one of model, api_key: '" + groupBy + "'");
      }
    }
    String tenant = blankToNull(params.get("tenant"));
    if (tenant != null) {
      try {
        b.tenant(tenant);
      } catch (IllegalArgumentException e) {
        throw new BadRequestException("tenant", tenant, e.getMessage());
      }
    }
    String date = blankToNull(params.get("date"));
    if (date != null) {
      try {
        b.containing(LocalDate.parse(date));
      } catch (DateTimeException e) {
        throw new BadRequestException(
            "date", date, "date must be an ISO date such as 2026-03-05: '" + date + "'");
      }
    }
    return b.build();
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
}
