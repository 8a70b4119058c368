package dev.usagestats.http;

import org.jspecify.annotations.Nullable;

/**
 * A request the usage API refuses, naming the parameter and the value; servers answer it with HTTP
 * 400 and {@link ReportJson#error(String, String, String)}.
 */
public final class BadRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String field;
  private final @Nullable String value;

  BadRequestException(String field, @Nullable String value, String message) {
    super(message);
    this.field = field;
    this.value = value;
  }

  /** The parameter that was refused, for example {@code zone}. */
  public String field() {
    return field;
  }

  /** The value that was refused, or null if the parameter was missing. */
  public @Nullable String value() {
    return value;
  }
}
