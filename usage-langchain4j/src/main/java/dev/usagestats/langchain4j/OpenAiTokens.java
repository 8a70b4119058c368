package dev.usagestats.langchain4j;

import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.usagestats.providers.TokenUsage;

/**
 * OpenAI's counts (chat completions and responses): input already includes cached tokens, output
 * already includes reasoning tokens. Loaded only when langchain4j-open-ai is present.
 */
final class OpenAiTokens {
  private OpenAiTokens() {}

  static boolean applies(dev.langchain4j.model.output.TokenUsage usage) {
    return usage instanceof OpenAiTokenUsage;
  }

  static TokenUsage of(dev.langchain4j.model.output.TokenUsage usage) {
    OpenAiTokenUsage u = (OpenAiTokenUsage) usage;
    long cached =
        u.inputTokensDetails() == null ? 0 : Tokens.count(u.inputTokensDetails().cachedTokens());
    long reasoning =
        u.outputTokensDetails() == null
            ? 0
            : Tokens.count(u.outputTokensDetails().reasoningTokens());
    return new TokenUsage(
        Tokens.count(u.inputTokenCount()),
        Tokens.count(u.outputTokenCount()),
        cached,
        0,
        reasoning);
  }
}
