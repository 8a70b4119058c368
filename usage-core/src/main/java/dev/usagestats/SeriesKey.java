package dev.usagestats;

import java.util.Objects;

/**
 * The identity of one series: tenant, API key id and model. The overflow series, which takes the
 * events of series beyond the cap, has {@link #OVERFLOW} in all three parts.
 *
 * @param tenant the tenant
 * @param apiKey the API key id
 * @param model the model name
 */
public record SeriesKey(String tenant, String apiKey, String model) {
  /** The name used for every part of the overflow series; reserved, so callers cannot use it. */
  public static final String OVERFLOW = dev.usagestats.internal.Checks.OVERFLOW;

  /** The key of the overflow series. */
  public static final SeriesKey OVERFLOW_KEY = new SeriesKey(OVERFLOW, OVERFLOW, OVERFLOW);

  /** Checks that no part is null. Other rules are checked where names come in. */
  public SeriesKey {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(model, "model");
  }

  /**
   * The names' hash, spread by a large odd multiplier: keys whose names differ in one character
   * ({@code model-1}, {@code model-2}) would otherwise have hashes 1 apart, and a key held with a
   * bucket index (a record's {@code 31 x key + bucket}) would share hash bins with its neighbours'.
   */
  @Override
  public int hashCode() {
    return (31 * (31 * tenant.hashCode() + apiKey.hashCode()) + model.hashCode()) * 0x9E3779B1;
  }

  /**
   * The key with its API key id redacted ({@link ApiKeys#redact}), as logs and messages show it.
   */
  @Override
  public String toString() {
    return "SeriesKey[tenant="
        + tenant
        + ", apiKey="
        + (apiKey.isBlank() ? apiKey : ApiKeys.redact(apiKey))
        + ", model="
        + model
        + "]";
  }

  /** Whether this is the overflow series. */
  public boolean isOverflow() {
    return OVERFLOW.equals(tenant) && OVERFLOW.equals(apiKey) && OVERFLOW.equals(model);
  }
}
