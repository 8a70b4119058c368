package dev.usagestats.providers;

/**
 * The token counts of one model invocation, normalised: the same meaning whichever provider
 * reported them.
 *
 * <p>{@code inputTokens} is every prompt token, <em>including</em> those read from a prompt cache
 * ({@code cachedInputTokens}) and those written to it ({@code cacheCreationInputTokens}); {@code
 * outputTokens} is every generated token, <em>including</em> reasoning ({@code reasoningTokens}).
 * The parts are never added on top of their wholes: the total is input plus output.
 *
 * <pre>{@code
 * TokenUsage u = ProviderUsage.anthropic(response.get("usage"));
 * long billedInput = u.inputTokens(); // input_tokens + cache reads + cache writes
 * }</pre>
 *
 * <p>The compact constructor checks every count: none negative, {@code cachedInputTokens +
 * cacheCreationInputTokens <= inputTokens}, {@code reasoningTokens <= outputTokens}. A violation
 * throws {@link IllegalArgumentException} naming the field and the value.
 *
 * @param inputTokens prompt tokens, including cache reads and cache writes
 * @param outputTokens generated tokens, including reasoning
 * @param cachedInputTokens part of {@code inputTokens} read from a prompt cache
 * @param cacheCreationInputTokens part of {@code inputTokens} written to a prompt cache
 * @param reasoningTokens part of {@code outputTokens} spent on reasoning (thinking)
 */
public record TokenUsage(
    long inputTokens,
    long outputTokens,
    long cachedInputTokens,
    long cacheCreationInputTokens,
    long reasoningTokens) {

  /** No tokens at all. */
  public static final TokenUsage ZERO = new TokenUsage(0, 0, 0, 0, 0);

  /** Checks every count and that the parts fit in their wholes. */
  public TokenUsage {
    notNegative("inputTokens", inputTokens);
    notNegative("outputTokens", outputTokens);
    notNegative("cachedInputTokens", cachedInputTokens);
    notNegative("cacheCreationInputTokens", cacheCreationInputTokens);
    notNegative("reasoningTokens", reasoningTokens);
    // Both counts are >= 0 here, so neither subtraction can overflow.
    if (cachedInputTokens > inputTokens - cacheCreationInputTokens) {
      throw new IllegalArgumentException(
          "cachedInputTokens + cacheCreationInputTokens must be <= inputTokens ("
              + inputTokens
              + "): "
              + cachedInputTokens
              + " + "
              + cacheCreationInputTokens);
    }
    if (reasoningTokens > outputTokens) {
      throw new IllegalArgumentException(
          "reasoningTokens must be <= outputTokens (" + outputTokens + "): " + reasoningTokens);
    }
  }

  /** Plain input and output counts, with no cache or reasoning parts. */
  public static TokenUsage of(long inputTokens, long outputTokens) {
    return new TokenUsage(inputTokens, outputTokens, 0, 0, 0);
  }

  /** Input plus output: what the invocation used in all. */
  public long totalTokens() {
    return Math.addExact(inputTokens, outputTokens);
  }

  /** Input tokens neither read from nor written to a prompt cache. */
  public long uncachedInputTokens() {
    return inputTokens - cachedInputTokens - cacheCreationInputTokens;
  }

  /**
   * The sum of this usage and {@code other}, count by count.
   *
   * @throws ArithmeticException if a sum overflows a {@code long}
   */
  public TokenUsage plus(TokenUsage other) {
    return new TokenUsage(
        Math.addExact(inputTokens, other.inputTokens),
        Math.addExact(outputTokens, other.outputTokens),
        Math.addExact(cachedInputTokens, other.cachedInputTokens),
        Math.addExact(cacheCreationInputTokens, other.cacheCreationInputTokens),
        Math.addExact(reasoningTokens, other.reasoningTokens));
  }

  private static void notNegative(String field, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must be >= 0: " + value);
    }
  }
}
