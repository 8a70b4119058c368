package dev.usagestats;

import java.util.Objects;

/**
 * Peak rates over a span: the most calls and the most input plus output tokens in any one UTC
 * minute of it, with how exact they are. Value-based and immutable.
 *
 * @param callsPerMinute the most calls in one minute (requests per minute, RPM); -1 if unknown
 * @param tokensPerMinute the most input plus output tokens in one minute (TPM); -1 if unknown
 * @param accuracy exact, an upper bound, or unknown (then both values are -1)
 */
public record Peaks(long callsPerMinute, long tokensPerMinute, PeakAccuracy accuracy) {
  private static final Peaks UNKNOWN = new Peaks(-1, -1, PeakAccuracy.UNKNOWN);
  private static final Peaks NONE = new Peaks(0, 0, PeakAccuracy.EXACT);

  /** Checks the values against the accuracy. */
  public Peaks {
    Objects.requireNonNull(accuracy, "accuracy");
    if (accuracy == PeakAccuracy.UNKNOWN) {
      if (callsPerMinute != -1 || tokensPerMinute != -1) {
        throw new IllegalArgumentException(
            "unknown peaks must be -1: " + callsPerMinute + ", " + tokensPerMinute);
      }
    } else {
      if (callsPerMinute < 0) {
        throw new IllegalArgumentException("callsPerMinute must be >= 0: " + callsPerMinute);
      }
      if (tokensPerMinute < 0) {
        throw new IllegalArgumentException("tokensPerMinute must be >= 0: " + tokensPerMinute);
      }
    }
  }

  /** Peaks that are not known. */
  public static Peaks unknown() {
    return UNKNOWN;
  }

  /** No usage: exactly 0. */
  public static Peaks none() {
    return NONE;
  }

  /** Whether the values are known (exact or an upper bound). */
  public boolean isKnown() {
    return accuracy != PeakAccuracy.UNKNOWN;
  }
}
