package dev.usagestats.spring;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;
import org.springframework.util.MimeType;

/**
 * The {@code usage} endpoint over HTTP: the same JSON as {@link UsageEndpoint}, served as {@code
 * application/json} with status 200, 400 (a malformed parameter) or 503 (the store cannot be read).
 */
@EndpointWebExtension(endpoint = UsageEndpoint.class)
public final class UsageEndpointWebExtension {
  private static final MimeType JSON = MimeType.valueOf("application/json");

  private final UsageEndpoint endpoint;

  /** The web side of {@code endpoint}. */
  public UsageEndpointWebExtension(UsageEndpoint endpoint) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
  }

  /** A usage report or the error that refused the request; see {@link UsageEndpoint}. */
  @ReadOperation
  public WebEndpointResponse<String> usage(
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
    UsageEndpoint.Answer a =
        endpoint.answer(apiKey, model, tenant, days, from, to, zone, granularity, view, groupBy);
    return new WebEndpointResponse<>(a.body(), a.status(), JSON);
  }
}
