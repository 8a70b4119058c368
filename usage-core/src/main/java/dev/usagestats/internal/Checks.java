package dev.usagestats.internal;

import dev.usagestats.ApiKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Argument checks shared by the public API. Messages name the field, the rule and the value. */
public final class Checks {
  /** Longest tenant, API key id or model name accepted, in characters. */
  public static final int MAX_NAME_LENGTH = 256;

  /** Largest token count accepted for one event: 2^40, far above any real invocation. */
  public static final long MAX_TOKENS = 1L << 40;

  /** The name the overflow series uses for its tenant, API key and model; reserved. */
  public static final String OVERFLOW = "__overflow__";

  /**
   * The tenant and API key of the peak aggregates (and the model of the aggregate of all usage):
   * one space, a blank name no caller can use.
   */
  public static final String AGGREGATE = " ";

  private Checks() {}

  /**
   * Checks a tenant, API key id or model name: not null, not blank, at most 256 characters,
   * well-formed text (no unpaired surrogates, no Unicode noncharacters), no control, format or
   * separator characters (such as U+200B or the bidi controls U+202A-U+202E, U+2066-U+2069, which
   * make lookalike or reordered names), not the reserved overflow name. Messages show an API key id
   * only redacted.
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
              + shown(field, value.substring(0, 32))
              + "'");
    }
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      String rule = refusal(cp);
      if (rule != null) {
        throw new IllegalArgumentException(
            field
                + " must not contain "
                + rule
                + ": U+"
                + String.format("%04X", cp)
                + " at index "
                + i
                + " in '"
                + printable(shown(field, value))
                + "'");
      }
      i += Character.charCount(cp);
    }
    if (value.equals(OVERFLOW)) {
      throw new IllegalArgumentException(
          field + " must not be the reserved overflow name: " + value);
    }
    return value;
  }

  /** Why a code point may not appear in a name, or null if it may. */
  private static @Nullable String refusal(int cp) {
    if (Character.isISOControl(cp)) return "control characters";
    if (Character.isSurrogate((char) cp) && cp <= Character.MAX_VALUE) {
      return "unpaired surrogates";
    }
    if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) return "noncharacters";
    int type = Character.getType(cp);
    if (type == Character.FORMAT) return "format characters";
    if (type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
      return "line or paragraph separators";
    }
    return null;
  }

  /** The value as a message may show it: an API key id only redacted. */
  public static String shown(String field, String value) {
    return field.equals("apiKey") || field.equals("apiKeys") ? ApiKeys.redact(value) : value;
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

  /** The longest latency recorded, in nanoseconds: one hour. */
  public static final long MAX_LATENCY_NANOS = 3_600_000_000_000L;

  /**
   * Checks an event's latency in nanoseconds: each -1 (unknown) or 0 to one hour, and the time to
   * first token at most the duration when both are known.
   */
  public static void latency(long durationNanos, long firstTokenNanos) {
    latency("durationNanos", durationNanos);
    latency("timeToFirstTokenNanos", firstTokenNanos);
    if (durationNanos >= 0 && firstTokenNanos > durationNanos) {
      throw new IllegalArgumentException(
          "timeToFirstTokenNanos must be <= durationNanos ("
              + durationNanos
              + "): "
              + firstTokenNanos);
    }
  }

  private static void latency(String field, long nanos) {
    if (nanos < -1) {
      throw new IllegalArgumentException(field + " must be >= 0, or -1 when unknown: " + nanos);
    }
    if (nanos > MAX_LATENCY_NANOS) {
      throw new IllegalArgumentException(
          field + " must be <= " + MAX_LATENCY_NANOS + " (one hour): " + nanos);
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

  /** Earliest instant a query may name: 0001-01-01T00:00:00Z. */
  public static final Instant MIN_QUERY_INSTANT = Instant.parse("0001-01-01T00:00:00Z");

  /** Latest instant a query may name: 10000-01-01T00:00:00Z. */
  public static final Instant MAX_QUERY_INSTANT = Instant.parse("+10000-01-01T00:00:00Z");

  /** Checks that a query bound lies in years 1 to 9999 (UTC), so bucket arithmetic cannot fail. */
  public static Instant queryInstant(String field, Instant value) {
    Objects.requireNonNull(value, field);
    if (value.isBefore(MIN_QUERY_INSTANT) || value.isAfter(MAX_QUERY_INSTANT)) {
      throw new IllegalArgumentException(
          field
              + " must be between "
              + MIN_QUERY_INSTANT
              + " and "
              + MAX_QUERY_INSTANT
              + ": "
              + value);
    }
    return value;
  }

  private static String printable(String value) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length() && i < 64; ) {
      int cp = value.codePointAt(i);
      if (refusal(cp) != null) {
        sb.append("\\u").append(String.format("%04X", cp));
      } else {
        sb.appendCodePoint(cp);
      }
      i += Character.charCount(cp);
    }
    return sb.toString();
  }
}
