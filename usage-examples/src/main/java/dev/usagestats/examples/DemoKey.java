package dev.usagestats.examples;

import dev.usagestats.ApiKeys;
import java.util.Map;
import java.util.Objects;

/**
 * An API key of the demo: its id (what usagestats records), its redacted display form, a name, the
 * tenant it belongs to, and the traffic it makes. The secret itself is dropped once the id and the
 * display form are derived.
 *
 * @param id the key id, {@link ApiKeys#fingerprint(String)} of the secret
 * @param display the redacted secret, {@link ApiKeys#redact(String)}
 * @param name a human name for the key
 * @param tenant the tenant that owns the key
 * @param callsPerHour the key's average calls per hour at the daily peak
 * @param modelWeights the share of the key's calls that goes to each model
 */
public record DemoKey(
    String id,
    String display,
    String name,
    String tenant,
    double callsPerHour,
    Map<String, Double> modelWeights) {

  /** Checks the fields and copies the weights. */
  public DemoKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(display, "display");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tenant, "tenant");
    if (!(callsPerHour >= 0)) {
      throw new IllegalArgumentException("callsPerHour must be >= 0: " + callsPerHour);
    }
    modelWeights = Map.copyOf(modelWeights);
  }

  /** A key made from a secret, which is fingerprinted and redacted here and not kept. */
  public static DemoKey fromSecret(
      String secret,
      String name,
      String tenant,
      double callsPerHour,
      Map<String, Double> modelWeights) {
    return new DemoKey(
        ApiKeys.fingerprint(secret),
        ApiKeys.redact(secret),
        name,
        tenant,
        callsPerHour,
        modelWeights);
  }
}
