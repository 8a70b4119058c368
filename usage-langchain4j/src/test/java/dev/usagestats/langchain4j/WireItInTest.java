package dev.usagestats.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.usagestats.ApiKeys;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The LangChain4j lines of the top README's "Wire it in", verbatim. */
@SuppressWarnings("try") // a UsageScope is used for its effect, like OpenTelemetry's Scope
class WireItInTest {
  @Test
  void langChain4j_runs() throws Exception {
    try (FakeProviderServer server = new FakeProviderServer();
        UsageStats stats = UsageStats.builder().build()) {
      server.plan(
          0,
          new FakeProviderServer.Reply(
              FakeProviderServer.Behaviour.OK, "gpt-4o-mini-2024-07-18", 900, 100, 0, 0, 0));
      String openAiUrl = server.openAiBaseUrl();
      String secret = "sk-proj-9f8e7d6c5b4a39281706";
      String tenant = "acme";
      // --- Wire it in: LangChain4j ---
      ChatModel model =
          OpenAiChatModel.builder()
              .baseUrl(openAiUrl) // omit for api.openai.com
              .apiKey(secret)
              .modelName("gpt-4o-mini")
              .listeners(List.of(UsageChatModelListener.builder(stats).build()))
              .build();

      // Around the code that serves one tenant's request (AI services included):
      try (UsageScope scope = UsageScope.open(tenant, ApiKeys.fingerprint(secret))) {
        model.chat("Hello");
      }
      // --- end ---
      UsageTotals t =
          stats
              .query(stats.newQuery().tenant("acme").model("gpt-4o-mini-2024-07-18").build())
              .totals();
      assertThat(t).isEqualTo(new UsageTotals(1, 0, 900, 100, 0, 0, 0));
    }
  }
}
