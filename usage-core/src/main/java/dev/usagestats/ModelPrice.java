package dev.usagestats;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The unit prices of one model under one price version, per million tokens, in the currency of the
 * {@link PriceBook} that holds it. Value-based and immutable.
 *
 * <p>How a usage is priced ({@link #cost}): cached-read and cache-creation tokens are parts of the
 * input tokens, priced at their own rates and not again at the input rate; reasoning tokens are
 * part of the output tokens, priced at the reasoning rate where one is given and otherwise as
 * output, never twice. The fee per call applies to every call, errors included (a provider that
 * bills no failed call is given a zero fee). Nothing is rounded.
 *
 * <pre>{@code
 * // gpt-4o: $2.50 input, $1.25 cached input, $10 output per million tokens
 * ModelPrice p = ModelPrice.of(new BigDecimal("2.50"), new BigDecimal("10"))
 *     .withCachedInput(new BigDecimal("1.25"));
 * }</pre>
 *
 * @param input price of one million uncached input tokens
 * @param cachedInput price of one million input tokens read from a prompt cache
 * @param cacheCreationInput price of one million input tokens written to a prompt cache
 * @param output price of one million output tokens that are not reasoning tokens
 * @param reasoningOutput price of one million reasoning tokens, or null to price them as output
 * @param perCall fee per call, errors included
 * @param ignoredTiers price tiers of the source this price does not apply (for example LiteLLM's
 *     {@code input_cost_per_token_above_200k_tokens}): the cost of usage that falls in such a tier
 *     is understated, and reports list these
 */
public record ModelPrice(
    BigDecimal input,
    BigDecimal cachedInput,
    BigDecimal cacheCreationInput,
    BigDecimal output,
    @Nullable BigDecimal reasoningOutput,
    BigDecimal perCall,
    Set<String> ignoredTiers) {

  /** Checks that every price is set and not negative, and copies the tiers in order. */
  public ModelPrice {
    check("input", input);
    check("cachedInput", cachedInput);
    check("cacheCreationInput", cacheCreationInput);
    check("output", output);
    if (reasoningOutput != null) check("reasoningOutput", reasoningOutput);
    check("perCall", perCall);
    Objects.requireNonNull(ignoredTiers, "ignoredTiers");
    ignoredTiers = java.util.Collections.unmodifiableSet(new TreeSet<>(ignoredTiers));
  }

  private static void check(String field, BigDecimal value) {
    Objects.requireNonNull(value, field);
    if (value.signum() < 0) {
      throw new IllegalArgumentException(field + " must be >= 0: " + value.toPlainString());
    }
  }

  /**
   * Input and output prices per million tokens; cached-read and cache-creation input at the input
   * price, reasoning as output, no fee per call.
   */
  public static ModelPrice of(BigDecimal input, BigDecimal output) {
    return new ModelPrice(input, input, input, output, null, BigDecimal.ZERO, Set.of());
  }

  /** This price with another price per million cached-read input tokens. */
  public ModelPrice withCachedInput(BigDecimal cachedInput) {
    return new ModelPrice(
        input, cachedInput, cacheCreationInput, output, reasoningOutput, perCall, ignoredTiers);
  }

  /** This price with another price per million cache-creation input tokens. */
  public ModelPrice withCacheCreationInput(BigDecimal cacheCreationInput) {
    return new ModelPrice(
        input, cachedInput, cacheCreationInput, output, reasoningOutput, perCall, ignoredTiers);
  }

  /** This price with a price per million reasoning tokens. */
  public ModelPrice withReasoningOutput(BigDecimal reasoningOutput) {
    return new ModelPrice(
        input,
        cachedInput,
        cacheCreationInput,
        output,
        Objects.requireNonNull(reasoningOutput, "reasoningOutput"),
        perCall,
        ignoredTiers);
  }

  /** This price with a fee per call. */
  public ModelPrice withPerCall(BigDecimal perCall) {
    return new ModelPrice(
        input, cachedInput, cacheCreationInput, output, reasoningOutput, perCall, ignoredTiers);
  }

  /** This price, noting tiers of its source that it does not apply. */
  public ModelPrice withIgnoredTiers(Set<String> ignoredTiers) {
    return new ModelPrice(
        input, cachedInput, cacheCreationInput, output, reasoningOutput, perCall, ignoredTiers);
  }

  /** The price per million reasoning tokens that applies: the reasoning price, else output. */
  public BigDecimal effectiveReasoningOutput() {
    return reasoningOutput != null ? reasoningOutput : output;
  }

  /**
   * The exact cost of {@code usage} at these prices, unrounded: uncached input (input minus
   * cached-read minus cache-creation) at the input price, cached-read and cache-creation tokens at
   * theirs, output minus reasoning at the output price, reasoning at the reasoning price, and the
   * fee for every call.
   */
  public BigDecimal cost(UsageTotals usage) {
    long uncached =
        usage.inputTokens() - usage.cachedInputTokens() - usage.cacheCreationInputTokens();
    long plainOutput = usage.outputTokens() - usage.reasoningTokens();
    BigDecimal tokens =
        input
            .multiply(BigDecimal.valueOf(uncached))
            .add(cachedInput.multiply(BigDecimal.valueOf(usage.cachedInputTokens())))
            .add(cacheCreationInput.multiply(BigDecimal.valueOf(usage.cacheCreationInputTokens())))
            .add(output.multiply(BigDecimal.valueOf(plainOutput)))
            .add(effectiveReasoningOutput().multiply(BigDecimal.valueOf(usage.reasoningTokens())));
    // Prices are per million tokens: a shift of the decimal point, exact, no division.
    BigDecimal cost = tokens.movePointLeft(6);
    if (perCall.signum() != 0) cost = cost.add(perCall.multiply(BigDecimal.valueOf(usage.calls())));
    return cost;
  }
}
