package dev.usagestats;

import java.math.BigDecimal;

/**
 * Counts summed over some events. Value-based and immutable; combine with {@link #plus}.
 *
 * <p>K-token accessors return exact decimals ({@code 1234} tokens is {@code 1.234} K tokens).
 *
 * @param calls invocations, errors included
 * @param errors invocations that ended in error
 * @param inputTokens prompt tokens
 * @param outputTokens completion tokens
 * @param cachedInputTokens part of the input tokens read from a prompt cache
 * @param cacheCreationInputTokens part of the input tokens written to a prompt cache
 * @param reasoningTokens part of the output tokens spent on reasoning
 */
public record UsageTotals(
    long calls,
    long errors,
    long inputTokens,
    long outputTokens,
    long cachedInputTokens,
    long cacheCreationInputTokens,
    long reasoningTokens) {

  private static final UsageTotals EMPTY = new UsageTotals(0, 0, 0, 0, 0, 0, 0);

  /** Checks that no count is negative. */
  public UsageTotals {
    if (calls < 0) throw new IllegalArgumentException("calls must be >= 0: " + calls);
    if (errors < 0) throw new IllegalArgumentException("errors must be >= 0: " + errors);
    if (inputTokens < 0) {
      throw new IllegalArgumentException("inputTokens must be >= 0: " + inputTokens);
    }
    if (outputTokens < 0) {
      throw new IllegalArgumentException("outputTokens must be >= 0: " + outputTokens);
    }
    if (cachedInputTokens < 0) {
      throw new IllegalArgumentException("cachedInputTokens must be >= 0: " + cachedInputTokens);
    }
    if (cacheCreationInputTokens < 0) {
      throw new IllegalArgumentException(
          "cacheCreationInputTokens must be >= 0: " + cacheCreationInputTokens);
    }
    if (reasoningTokens < 0) {
      throw new IllegalArgumentException("reasoningTokens must be >= 0: " + reasoningTokens);
    }
  }

  /** All zero. */
  public static UsageTotals empty() {
    return EMPTY;
  }

  /** Input plus output tokens. */
  public long totalTokens() {
    return inputTokens + outputTokens;
  }

  /** Total tokens in thousands, exact. */
  public BigDecimal totalKTokens() {
    return BigDecimal.valueOf(totalTokens(), 3);
  }

  /** Input tokens in thousands, exact. */
  public BigDecimal inputKTokens() {
    return BigDecimal.valueOf(inputTokens, 3);
  }

  /** Output tokens in thousands, exact. */
  public BigDecimal outputKTokens() {
    return BigDecimal.valueOf(outputTokens, 3);
  }

  /** The sum of this and {@code other}. */
  public UsageTotals plus(UsageTotals other) {
    return new UsageTotals(
        calls + other.calls,
        errors + other.errors,
        inputTokens + other.inputTokens,
        outputTokens + other.outputTokens,
        cachedInputTokens + other.cachedInputTokens,
        cacheCreationInputTokens + other.cacheCreationInputTokens,
        reasoningTokens + other.reasoningTokens);
  }
}
