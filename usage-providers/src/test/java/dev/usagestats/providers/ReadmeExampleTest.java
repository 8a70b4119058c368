package dev.usagestats.providers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.Outcome;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's example, verbatim between the markers, so the README keeps compiling. */
class ReadmeExampleTest {
  @Test
  void example_runs() throws Exception {
    String anthropicResponseBody = ProviderUsageTest.ANTHROPIC_CACHE_WRITE;
    List<String> openAiChunks = StreamUsageTest.OPENAI_CHAT_STREAM;
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      // --- README example ---
      ObjectMapper mapper = new ObjectMapper();
      try (UsageStats stats = UsageStats.builder().build()) {
        // A blocking call: the response body as your HTTP client returned it.
        JsonNode response = mapper.readTree(anthropicResponseBody);
        TokenUsage usage = ProviderUsage.anthropic(response.get("usage"));
        ProviderUsage.record(
            stats, "acme", "key-7f3a", response.get("model").asText(), usage, Outcome.SUCCESS);

        // A streamed call: feed each server-sent event's data, record once at the end.
        StreamUsage stream = StreamUsage.of(Provider.OPENAI_CHAT);
        for (String data : openAiChunks) { // request with "stream_options": {"include_usage": true}
          stream.accept(mapper.readTree(data));
        }
        ProviderUsage.record(
            stats, "acme", "key-7f3a", "gpt-4o-mini", stream.usage(), Outcome.SUCCESS);

        UsageTotals totals = stats.query(stats.newQuery().build()).totals();
        System.out.println(totals.inputTokens() + " in, " + totals.cachedInputTokens() + " cached");
      }
      // --- end ---
    } finally {
      System.setOut(original);
    }
    // Anthropic: 21 + 188086 (cache write) input; OpenAI: 1200 input of which 1024 cached.
    assertThat(captured.toString(StandardCharsets.UTF_8).trim())
        .isEqualTo((21 + 188086 + 1200) + " in, 1024 cached");
  }
}
