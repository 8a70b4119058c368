package dev.usagestats.prices;

import org.jspecify.annotations.Nullable;

/**
 * A price file that cannot be loaded: bad JSON, or a model entry with a missing, negative or
 * non-numeric price, an unknown currency, a duplicate model. The message names the model and the
 * field where there is one. Loading has no side effect, so a price book already in force stays in
 * force.
 */
public final class PriceFileException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String model;
  private final @Nullable String field;

  PriceFileException(
      @Nullable String model, @Nullable String field, String message, @Nullable Throwable cause) {
    super(describe(model, field) + message, cause);
    this.model = model;
    this.field = field;
  }

  private static String describe(@Nullable String model, @Nullable String field) {
    StringBuilder b = new StringBuilder("price file: ");
    if (model != null) b.append("model '").append(model).append("' ");
    if (field != null) b.append("field '").append(field).append("' ");
    return b.toString();
  }

  /** The model (entry) the error is in, or null if it is not in one. */
  public @Nullable String model() {
    return model;
  }

  /** The field the error is in, or null. */
  public @Nullable String field() {
    return field;
  }
}
