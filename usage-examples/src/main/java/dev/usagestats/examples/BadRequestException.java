package dev.usagestats.examples;

import org.jspecify.annotations.Nullable;

/** A request the API refuses, naming the parameter and the value; answered with HTTP 400. */
final class BadRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String field;
  private final @Nullable String value;

  BadRequestException(String field, @Nullable String value, String message) {
    super(message);
    this.field = field;
    this.value = value;
  }

  String field() {
    return field;
  }

  @Nullable String value() {
    return value;
  }
}
