package dev.usagestats.providers;

import static dev.usagestats.providers.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.junit.jupiter.api.Test;

/**
 * One response per provider, shaped as in the provider's documentation, checked against counts
 * worked out by hand from the rules in the README.
 */
class ProviderUsageTest {

  // OpenAI prompt caching guide: a chat completion whose prompt was mostly cached.
  static final String OPENAI_CHAT_CACHED =
      """
      {
        "id": "chatcmpl-123",
        "object": "chat.completion",
        "created": 1741569952,
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"},
                     "finish_reason": "stop"}],
        "usage": {
          "prompt_tokens": 2006,
          "completion_tokens": 300,
          "total_tokens": 2306,
          "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0},
          "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
            "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
        }
      }
      """;

  // OpenAI reasoning models on chat completions: reasoning tokens are inside completion_tokens.
  static final String OPENAI_CHAT_REASONING =
      """
      {
        "object": "chat.completion",
        "model": "o3-mini-2025-01-31",
        "usage": {
          "prompt_tokens": 81,
          "completion_tokens": 1186,
          "total_tokens": 1267,
          "prompt_tokens_details": {"cached_tokens": 0},
          "completion_tokens_details": {"reasoning_tokens": 1024}
        }
      }
      """;

  // OpenAI Responses API reasoning guide.
  static final String OPENAI_RESPONSES =
      """
      {
        "id": "resp_67c...",
        "object": "response",
        "model": "o4-mini-2025-04-16",
        "status": "completed",
        "usage": {
          "input_tokens": 75,
          "input_tokens_details": {"cached_tokens": 64},
          "output_tokens": 1186,
          "output_tokens_details": {"reasoning_tokens": 1024},
          "total_tokens": 1261
        }
      }
      """;

  // Anthropic prompt caching guide: the first call writes the cache, the second reads it.
  static final String ANTHROPIC_CACHE_WRITE =
      """
      {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": "..."}],
        "stop_reason": "end_turn",
        "usage": {
          "input_tokens": 21,
          "cache_creation_input_tokens": 188086,
          "cache_read_input_tokens": 0,
          "cache_creation": {"ephemeral_5m_input_tokens": 188086, "ephemeral_1h_input_tokens": 0},
          "output_tokens": 393,
          "service_tier": "standard"
        }
      }
      """;

  static final String ANTHROPIC_CACHE_READ =
      """
      {"input_tokens": 21, "cache_creation_input_tokens": 0,
       "cache_read_input_tokens": 188086, "output_tokens": 393}
      """;

  // Gemini usageMetadata of a thinking model with cached content and a tool-use prompt.
  static final String GEMINI =
      """
      {
        "candidates": [{"content": {"parts": [{"text": "..."}], "role": "model"}}],
        "usageMetadata": {
          "promptTokenCount": 12000,
          "cachedContentTokenCount": 11000,
          "candidatesTokenCount": 250,
          "toolUsePromptTokenCount": 40,
          "thoughtsTokenCount": 900,
          "totalTokenCount": 13190,
          "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 12000}]
        },
        "modelVersion": "gemini-2.5-flash"
      }
      """;

  // DeepSeek context caching guide: prompt_tokens = hits + misses; deepseek-reasoner output.
  static final String DEEPSEEK =
      """
      {
        "model": "deepseek-reasoner",
        "usage": {
          "prompt_tokens": 1500,
          "completion_tokens": 800,
          "total_tokens": 2300,
          "prompt_tokens_details": {"cached_tokens": 1024},
          "completion_tokens_details": {"reasoning_tokens": 650},
          "prompt_cache_hit_tokens": 1024,
          "prompt_cache_miss_tokens": 476
        }
      }
      """;

  @Test
  void openAiChat_cachedTokensAreInsidePromptTokens() {
    TokenUsage u = ProviderUsage.openAiChat(parse(OPENAI_CHAT_CACHED).get("usage"));
    assertThat(u).isEqualTo(new TokenUsage(2006, 300, 1920, 0, 0));
    assertThat(u.totalTokens()).isEqualTo(2306); // the response's own total_tokens
  }

  @Test
  void openAiChat_reasoningTokensAreInsideCompletionTokens() {
    TokenUsage u = ProviderUsage.openAiChat(parse(OPENAI_CHAT_REASONING));
    assertThat(u).isEqualTo(new TokenUsage(81, 1186, 0, 0, 1024));
    assertThat(u.totalTokens()).isEqualTo(1267);
  }

  @Test
  void openAiChat_wholeResponseOrUsageObject() {
    JsonNode response = parse(OPENAI_CHAT_CACHED);
    assertThat(ProviderUsage.openAiChat(response))
        .isEqualTo(ProviderUsage.openAiChat(response.get("usage")));
  }

  @Test
  void openAiChat_missingDetailsAreZero() {
    assertThat(ProviderUsage.openAiChat(parse("{\"prompt_tokens\": 7, \"completion_tokens\": 3}")))
        .isEqualTo(TokenUsage.of(7, 3));
    assertThat(
            ProviderUsage.openAiChat(
                parse(
                    "{\"prompt_tokens\": 7, \"completion_tokens\": null,"
                        + " \"prompt_tokens_details\": null}")))
        .isEqualTo(TokenUsage.of(7, 0));
  }

  @Test
  void openAiChat_cachedAbovePrompt() {
    JsonNode usage =
        parse("{\"prompt_tokens\": 10, \"prompt_tokens_details\": {\"cached_tokens\": 11}}");
    assertThatThrownBy(() -> ProviderUsage.openAiChat(usage))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "OpenAI chat usage: prompt_tokens_details.cached_tokens must be <= prompt_tokens"
                + " (10): 11");
  }

  @Test
  void openAiChat_negativeCount() {
    assertThatThrownBy(() -> ProviderUsage.openAiChat(parse("{\"prompt_tokens\": -5}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "OpenAI chat usage: prompt_tokens must be an integer from 0 to "
                + Long.MAX_VALUE
                + ": -5");
  }

  @Test
  void openAiChat_nonIntegerCount() {
    assertThatThrownBy(
            () ->
                ProviderUsage.openAiChat(
                    parse("{\"completion_tokens_details\": {\"reasoning_tokens\": 1.5}}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("completion_tokens_details.reasoning_tokens")
        .hasMessageEndingWith(": 1.5");
    assertThatThrownBy(() -> ProviderUsage.openAiChat(parse("{\"prompt_tokens\": \"12\"}")))
        .hasMessageEndingWith(
            "prompt_tokens must be an integer from 0 to " + Long.MAX_VALUE + ": \"12\"");
    assertThatThrownBy(
            () -> ProviderUsage.openAiChat(parse("{\"prompt_tokens\": 99999999999999999999}")))
        .hasMessageEndingWith(": 99999999999999999999");
  }

  @Test
  void openAiChat_integralFloatIsAccepted() {
    assertThat(ProviderUsage.openAiChat(parse("{\"prompt_tokens\": 12.0}")))
        .isEqualTo(TokenUsage.of(12, 0));
  }

  @Test
  void openAiChat_notAnObject() {
    assertThatThrownBy(() -> ProviderUsage.openAiChat(JsonNodeFactory.instance.nullNode()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("OpenAI chat usage must be a JSON object: null");
    assertThatThrownBy(() -> ProviderUsage.openAiChat(MissingNode.getInstance()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProviderUsage.openAiChat(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("usage");
  }

  @Test
  void openAiResponses_detailsAreParts() {
    TokenUsage u = ProviderUsage.openAiResponses(parse(OPENAI_RESPONSES));
    assertThat(u).isEqualTo(new TokenUsage(75, 1186, 64, 0, 1024));
    assertThat(u.totalTokens()).isEqualTo(1261);
  }

  @Test
  void openAiResponses_reasoningAboveOutput() {
    JsonNode usage =
        parse("{\"output_tokens\": 5, \"output_tokens_details\": {\"reasoning_tokens\": 6}}");
    assertThatThrownBy(() -> ProviderUsage.openAiResponses(usage))
        .hasMessage(
            "OpenAI responses usage: output_tokens_details.reasoning_tokens must be <="
                + " output_tokens (5): 6");
  }

  @Test
  void anthropic_inputIsTheSumOfUncachedReadAndWritten() {
    TokenUsage write = ProviderUsage.anthropic(parse(ANTHROPIC_CACHE_WRITE));
    assertThat(write).isEqualTo(new TokenUsage(21 + 188086, 393, 0, 188086, 0));
    TokenUsage read = ProviderUsage.anthropic(parse(ANTHROPIC_CACHE_READ));
    assertThat(read).isEqualTo(new TokenUsage(21 + 188086, 393, 188086, 0, 0));
    assertThat(read.uncachedInputTokens()).isEqualTo(21);
  }

  @Test
  void anthropic_cacheCreationBreakdownWhenTotalAbsent() {
    JsonNode usage =
        parse(
            "{\"input_tokens\": 3, \"output_tokens\": 2, \"cache_creation\":"
                + " {\"ephemeral_5m_input_tokens\": 100, \"ephemeral_1h_input_tokens\": 50}}");
    assertThat(ProviderUsage.anthropic(usage)).isEqualTo(new TokenUsage(153, 2, 0, 150, 0));
  }

  @Test
  void anthropic_sumOverflows() {
    JsonNode usage =
        parse("{\"input_tokens\": " + Long.MAX_VALUE + ", \"cache_read_input_tokens\": 1}");
    assertThatThrownBy(() -> ProviderUsage.anthropic(usage))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Anthropic usage: input_tokens + cache_read_input_tokens overflows a long");
  }

  @Test
  void anthropic_negativeCacheRead() {
    assertThatThrownBy(() -> ProviderUsage.anthropic(parse("{\"cache_read_input_tokens\": -1}")))
        .hasMessage(
            "Anthropic usage: cache_read_input_tokens must be an integer from 0 to "
                + Long.MAX_VALUE
                + ": -1");
  }

  @Test
  void gemini_thoughtsAreAddedToCandidates() {
    TokenUsage u = ProviderUsage.gemini(parse(GEMINI));
    assertThat(u).isEqualTo(new TokenUsage(12000 + 40, 250 + 900, 11000, 0, 900));
    assertThat(u.totalTokens()).isEqualTo(13190); // the response's own totalTokenCount
  }

  @Test
  void gemini_cachedAbovePrompt() {
    JsonNode usage = parse("{\"promptTokenCount\": 5, \"cachedContentTokenCount\": 6}");
    assertThatThrownBy(() -> ProviderUsage.gemini(usage))
        .hasMessage(
            "Gemini usageMetadata: cachedContentTokenCount must be <= promptTokenCount (5): 6");
  }

  @Test
  void deepSeek_hitsAreCached() {
    TokenUsage u = ProviderUsage.deepSeek(parse(DEEPSEEK));
    assertThat(u).isEqualTo(new TokenUsage(1500, 800, 1024, 0, 650));
    assertThat(u.totalTokens()).isEqualTo(2300);
  }

  @Test
  void deepSeek_withoutPromptTokensAddsHitsAndMisses() {
    JsonNode usage = parse("{\"prompt_cache_hit_tokens\": 10, \"prompt_cache_miss_tokens\": 6}");
    assertThat(ProviderUsage.deepSeek(usage)).isEqualTo(new TokenUsage(16, 0, 10, 0, 0));
  }

  @Test
  void deepSeek_hitsPlusMissesDifferFromPrompt() {
    JsonNode usage =
        parse(
            "{\"prompt_tokens\": 16, \"prompt_cache_hit_tokens\": 10,"
                + " \"prompt_cache_miss_tokens\": 7}");
    assertThatThrownBy(() -> ProviderUsage.deepSeek(usage))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "DeepSeek usage: prompt_cache_hit_tokens + prompt_cache_miss_tokens must equal"
                + " prompt_tokens (16): 10 + 7");
  }

  @Test
  void deepSeek_hitsAbovePrompt() {
    JsonNode usage = parse("{\"prompt_tokens\": 16, \"prompt_cache_hit_tokens\": 17}");
    assertThatThrownBy(() -> ProviderUsage.deepSeek(usage))
        .hasMessage("DeepSeek usage: prompt_cache_hit_tokens must be <= prompt_tokens (16): 17");
  }

  @Test
  void from_dispatchesByProvider() {
    assertThat(ProviderUsage.from(Provider.OPENAI_CHAT, parse(OPENAI_CHAT_CACHED)))
        .isEqualTo(ProviderUsage.openAiChat(parse(OPENAI_CHAT_CACHED)));
    assertThat(ProviderUsage.from(Provider.OPENAI_RESPONSES, parse(OPENAI_RESPONSES)))
        .isEqualTo(new TokenUsage(75, 1186, 64, 0, 1024));
    assertThat(ProviderUsage.from(Provider.ANTHROPIC, parse(ANTHROPIC_CACHE_READ)))
        .isEqualTo(new TokenUsage(188107, 393, 188086, 0, 0));
    assertThat(ProviderUsage.from(Provider.GEMINI, parse(GEMINI)))
        .isEqualTo(new TokenUsage(12040, 1150, 11000, 0, 900));
    assertThat(ProviderUsage.from(Provider.DEEPSEEK, parse(DEEPSEEK)))
        .isEqualTo(new TokenUsage(1500, 800, 1024, 0, 650));
  }

  @Test
  void from_sameUsageReadAsAnotherProviderDiffers() {
    // The cost bug this module exists for: Anthropic counts read as OpenAI's drop the cache.
    JsonNode anthropic = parse(ANTHROPIC_CACHE_READ);
    assertThat(ProviderUsage.from(Provider.OPENAI_RESPONSES, anthropic).inputTokens())
        .isEqualTo(21);
    assertThat(ProviderUsage.from(Provider.ANTHROPIC, anthropic).inputTokens()).isEqualTo(188107);
  }
}
