package dev.usagestats.micrometer;

import java.util.Objects;

/**
 * Argument checks of this module's builders. Messages name the field, the rule and the value, as
 * usage-core's do: {@code "maxMeterSeries must be >= 1: 0"}.
 */
final class Args {
  /** Longest tag value accepted from a builder, in characters. */
  static final int MAX_TAG_VALUE_LENGTH = 256;

  private Args() {}

  /** Checks {@code value >= min}. */
  static int atLeast(String field, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be >= " + min + ": " + value);
    }
    return value;
  }

  /** Checks a tag value: not null, not blank, at most 256 characters, no control characters. */
  static String tagValue(String field, String value) {
    Objects.requireNonNull(value, field);
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank: '" + value + "'");
    }
    if (value.length() > MAX_TAG_VALUE_LENGTH) {
      throw new IllegalArgumentException(
          field
              + " must be at most "
              + MAX_TAG_VALUE_LENGTH
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
                + i);
      }
    }
    return value;
  }
}
