package dev.usagestats.langchain4j;

import dev.langchain4j.model.googleai.GoogleAiGeminiTokenUsage;
import dev.usagestats.providers.TokenUsage;

/**
 * Gemini's counts: LangChain4j's {@code outputTokenCount} is Gemini's {@code candidatesTokenCount},
 * which excludes {@code thoughtsTokenCount}, so output is their sum and reasoning the thoughts;
 * {@code inputTokenCount} ({@code promptTokenCount}) already includes {@code
 * cachedContentTokenCount}. Loaded only when langchain4j-google-ai-gemini is present.
 */
final class GeminiTokens {
  private GeminiTokens() {}

  static boolean applies(dev.langchain4j.model.output.TokenUsage usage) {
    return usage instanceof GoogleAiGeminiTokenUsage;
  }

  static TokenUsage of(dev.langchain4j.model.output.TokenUsage usage) {
    GoogleAiGeminiTokenUsage u = (GoogleAiGeminiTokenUsage) usage;
    long thoughts = Tokens.count(u.thoughtsTokenCount());
    long output = Tokens.count(u.outputTokenCount()) + thoughts; // ints: cannot overflow
    return new TokenUsage(
        Tokens.count(u.inputTokenCount()),
        output,
        Tokens.count(u.cachedContentTokenCount()),
        0,
        thoughts);
  }
}
