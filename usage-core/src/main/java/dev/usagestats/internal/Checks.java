package dev.usagestats.internal;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the public API. Messages name the field, the rule and the value. */
public final class Checks {
  /** Longest tenant, API key id or model name accepted, in characters. */
  public static final int MAX_NAME_LENGTH = 256;

  /** Largest token count accepted for one event: 2^40, far above any real invocation. */
  public static final long MAX_TOKENS = 1L << 40;

  /** The name the overflow series uses for its tenant, API key and model; reserved. */
  public static final String OVERFLOW = "__overflow__";

  private Checks() {}

  /**
   * Checks a tenant, API key id or model name: not null, not blank, at most 256 characters, no
   * control characters, not the reserved overflow name.
   */
  public static String name(String field, String value) {
    Objects.requireNonNull(value, field);
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank: '" + value + "'");
    }
    if (value.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          field
              + " must be at most "
              + MAX_NAME_LENGTH
              + " characters: "
              + value.length()
              + " characters starting '"
              + value.substring(0, 32)
              + "'");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            field
                + " must not contain control characters: U+"
                + String.format("%04X", (int) c)
                + " at index "
                + i
                + " in '"
                + printable(value)
                + "'");
      }
    }
    if (value.equals(OVERFLOW)) {
      throw new IllegalArgumentException(
          field + " must not be the reserved overflow name: " + value);
    }
    return value;
  }

  /** Checks one token count: 0 to {@link #MAX_TOKENS}. */
  public static long tokens(String field, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must be >= 0: " + value);
    }
    if (value > MAX_TOKENS) {
      throw new IllegalArgumentException(field + " must be <= " + MAX_TOKENS + ": " + value);
    }
    return value;
  }

  /** Checks the token counts of one event, including that the parts fit in their wholes. */
  public static void tokens(
      long input, long output, long cachedInput, long cacheCreationInput, long reasoning) {
    tokens("inputTokens", input);
    tokens("outputTokens", output);
    tokens("cachedInputTokens", cachedInput);
    tokens("cacheCreationInputTokens", cacheCreationInput);
    tokens("reasoningTokens", reasoning);
    if (cachedInput > input) {
      throw new IllegalArgumentException(
          "cachedInputTokens must be <= inputTokens (" + input + "): " + cachedInput);
    }
    if (cacheCreationInput > input - cachedInput) {
      throw new IllegalArgumentException(
          "cacheCreationInputTokens must be <= inputTokens - cachedInputTokens ("
              + input
              + " - "
              + cachedInput
              + "): "
              + cacheCreationInput);
    }
    if (reasoning > output) {
      throw new IllegalArgumentException(
          "reasoningTokens must be <= outputTokens (" + output + "): " + reasoning);
    }
  }

  /** Checks that a duration is positive. */
  public static Duration positive(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(field + " must be positive: " + value);
    }
    return value;
  }

  /** Checks that a duration is zero or positive. */
  public static Duration notNegative(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative()) {
      throw new IllegalArgumentException(field + " must be >= 0: " + value);
    }
    return value;
  }

  /** Checks that an int is at least {@code min}. */
  public static int atLeast(String field, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be >= " + min + ": " + value);
    }
    return value;
  }

  private static String printable(String value) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length() && i < 64; i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        sb.append("\\u").append(String.format("%04X", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
