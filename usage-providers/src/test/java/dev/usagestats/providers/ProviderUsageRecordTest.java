package dev.usagestats.providers;

import static dev.usagestats.providers.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.Outcome;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProviderUsageRecordTest {
  @Test
  void record_landsInTheEngine() {
    try (UsageStats stats = UsageStats.builder().flushInterval(Duration.ZERO).build()) {
      TokenUsage anthropic = ProviderUsage.anthropic(parse(ProviderUsageTest.ANTHROPIC_CACHE_READ));
      TokenUsage gemini = ProviderUsage.gemini(parse(ProviderUsageTest.GEMINI));
      ProviderUsage.record(stats, "acme", "key-1", "claude", anthropic, Outcome.SUCCESS);
      ProviderUsage.record(stats, "acme", "key-1", "gemini", gemini, Outcome.ERROR);
      TokenUsage write = ProviderUsage.anthropic(parse(ProviderUsageTest.ANTHROPIC_CACHE_WRITE));
      ProviderUsage.record(stats, "acme", "key-2", "claude", write, Outcome.SUCCESS);
      assertThat(stats.query(stats.newQuery().apiKey("key-2").build()).totals())
          .isEqualTo(new UsageTotals(1, 0, 21 + 188086, 393, 0, 188086, 0));

      UsageTotals t = stats.query(stats.newQuery().apiKey("key-1").build()).totals();
      assertThat(t.calls()).isEqualTo(2);
      assertThat(t.errors()).isEqualTo(1);
      assertThat(t.inputTokens()).isEqualTo(188107 + 12040);
      assertThat(t.outputTokens()).isEqualTo(393 + 1150);
      assertThat(t.cachedInputTokens()).isEqualTo(188086 + 11000);
      assertThat(t.cacheCreationInputTokens()).isZero();
      assertThat(t.reasoningTokens()).isEqualTo(900);
    }
  }

  @Test
  void record_nullArguments() {
    try (UsageStats stats = UsageStats.builder().flushInterval(Duration.ZERO).build()) {
      assertThatThrownBy(() -> ProviderUsage.record(stats, "acme", "k", "m", null, Outcome.SUCCESS))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("usage");
      assertThatThrownBy(
              () -> ProviderUsage.record(null, "acme", "k", "m", TokenUsage.ZERO, Outcome.SUCCESS))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("stats");
    }
  }
}
