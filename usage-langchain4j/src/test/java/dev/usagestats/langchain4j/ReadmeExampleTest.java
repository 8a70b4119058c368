package dev.usagestats.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.usagestats.ApiKeys;
import dev.usagestats.GroupBy;
import dev.usagestats.TrendSeries;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's example, verbatim between the markers, so the README keeps compiling. */
@SuppressWarnings("try") // a UsageScope is used for its effect, like OpenTelemetry's Scope
class ReadmeExampleTest {
  @Test
  void example_runs() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (FakeProviderServer server = new FakeProviderServer()) {
      server.plan(
          0,
          new FakeProviderServer.Reply(
              FakeProviderServer.Behaviour.OK, "gpt-4o-mini-2024-07-18", 1200, 350, 1024, 0, 0));
      String openAiUrl = server.openAiBaseUrl();
      String secret = "sk-proj-9f8e7d6c5b4a39281706";
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      // --- README example ---
      try (UsageStats stats = UsageStats.builder().build()) {
        UsageChatModelListener listener = UsageChatModelListener.builder(stats).build();
        ChatModel model =
            OpenAiChatModel.builder()
                .baseUrl(openAiUrl) // omit for api.openai.com
                .apiKey(secret)
                .modelName("gpt-4o-mini")
                .listeners(List.of(listener))
                .build(); // one shared instance, any number of tenants and threads

        // Attribute one call...
        ChatRequest hello = ChatRequest.builder().messages(UserMessage.from("Hello")).build();
        model.chat(hello, UsageAttribution.of("acme", "key-7f3a").options());

        // ...or every call a block of code makes (AI services, libraries you call).
        try (UsageScope scope = UsageScope.open("globex", ApiKeys.fingerprint(secret))) {
          model.chat("Hello");
        }

        UsageReport report =
            stats.query(stats.newQuery().groupBy(GroupBy.API_KEY_AND_MODEL).build());
        for (TrendSeries s : report.series()) {
          System.out.println(s.label());
        }
        System.out.println(report.totals().inputTokens() + " input tokens");
      }
      // --- end ---
    } finally {
      System.setOut(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("key-7f3a / gpt-4o-mini-2024-07-18")
        .contains("2400 input tokens");
  }
}
