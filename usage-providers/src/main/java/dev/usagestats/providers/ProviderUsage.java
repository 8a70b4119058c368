package dev.usagestats.providers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.usagestats.Outcome;
import dev.usagestats.UsageStats;
import java.util.Objects;

/**
 * Reads a provider's usage object and returns its {@link TokenUsage}: input including cache reads
 * and writes, output including reasoning, whatever the provider's own convention.
 *
 * <pre>{@code
 * JsonNode response = mapper.readTree(httpResponseBody);
 * TokenUsage u = ProviderUsage.openAiChat(response.get("usage"));
 * ProviderUsage.record(stats, "acme", "key-7f3a", response.get("model").asText(), u, Outcome.SUCCESS);
 * }</pre>
 *
 * <p>Each method takes the usage object itself ({@code usage}; {@code usageMetadata} for Gemini) or
 * the whole response holding it under that name. A missing or null count reads as 0. A count that
 * is negative, fractional, not a number or beyond a {@code long}, and a part larger than its whole
 * (cached tokens above prompt tokens), throw {@link IllegalArgumentException} naming the JSON field
 * and the value. The rules and their sources are in the module README.
 *
 * <p>Stateless and thread-safe. For streamed responses see {@link StreamUsage}.
 */
public final class ProviderUsage {
  private ProviderUsage() {}

  /**
   * The usage of one response of {@code provider}.
   *
   * @param usage the usage object, or the response holding it
   * @throws IllegalArgumentException if a count is invalid or the counts contradict each other
   */
  public static TokenUsage from(Provider provider, JsonNode usage) {
    Objects.requireNonNull(provider, "provider");
    switch (provider) {
      case OPENAI_CHAT:
        return openAiChat(usage);
      case OPENAI_RESPONSES:
        return openAiResponses(usage);
      case ANTHROPIC:
        return anthropic(usage);
      case GEMINI:
        return gemini(usage);
      case DEEPSEEK:
        return deepSeek(usage);
    }
    throw new AssertionError(provider);
  }

  /**
   * OpenAI Chat Completions: {@code prompt_tokens} already includes {@code
   * prompt_tokens_details.cached_tokens}, and {@code completion_tokens} already includes {@code
   * completion_tokens_details.reasoning_tokens}. OpenAI does not report cache writes.
   *
   * @throws IllegalArgumentException if a count is invalid or cached exceeds prompt tokens
   */
  public static TokenUsage openAiChat(JsonNode usage) {
    UsageFields f = UsageFields.of("OpenAI chat usage", usage, "usage");
    long prompt = f.count("prompt_tokens");
    long cached = f.count("prompt_tokens_details.cached_tokens");
    long completion = f.count("completion_tokens");
    long reasoning = f.count("completion_tokens_details.reasoning_tokens");
    f.partOf("prompt_tokens_details.cached_tokens", cached, "prompt_tokens", prompt);
    f.partOf(
        "completion_tokens_details.reasoning_tokens", reasoning, "completion_tokens", completion);
    return f.usage(prompt, completion, cached, 0, reasoning);
  }

  /**
   * OpenAI Responses: {@code input_tokens} includes {@code input_tokens_details.cached_tokens};
   * {@code output_tokens} includes {@code output_tokens_details.reasoning_tokens}.
   *
   * @throws IllegalArgumentException if a count is invalid or a part exceeds its whole
   */
  public static TokenUsage openAiResponses(JsonNode usage) {
    UsageFields f = UsageFields.of("OpenAI responses usage", usage, "usage");
    long input = f.count("input_tokens");
    long cached = f.count("input_tokens_details.cached_tokens");
    long output = f.count("output_tokens");
    long reasoning = f.count("output_tokens_details.reasoning_tokens");
    f.partOf("input_tokens_details.cached_tokens", cached, "input_tokens", input);
    f.partOf("output_tokens_details.reasoning_tokens", reasoning, "output_tokens", output);
    return f.usage(input, output, cached, 0, reasoning);
  }

  /**
   * Anthropic Messages: {@code input_tokens} counts only the tokens after the last cache
   * breakpoint, <em>excluding</em> {@code cache_read_input_tokens} and {@code
   * cache_creation_input_tokens}; input is the sum of the three. When {@code
   * cache_creation_input_tokens} is absent, the {@code cache_creation} breakdown ({@code
   * ephemeral_5m_input_tokens + ephemeral_1h_input_tokens}) is used. Thinking tokens are inside
   * {@code output_tokens} and not reported apart, so reasoning is 0.
   *
   * @throws IllegalArgumentException if a count is invalid or the sum overflows
   */
  public static TokenUsage anthropic(JsonNode usage) {
    UsageFields f = UsageFields.of("Anthropic usage", usage, "usage");
    long uncached = f.count("input_tokens");
    long read = f.count("cache_read_input_tokens");
    long creation;
    if (f.has("cache_creation_input_tokens")) {
      creation = f.count("cache_creation_input_tokens");
    } else {
      creation =
          f.sum(
              "cache_creation.ephemeral_5m_input_tokens",
              f.count("cache_creation.ephemeral_5m_input_tokens"),
              "cache_creation.ephemeral_1h_input_tokens",
              f.count("cache_creation.ephemeral_1h_input_tokens"));
    }
    long input =
        f.sum(
            "input_tokens + cache_read_input_tokens",
            f.sum("input_tokens", uncached, "cache_read_input_tokens", read),
            "cache_creation_input_tokens",
            creation);
    return f.usage(input, f.count("output_tokens"), read, creation, 0);
  }

  /**
   * Gemini {@code usageMetadata}: {@code promptTokenCount} includes {@code
   * cachedContentTokenCount}; {@code toolUsePromptTokenCount} is apart and counts as input; {@code
   * candidatesTokenCount} <em>excludes</em> {@code thoughtsTokenCount}, so output is their sum and
   * reasoning the thoughts.
   *
   * @param usage the {@code usageMetadata} object, or the response holding it
   * @throws IllegalArgumentException if a count is invalid or cached exceeds prompt tokens
   */
  public static TokenUsage gemini(JsonNode usage) {
    UsageFields f = UsageFields.of("Gemini usageMetadata", usage, "usageMetadata");
    long prompt = f.count("promptTokenCount");
    long cached = f.count("cachedContentTokenCount");
    f.partOf("cachedContentTokenCount", cached, "promptTokenCount", prompt);
    long toolUse = f.count("toolUsePromptTokenCount");
    long candidates = f.count("candidatesTokenCount");
    long thoughts = f.count("thoughtsTokenCount");
    long input = f.sum("promptTokenCount", prompt, "toolUsePromptTokenCount", toolUse);
    long output = f.sum("candidatesTokenCount", candidates, "thoughtsTokenCount", thoughts);
    return f.usage(input, output, cached, 0, thoughts);
  }

  /**
   * DeepSeek: {@code prompt_tokens} = {@code prompt_cache_hit_tokens} + {@code
   * prompt_cache_miss_tokens}; cached is the hits (or, without them, {@code
   * prompt_tokens_details.cached_tokens}); {@code completion_tokens} includes {@code
   * completion_tokens_details.reasoning_tokens}. Without {@code prompt_tokens}, input is hits plus
   * misses.
   *
   * @throws IllegalArgumentException if a count is invalid, hits plus misses differ from {@code
   *     prompt_tokens}, or a part exceeds its whole
   */
  public static TokenUsage deepSeek(JsonNode usage) {
    UsageFields f = UsageFields.of("DeepSeek usage", usage, "usage");
    long hit =
        f.has("prompt_cache_hit_tokens")
            ? f.count("prompt_cache_hit_tokens")
            : f.count("prompt_tokens_details.cached_tokens");
    long prompt;
    if (f.has("prompt_tokens")) {
      prompt = f.count("prompt_tokens");
      if (f.has("prompt_cache_hit_tokens") && f.has("prompt_cache_miss_tokens")) {
        long miss = f.count("prompt_cache_miss_tokens");
        long sum = f.sum("prompt_cache_hit_tokens", hit, "prompt_cache_miss_tokens", miss);
        if (sum != prompt) {
          throw new IllegalArgumentException(
              "DeepSeek usage: prompt_cache_hit_tokens + prompt_cache_miss_tokens must equal"
                  + " prompt_tokens ("
                  + prompt
                  + "): "
                  + hit
                  + " + "
                  + miss);
        }
      }
    } else {
      prompt =
          f.sum(
              "prompt_cache_hit_tokens",
              hit,
              "prompt_cache_miss_tokens",
              f.count("prompt_cache_miss_tokens"));
    }
    String cachedField =
        f.has("prompt_cache_hit_tokens")
            ? "prompt_cache_hit_tokens"
            : "prompt_tokens_details.cached_tokens";
    f.partOf(cachedField, hit, "prompt_tokens", prompt);
    long completion = f.count("completion_tokens");
    long reasoning = f.count("completion_tokens_details.reasoning_tokens");
    f.partOf(
        "completion_tokens_details.reasoning_tokens", reasoning, "completion_tokens", completion);
    return f.usage(prompt, completion, hit, 0, reasoning);
  }

  /**
   * Records one invocation with these counts into {@code stats}, now: the engine keeps input,
   * output, cached-read, cache-creation and reasoning tokens, with the same meaning as {@link
   * TokenUsage}.
   *
   * @throws IllegalArgumentException if a name is invalid or a count exceeds the engine's limit;
   *     nothing is recorded
   * @throws NullPointerException if an argument is null; nothing is recorded
   */
  public static void record(
      UsageStats stats,
      String tenant,
      String apiKey,
      String model,
      TokenUsage usage,
      Outcome outcome) {
    Objects.requireNonNull(stats, "stats");
    Objects.requireNonNull(usage, "usage");
    stats.record(
        tenant,
        apiKey,
        model,
        usage.inputTokens(),
        usage.outputTokens(),
        usage.cachedInputTokens(),
        usage.cacheCreationInputTokens(),
        usage.reasoningTokens(),
        outcome);
  }
}
