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

  /** Checks that no count is negative and that input plus output fits in a {@code long}. */
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
    if (inputTokens > Long.MAX_VALUE - outputTokens) {
      throw new IllegalArgumentException(
          "inputTokens + outputTokens must be <= "
              + Long.MAX_VALUE
              + ": "
              + inputTokens
              + " + "
              + outputTokens);
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

  /**
   * The sum of this and {@code other}.
   *
   * @throws ArithmeticException if a sum would pass {@link Long#MAX_VALUE}
   */
  public UsageTotals plus(UsageTotals other) {
    return new UsageTotals(
        Math.addExact(calls, other.calls),
        Math.addExact(errors, other.errors),
        Math.addExact(inputTokens, other.inputTokens),
        Math.addExact(outputTokens, other.outputTokens),
        Math.addExact(cachedInputTokens, other.cachedInputTokens),
        Math.addExact(cacheCreationInputTokens, other.cacheCreationInputTokens),
        Math.addExact(reasoningTokens, other.reasoningTokens));
  }
}
