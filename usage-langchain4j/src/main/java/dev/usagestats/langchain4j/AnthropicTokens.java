package dev.usagestats.langchain4j;

import dev.langchain4j.model.anthropic.AnthropicTokenUsage;
import dev.usagestats.providers.TokenUsage;

/**
 * Anthropic's counts: LangChain4j's {@code inputTokenCount} is Anthropic's {@code input_tokens},
 * which excludes cache reads and writes, so input is the sum of the three. Loaded only when
 * langchain4j-anthropic is present.
 */
final class AnthropicTokens {
  private AnthropicTokens() {}

  static boolean applies(dev.langchain4j.model.output.TokenUsage usage) {
    return usage instanceof AnthropicTokenUsage;
  }

  static TokenUsage of(dev.langchain4j.model.output.TokenUsage usage) {
    AnthropicTokenUsage u = (AnthropicTokenUsage) usage;
    long read = Tokens.count(u.cacheReadInputTokens());
    long creation = Tokens.count(u.cacheCreationInputTokens());
    long input = Tokens.count(u.inputTokenCount()) + read + creation; // ints: cannot overflow
    return new TokenUsage(input, Tokens.count(u.outputTokenCount()), read, creation, 0);
  }
}
