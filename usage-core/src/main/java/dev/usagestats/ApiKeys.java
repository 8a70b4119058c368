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

  /** Prefixes of provider API key secrets: OpenAI, Anthropic, Google, xAI, Groq, Hugging Face... */
  private static final String[] SECRET_PREFIXES = {
    "sk-", "sk_", "rk-", "pk-", "AIza", "xai-", "gsk_", "hf_", "ghp_", "github_pat_", "pplx-", "r8_"
  };

  /**
   * Whether {@code value} looks like a provider secret rather than an id: one of the well-known
   * prefixes ({@code sk-} as OpenAI and DeepSeek use, {@code sk-proj-}, {@code sk-ant-}, {@code
   * AIza}, {@code xai-}, {@code gsk_}, {@code hf_}...) followed by at least 16 token characters, or
   * a long high-entropy token: 32 or more letters, digits and {@code -_+/=}, mixing upper and lower
   * case and digits, with at least 4 bits of entropy per character. Ids such as {@link
   * #fingerprint} results, UUIDs, hex digests and {@code sk-...abcd} display forms do not look like
   * secrets. A value starting with {@code Bearer } (an Authorization header) is judged by its
   * token.
   */
  public static boolean looksLikeSecret(String value) {
    Objects.requireNonNull(value, "value");
    // An Authorization header's value passed whole: look at the token after the scheme.
    if (value.regionMatches(true, 0, "Bearer ", 0, 7)) value = value.substring(7).strip();
    for (String prefix : SECRET_PREFIXES) {
      if (value.startsWith(prefix) && tokenLength(value, prefix.length()) >= 16) return true;
    }
    if (value.length() < 32 || tokenLength(value, 0) != value.length()) return false;
    boolean upper = false;
    boolean lower = false;
    boolean digit = false;
    int[] counts = new int[128];
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      upper |= c >= 'A' && c <= 'Z';
      lower |= c >= 'a' && c <= 'z';
      digit |= c >= '0' && c <= '9';
      counts[c]++;
    }
    if (!(upper && lower && digit)) return false;
    double bits = 0;
    for (int n : counts) {
      if (n == 0) continue;
      double p = (double) n / value.length();
      bits -= p * Math.log(p) / Math.log(2);
    }
    return bits >= 4.0;
  }

  /** Characters from {@code from} on that may appear in a secret token. */
  private static int tokenLength(String value, int from) {
    int n = 0;
    for (int i = from; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean token =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '+'
              || c == '/'
              || c == '=';
      if (!token) return n;
      n++;
    }
    return n;
  }

  private static void requireSecret(String secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.isBlank()) {
      throw new IllegalArgumentException("secret must not be blank");
    }
  }
}
