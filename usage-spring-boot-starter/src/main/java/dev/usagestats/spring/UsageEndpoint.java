package dev.usagestats.spring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageStoreException;
import dev.usagestats.http.BadRequestException;
import dev.usagestats.http.ReportJson;
import dev.usagestats.http.UsageRequest;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code usage} actuator endpoint: the usage query API as JSON, with the parameters, answers
 * and errors of the demo's {@code GET /api/usage} (both answer through usage-http's {@link
 * UsageRequest} and {@link ReportJson}).
 *
 * <pre>{@code
 * GET /actuator/usage?days=7&model=public/deepseek-r1&zone=Europe/Berlin
 * }</pre>
 *
 * Over HTTP ({@link UsageEndpointWebExtension}) a malformed parameter is answered with status 400
 * and {@code {"error": "bad_request", "field": ..., "value": ..., "message": ...}}, an unreadable
 * store with 503 and {@code {"error": "store_unavailable", ...}}. Over JMX the same bodies come
 * back as the operation's result.
 *
 * <p>Actuator binds only the parameters an operation declares, so unlike the demo an unknown
 * parameter is ignored, and a parameter given twice arrives as its values joined with commas.
 * Thread-safe.
 */
@Endpoint(id = "usage")
public final class UsageEndpoint {
  private final UsageStats stats;
  private final Clock clock;
  private final ZoneId defaultZone;
  private final ObjectMapper mapper = new ObjectMapper();
  private final ReportJson json = ReportJson.of(mapper);

  /**
   * An endpoint over {@code stats}; {@code clock} says what today is, {@code defaultZone} is the
   * zone of a request that names none.
   */
  public UsageEndpoint(UsageStats stats, Clock clock, ZoneId defaultZone) {
    this.stats = Objects.requireNonNull(stats, "stats");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.defaultZone = Objects.requireNonNull(defaultZone, "defaultZone");
  }

  /**
   * A usage report, or the error that refused the request, as JSON text. Each parameter is
   * described on {@link UsageRequest}.
   */
  @ReadOperation
  public String usage(
      @Nullable String apiKey,
      @Nullable String model,
      @Nullable String tenant,
      @Nullable String days,
      @Nullable String from,
      @Nullable String to,
      @Nullable String zone,
      @Nullable String granularity,
      @Nullable String view,
      @Nullable String groupBy) {
    return answer(apiKey, model, tenant, days, from, to, zone, granularity, view, groupBy).body();
  }

  /** Answers a request: HTTP status and JSON body. */
  Answer answer(
      @Nullable String apiKey,
      @Nullable String model,
      @Nullable String tenant,
      @Nullable String days,
      @Nullable String from,
      @Nullable String to,
      @Nullable String zone,
      @Nullable String granularity,
      @Nullable String view,
      @Nullable String groupBy) {
    Map<String, String> params = new LinkedHashMap<>();
    put(params, "apiKey", apiKey);
    put(params, "model", model);
    put(params, "tenant", tenant);
    put(params, "days", days);
    put(params, "from", from);
    put(params, "to", to);
    put(params, "zone", zone);
    put(params, "granularity", granularity);
    put(params, "view", view);
    put(params, "groupBy", groupBy);
    try {
      UsageQuery query = UsageRequest.toQuery(params, clock, defaultZone);
      UsageReport report = UsageRequest.answer(stats, query, params);
      return new Answer(200, write(json.report(query, report)));
    } catch (BadRequestException e) {
      return new Answer(400, write(json.error(e)));
    } catch (UsageStoreException e) {
      return new Answer(503, write(json.storeUnavailable(e)));
    }
  }

  private static void put(Map<String, String> params, String name, @Nullable String value) {
    if (value != null) params.put(name, value);
  }

  private String write(JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An HTTP status and a JSON body. */
  record Answer(int status, String body) {}
}
