package dev.usagestats.providers;

import static dev.usagestats.providers.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Streams shaped as in each provider's streaming documentation, one event's data per entry. */
class StreamUsageTest {

  // OpenAI chat streaming with stream_options.include_usage: every chunk has "usage": null but
  // the last, which has no choices.
  static final List<String> OPENAI_CHAT_STREAM =
      List.of(
          "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
              + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
              + "\"finish_reason\":null}],\"usage\":null}",
          "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
              + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},"
              + "\"finish_reason\":null}],\"usage\":null}",
          "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
              + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
              + "\"usage\":null}",
          "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
              + "\"choices\":[],\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":90,"
              + "\"total_tokens\":1290,\"prompt_tokens_details\":{\"cached_tokens\":1024},"
              + "\"completion_tokens_details\":{\"reasoning_tokens\":64}}}");

  // Anthropic Messages streaming guide: input counts in message_start, cumulative output in
  // message_delta.
  static final List<String> ANTHROPIC_STREAM =
      List.of(
          "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY\","
              + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
              + "\"model\":\"claude-opus-4-1\",\"stop_reason\":null,\"stop_sequence\":null,"
              + "\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}",
          "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
              + "\"text\":\"\"}}",
          "{\"type\":\"ping\"}",
          "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
              + "\"text\":\"Hello\"}}",
          "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
              + "\"text\":\"!\"}}",
          "{\"type\":\"content_block_stop\",\"index\":0}",
          "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
              + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}",
          "{\"type\":\"message_stop\"}");

  @Test
  void accept_openAiChatUsageInTheLastChunk() {
    StreamUsage acc = StreamUsage.of(Provider.OPENAI_CHAT);
    for (int i = 0; i < OPENAI_CHAT_STREAM.size() - 1; i++) {
      acc.accept(parse(OPENAI_CHAT_STREAM.get(i)));
      assertThat(acc.hasUsage()).isFalse();
    }
    acc.accept(parse(OPENAI_CHAT_STREAM.get(OPENAI_CHAT_STREAM.size() - 1)));
    assertThat(acc.usage()).isEqualTo(new TokenUsage(1200, 90, 1024, 0, 64));
  }

  @Test
  void usage_openAiChatWithoutIncludeUsage() {
    StreamUsage acc = StreamUsage.of(Provider.OPENAI_CHAT);
    acc.accept(parse(OPENAI_CHAT_STREAM.get(0)));
    acc.accept(parse(OPENAI_CHAT_STREAM.get(1)));
    assertThatThrownBy(acc::usage)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no usage in the 2 OPENAI_CHAT stream events seen so far");
  }

  @Test
  void accept_anthropicInputFromStartOutputFromDelta() {
    StreamUsage acc = StreamUsage.of(Provider.ANTHROPIC);
    for (String event : ANTHROPIC_STREAM) {
      acc.accept(parse(event));
    }
    assertThat(acc.usage()).isEqualTo(TokenUsage.of(25, 15));
  }

  @Test
  void accept_anthropicCacheCountsAndCumulativeDeltas() {
    StreamUsage acc = StreamUsage.of(Provider.ANTHROPIC);
    acc.accept(
        parse(
            "{\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-5\",\"usage\":"
                + "{\"input_tokens\":21,\"cache_creation_input_tokens\":50,"
                + "\"cache_read_input_tokens\":188086,\"output_tokens\":1}}}"));
    assertThat(acc.usage()).isEqualTo(new TokenUsage(188157, 1, 188086, 50, 0));
    // Later deltas are cumulative: each replaces the one before; fields absent keep their value.
    acc.accept(parse("{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":200}}"));
    acc.accept(
        parse(
            "{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":393,\"input_tokens\":21,"
                + "\"cache_read_input_tokens\":null}}"));
    acc.accept(parse("{\"type\":\"message_stop\"}"));
    assertThat(acc.usage()).isEqualTo(new TokenUsage(188157, 393, 188086, 50, 0));
  }

  @Test
  void accept_badEventKeepsWhatWasGathered() {
    StreamUsage acc = StreamUsage.of(Provider.ANTHROPIC);
    acc.accept(parse(ANTHROPIC_STREAM.get(0)));
    assertThatThrownBy(
            () ->
                acc.accept(parse("{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":-3}}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("output_tokens");
    assertThat(acc.usage()).isEqualTo(TokenUsage.of(25, 1));
  }

  @Test
  void accept_openAiResponsesUsageInCompletedEvent() {
    StreamUsage acc = StreamUsage.of(Provider.OPENAI_RESPONSES);
    acc.accept(
        parse(
            "{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"status\":"
                + "\"in_progress\",\"usage\":null}}"));
    acc.accept(parse("{\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}"));
    assertThat(acc.hasUsage()).isFalse();
    acc.accept(
        parse(
            "{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"status\":"
                + "\"completed\",\"usage\":{\"input_tokens\":75,\"input_tokens_details\":"
                + "{\"cached_tokens\":64},\"output_tokens\":1186,\"output_tokens_details\":"
                + "{\"reasoning_tokens\":1024},\"total_tokens\":1261}}}"));
    assertThat(acc.usage()).isEqualTo(new TokenUsage(75, 1186, 64, 0, 1024));
  }

  @Test
  void accept_geminiLastUsageMetadataWins() {
    StreamUsage acc = StreamUsage.of(Provider.GEMINI);
    acc.accept(
        parse(
            "{\"candidates\":[],\"usageMetadata\":{\"promptTokenCount\":40,"
                + "\"candidatesTokenCount\":3,\"thoughtsTokenCount\":100}}"));
    acc.accept(parse("{\"candidates\":[]}"));
    acc.accept(
        parse(
            "{\"candidates\":[],\"usageMetadata\":{\"promptTokenCount\":40,"
                + "\"candidatesTokenCount\":57,\"thoughtsTokenCount\":100,"
                + "\"totalTokenCount\":197}}"));
    assertThat(acc.usage()).isEqualTo(new TokenUsage(40, 157, 0, 0, 100));
  }

  @Test
  void accept_deepSeekUsageInTheLastChunk() {
    StreamUsage acc = StreamUsage.of(Provider.DEEPSEEK);
    acc.accept(parse("{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}"));
    acc.accept(
        parse(
            "{\"choices\":[],\"usage\":{\"prompt_tokens\":16,\"completion_tokens\":11,"
                + "\"prompt_cache_hit_tokens\":10,\"prompt_cache_miss_tokens\":6}}"));
    assertThat(acc.usage()).isEqualTo(new TokenUsage(16, 11, 10, 0, 0));
    assertThat(acc.provider()).isEqualTo(Provider.DEEPSEEK);
  }
}
