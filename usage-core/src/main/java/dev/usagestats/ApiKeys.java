package dev.usagestats;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Helpers that turn an API key secret into something safe to store and show, so the secret never
 * reaches usagestats.
 *
 * <pre>{@code
 * String id = ApiKeys.fingerprint(secret);   // "key-3f9a0c1d2b4e5f60", stable, irreversible
 * String shown = ApiKeys.redact(secret);     // "sk-...abcd"
 * stats.record(tenant, id, model, in, out);
 * }</pre>
 */
public final class ApiKeys {
  private ApiKeys() {}

  /**
   * A stable id for a secret: {@code key-} and the first 16 hex digits (64 bits) of its SHA-256.
   * The same secret always gives the same id; the id does not reveal the secret.
   *
   * @throws IllegalArgumentException if the secret is blank
   */
  public static String fingerprint(String secret) {
    requireSecret(secret);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return "key-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /**
   * A display form that keeps the prefix up to the first {@code -} (at most 8 characters) and the
   * last 4 characters: {@code sk-...abcd}. Secrets of 12 characters or fewer show only {@code ...}
   * and their prefix, so that no short secret is half revealed.
   *
   * @throws IllegalArgumentException if the secret is blank
   */
  public static String redact(String secret) {
    requireSecret(secret);
    int dash = secret.indexOf('-');
    String prefix = dash > 0 && dash < 8 ? secret.substring(0, dash + 1) : "";
    if (secret.length() <= 12) {
      return prefix + "...";
    }
    return prefix + "..." + secret.substring(secret.length() - 4);
  }

  private static void requireSecret(String secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.isBlank()) {
      throw new IllegalArgumentException("secret must not be blank");
    }
  }
}
