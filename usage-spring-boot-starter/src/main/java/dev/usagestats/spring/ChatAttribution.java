package dev.usagestats.spring;

import java.util.Objects;

/**
 * Who a chat call is for: the tenant and the API key <em>id</em> (never a secret) it is recorded
 * under.
 *
 * @param tenant the tenant, a non-blank name
 * @param apiKey the API key id, a non-blank name
 */
public record ChatAttribution(String tenant, String apiKey) {
  /** Checks both names are present and not blank; the engine checks the rest when recording. */
  public ChatAttribution {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(apiKey, "apiKey");
    if (tenant.isBlank()) {
      throw new IllegalArgumentException("tenant must not be blank: '" + tenant + "'");
    }
    if (apiKey.isBlank()) {
      throw new IllegalArgumentException("apiKey must not be blank: '" + apiKey + "'");
    }
  }
}
