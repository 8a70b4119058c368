package dev.usagestats.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.providers.Provider;
import dev.usagestats.providers.ProviderUsage;
import dev.usagestats.providers.TokenUsage;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.metadata.Usage;

/**
 * Spring AI usage as the engine's counts, by usage-providers' rules. Where Spring AI hands over the
 * provider's own usage object ({@link Usage#getNativeUsage()}: OpenAI's {@code CompletionUsage},
 * Anthropic's {@code Usage}, ...), that object is read as the provider's JSON, so cached and
 * reasoning details count exactly as they do for a direct HTTP call. Otherwise (another provider,
 * or a streamed call, whose aggregated response keeps only Spring AI's generic counts) the generic
 * counts are taken: prompt tokens as input, completion tokens as output, Spring AI's cache-read and
 * cache-write counts as parts of the input, or beside it when they exceed it.
 */
final class SpringAiTokens {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SpringAiTokens() {}

  static TokenUsage of(String provider, @Nullable Usage usage) {
    if (usage == null) return TokenUsage.ZERO;
    Provider p = provider(provider);
    Object nativeUsage = usage.getNativeUsage();
    if (p != null && nativeUsage != null) {
      JsonNode tree = tree(nativeUsage);
      if (tree != null && tree.has(wholeField(p))) return ProviderUsage.from(p, tree);
    }
    return generic(usage);
  }

  /** The usage-providers wire format of a Spring AI provider name, or null if none fits. */
  static @Nullable Provider provider(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "openai":
      case "azure_openai":
      case "mistral_ai":
        return Provider.OPENAI_CHAT;
      case "deepseek":
        return Provider.DEEPSEEK;
      case "anthropic":
        return Provider.ANTHROPIC;
      case "google_genai":
      case "vertex_ai":
        return Provider.GEMINI;
      default:
        return null;
    }
  }

  /** A field every usage object of the format has; without it the object is not that format. */
  private static String wholeField(Provider p) {
    switch (p) {
      case ANTHROPIC:
      case OPENAI_RESPONSES:
        return "input_tokens";
      case GEMINI:
        return "promptTokenCount";
      default:
        return "prompt_tokens";
    }
  }

  private static @Nullable JsonNode tree(Object nativeUsage) {
    try {
      return MAPPER.valueToTree(nativeUsage);
    } catch (IllegalArgumentException notJson) {
      return null;
    }
  }

  private static TokenUsage generic(Usage usage) {
    long prompt = count(usage.getPromptTokens());
    long completion = count(usage.getCompletionTokens());
    long read = count(usage.getCacheReadInputTokens());
    long write = count(usage.getCacheWriteInputTokens());
    long input = read + write > prompt ? prompt + read + write : prompt;
    return new TokenUsage(input, completion, read, write, 0);
  }

  private static long count(@Nullable Number n) {
    return n == null ? 0 : Math.max(0, n.longValue());
  }
}
