package dev.usagestats.langchain4j;

import dev.usagestats.providers.TokenUsage;
import org.jspecify.annotations.Nullable;

/**
 * Maps LangChain4j's token usage types onto {@link TokenUsage}, following the rules of
 * usage-providers. The provider-specific types are read only when their module is on the class
 * path: each lives behind a holder class that the JVM loads on first use.
 */
final class Tokens {
  private static final boolean OPEN_AI = present("dev.langchain4j.model.openai.OpenAiTokenUsage");
  private static final boolean ANTHROPIC =
      present("dev.langchain4j.model.anthropic.AnthropicTokenUsage");
  private static final boolean GEMINI =
      present("dev.langchain4j.model.googleai.GoogleAiGeminiTokenUsage");

  private Tokens() {}

  /**
   * The normalised usage of {@code usage}; {@link TokenUsage#ZERO} when LangChain4j reported none.
   *
   * @throws IllegalArgumentException if the counts are negative or contradict each other
   */
  static TokenUsage of(dev.langchain4j.model.output.@Nullable TokenUsage usage) {
    if (usage == null) {
      return TokenUsage.ZERO;
    }
    if (OPEN_AI && OpenAiTokens.applies(usage)) {
      return OpenAiTokens.of(usage);
    }
    if (ANTHROPIC && AnthropicTokens.applies(usage)) {
      return AnthropicTokens.of(usage);
    }
    if (GEMINI && GeminiTokens.applies(usage)) {
      return GeminiTokens.of(usage);
    }
    return TokenUsage.of(count(usage.inputTokenCount()), count(usage.outputTokenCount()));
  }

  /** A count LangChain4j may leave null: null is 0. */
  static long count(@Nullable Integer value) {
    return value == null ? 0 : value;
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, Tokens.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
