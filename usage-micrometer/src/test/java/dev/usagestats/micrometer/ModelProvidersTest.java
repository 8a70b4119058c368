package dev.usagestats.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.usagestats.Outcome;
import dev.usagestats.UsageStats;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelProvidersTest {
  @ParameterizedTest
  @CsvSource({
    "gpt-4o, openai",
    "GPT-4.1-mini, openai",
    "chatgpt-4o-latest, openai",
    "o1, openai",
    "o3-mini, openai",
    "o4-mini-2025-04-16, openai",
    "text-embedding-3-small, openai",
    "claude-sonnet-4-5, anthropic",
    "gemini-2.5-pro, gcp.gen_ai",
    "deepseek-reasoner, deepseek",
    "mistral-large-latest, mistral_ai",
    "codestral-2501, mistral_ai",
    "command-r-plus, cohere",
    "grok-4, x_ai",
    "sonar-pro, perplexity",
    "kimi-k2, moonshot_ai",
    "openai/gpt-4o, openai",
    "azure/my-deployment, azure.ai.openai",
    "azure_ai/mistral-large, azure.ai.inference",
    "anthropic/claude-3-haiku, anthropic",
    "bedrock/anthropic.claude-3-haiku, aws.bedrock",
    "vertex_ai/gemini-2.5-pro, gcp.vertex_ai",
    "gemini/gemini-2.5-flash, gcp.gemini",
    "groq/llama-3.3-70b, groq",
    "watsonx/ibm/granite-13b, ibm.watsonx.ai",
    // A route of a gateway's own: the model may be served from anywhere.
    "public/deepseek-r1, unknown",
    "glm-4.5, unknown",
    "llama-3.3-70b, unknown",
    "o5, unknown",
    "o3x, unknown",
    "ollama, unknown",
  })
  void guess_knownAndUnknownModels(String model, String provider) {
    assertThat(ModelProviders.guess(model)).isEqualTo(provider);
  }

  @Test
  void guess_null_refused() {
    assertThatNullPointerException()
        .isThrownBy(() -> ModelProviders.guess(null))
        .withMessage("model");
  }

  private static Map<String, String> providerTags(
      MicrometerUsageListener.Builder builder, SimpleMeterRegistry registry, String... models) {
    try (UsageStats stats =
        UsageStats.builder().flushInterval(Duration.ZERO).listener(builder.build()).build()) {
      for (String m : models) {
        stats.record("acme", "k", m, 5, 5, 1, 1, 0, Outcome.ERROR, 1_000_000, 500_000);
      }
    }
    Map<String, String> byModel = new HashMap<>();
    for (Meter meter : registry.getMeters()) {
      String model = meter.getId().getTag("gen_ai.request.model");
      String provider = meter.getId().getTag(MicrometerUsageListener.PROVIDER_TAG);
      assertThat(provider).as("provider tag of %s", meter.getId()).isNotNull();
      String before = byModel.put(model, provider);
      assertThat(before).as("one provider per model").isIn(null, provider);
    }
    return byModel;
  }

  @Test
  void everyMeter_taggedWithProvider_tableBeforeFunction() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Map<String, String> tags =
        providerTags(
            MicrometerUsageListener.builder(registry)
                .providers(Map.of("public/deepseek-r1", "deepseek")),
            registry,
            "public/deepseek-r1",
            "gpt-4o",
            "glm-4.5");
    assertThat(tags)
        .isEqualTo(
            Map.of("public/deepseek-r1", "deepseek", "gpt-4o", "openai", "glm-4.5", "unknown"));
    // Every meter kind carries it: 6 counters and 3 timers per model.
    assertThat(registry.getMeters().stream().map(m -> m.getId().getName()).distinct())
        .contains(
            MicrometerUsageListener.TOKEN_USAGE,
            MicrometerUsageListener.CALLS,
            MicrometerUsageListener.CACHE_READ_INPUT,
            MicrometerUsageListener.CACHE_CREATION_INPUT,
            MicrometerUsageListener.OPERATION_DURATION,
            MicrometerUsageListener.TIME_TO_FIRST_CHUNK);
  }

  @Test
  void provider_function_calledOncePerSeries() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Map<String, Integer> calls = new HashMap<>();
    MicrometerUsageListener.Builder builder =
        MicrometerUsageListener.builder(registry)
            .provider(
                m -> {
                  calls.merge(m, 1, Integer::sum);
                  return "my.gateway";
                });
    Map<String, String> tags = providerTags(builder, registry, "a", "b", "a", "a", "b");
    assertThat(tags).isEqualTo(Map.of("a", "my.gateway", "b", "my.gateway"));
    assertThat(calls).isEqualTo(Map.of("a", 1, "b", 1));
  }

  @Test
  void provider_functionThrowsOrAnswersBlank_countedAndTaggedUnknown() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MicrometerUsageListener.Builder builder =
        MicrometerUsageListener.builder(registry)
            .provider(
                m -> {
                  if (m.equals("boom")) throw new IllegalStateException("no table");
                  return m.equals("blank") ? " " : null;
                });
    MicrometerUsageListener listener = builder.build();
    try (UsageStats stats =
        UsageStats.builder().flushInterval(Duration.ZERO).listener(listener).build()) {
      for (String m : new String[] {"boom", "blank", "null"}) stats.record("acme", "k", m, 5, 5);
    }
    assertThat(listener.failures()).isEqualTo(3);
    for (String m : new String[] {"boom", "blank", "null"}) {
      assertThat(
              registry
                  .get(MicrometerUsageListener.CALLS)
                  .tag("gen_ai.request.model", m)
                  .tag(MicrometerUsageListener.PROVIDER_TAG, "unknown")
                  .tag("outcome", "success")
                  .counter()
                  .count())
          .isEqualTo(1);
    }
  }

  @Test
  void providers_badValues_refused() {
    MicrometerUsageListener.Builder b = MicrometerUsageListener.builder(new SimpleMeterRegistry());
    assertThatIllegalArgumentException()
        .isThrownBy(() -> b.providers(Map.of("gpt-4o", " ")))
        .withMessage("providers value for model 'gpt-4o' must not be blank: ' '");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> b.providers(Map.of("gpt-4o", "open\nai")))
        .withMessageStartingWith("providers value for model 'gpt-4o' must not contain control");
    Map<String, String> withNull = new HashMap<>();
    withNull.put("gpt-4o", null);
    assertThatNullPointerException()
        .isThrownBy(() -> b.providers(withNull))
        .withMessage("providers value for model 'gpt-4o'");
    assertThatNullPointerException().isThrownBy(() -> b.providers(null)).withMessage("providers");
    assertThatNullPointerException().isThrownBy(() -> b.provider(null)).withMessage("provider");
  }

  @Test
  void overflowSeries_taggedOverflow() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (UsageStats stats =
        UsageStats.builder()
            .flushInterval(Duration.ZERO)
            .listener(MicrometerUsageListener.builder(registry).maxMeterSeries(1).build())
            .build()) {
      stats.record("acme", "k", "gpt-4o", 5, 5);
      stats.record("acme", "k", "claude-sonnet-4-5", 5, 5);
    }
    assertThat(
            registry
                .get(MicrometerUsageListener.CALLS)
                .tag("gen_ai.request.model", "__overflow__")
                .counter()
                .getId()
                .getTag(MicrometerUsageListener.PROVIDER_TAG))
        .isEqualTo("__overflow__");
  }
}
