package dev.usagestats.prices;

import java.util.Objects;

/**
 * An entry of a price file that was not loaded, and why (not a model, or not priced per token).
 *
 * @param model the entry's name in the file
 * @param reason why it was skipped
 */
public record SkippedEntry(String model, String reason) {
  /** Checks that nothing is null. */
  public SkippedEntry {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(reason, "reason");
  }
}
