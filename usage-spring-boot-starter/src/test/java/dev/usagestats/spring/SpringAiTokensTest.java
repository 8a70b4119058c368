package dev.usagestats.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.providers.TokenUsage;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.metadata.DefaultUsage;

class SpringAiTokensTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void of_anthropicNativeUsage_cacheReadsAndWritesAddedToInput() throws Exception {
    Map<?, ?> anthropic =
        MAPPER.readValue(
            "{\"input_tokens\":50,\"cache_read_input_tokens\":1000,"
                + "\"cache_creation_input_tokens\":200,\"output_tokens\":300}",
            Map.class);

    TokenUsage u = SpringAiTokens.of("anthropic", new DefaultUsage(50, 300, 350, anthropic));

    assertThat(u).isEqualTo(new TokenUsage(1250, 300, 1000, 200, 0));
  }

  @Test
  void of_openAiNativeUsage_cachedAndReasoningAreParts() throws Exception {
    Map<?, ?> openAi = MAPPER.readValue(OpenAiStub.USAGE, Map.class);

    TokenUsage u = SpringAiTokens.of("openai", new DefaultUsage(1200, 350, 1550, openAi));

    assertThat(u).isEqualTo(new TokenUsage(1200, 350, 200, 0, 50));
  }

  @Test
  void of_nativeUsageOfAnotherShape_genericCounts() {
    // What Spring AI's MessageAggregator leaves after a stream: its own camel-case map.
    Map<String, Integer> aggregated =
        Map.of("promptTokens", 1200, "completionTokens", 350, "totalTokens", 1550);

    TokenUsage u = SpringAiTokens.of("openai", new DefaultUsage(1200, 350, 1550, aggregated));

    assertThat(u).isEqualTo(new TokenUsage(1200, 350, 0, 0, 0));
  }

  @Test
  void of_unknownProviderCacheWithinPrompt_cacheTakenAsPartOfInput() {
    TokenUsage u = SpringAiTokens.of("ollama", new DefaultUsage(1000, 10, 1010, null, 400L, 100L));

    assertThat(u).isEqualTo(new TokenUsage(1000, 10, 400, 100, 0));
  }

  @Test
  void of_unknownProviderCacheBeyondPrompt_cacheAddedBesideInput() {
    TokenUsage u =
        SpringAiTokens.of("bedrock_converse", new DefaultUsage(50, 10, 60, null, 1000L, 0L));

    assertThat(u).isEqualTo(new TokenUsage(1050, 10, 1000, 0, 0));
  }

  @Test
  void of_noUsage_zero() {
    assertThat(SpringAiTokens.of("openai", null)).isEqualTo(TokenUsage.ZERO);
  }
}
