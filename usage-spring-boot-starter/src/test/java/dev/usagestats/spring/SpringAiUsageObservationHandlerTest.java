package dev.usagestats.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.LatencySummary;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The handler under a real Micrometer ObservationRegistry, as Spring AI's models drive it. */
class SpringAiUsageObservationHandlerTest {
  private static final ChatAttribution DEFAULT = new ChatAttribution("default", "unattributed");

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  UsageStatsAutoConfiguration.class, UsageStatsSpringAiAutoConfiguration.class));

  @Test
  void onStop_successfulCall_recordedWithProviderRulesUnderResolvedAttribution() {
    try (UsageStats stats = UsageStats.builder().build()) {
      ObservationRegistry registry =
          registry(
              SpringAiUsageObservationHandler.of(
                  stats, ctx -> new ChatAttribution("acme", "key-acme"), DEFAULT));

      observe(registry, "gpt-asked", response("gpt-answered", 1200, 350), null);

      UsageTotals t =
          stats.query(stats.newQuery().apiKey("key-acme").model("gpt-answered").build()).totals();
      assertThat(t).isEqualTo(new UsageTotals(1, 0, 1200, 350, 200, 0, 50));
    }
  }

  @Test
  void onStop_failedCall_errorWithoutTokensUnderRequestedModel() {
    try (UsageStats stats = UsageStats.builder().build()) {
      ObservationRegistry registry =
          registry(SpringAiUsageObservationHandler.of(stats, ctx -> null, DEFAULT));

      observe(registry, "gpt-asked", null, new IllegalStateException("HTTP 500"));

      UsageTotals t =
          stats.query(stats.newQuery().apiKey("unattributed").model("gpt-asked").build()).totals();
      assertThat(t).isEqualTo(new UsageTotals(1, 1, 0, 0, 0, 0, 0));
    }
  }

  @Test
  void onStop_answeredAndFailedCalls_durationFromStartToStopInTheReport() {
    try (UsageStats stats = UsageStats.builder().build()) {
      // A ticker that steps 250 ms per reading: one step between onStart and onStop.
      AtomicLong now = new AtomicLong(TimeUnit.DAYS.toNanos(2));
      ObservationRegistry registry =
          registry(
              SpringAiUsageObservationHandler.of(
                  stats,
                  ctx -> null,
                  DEFAULT,
                  () -> now.getAndAdd(TimeUnit.MILLISECONDS.toNanos(250))));

      observe(registry, "gpt-asked", response("gpt-answered", 10, 5), null);
      observe(registry, "gpt-asked", null, new IllegalStateException("HTTP 500"));

      LatencySummary all = stats.query(stats.newQuery().build()).latencySummary();
      assertThat(all.duration().count()).isEqualTo(2);
      assertThat(all.duration().maxMillis()).isEqualTo(250);
      assertThat(all.duration().p50Millis()).isEqualTo(250);
      // Spring AI's observation has no first-chunk event.
      assertThat(all.timeToFirstToken().count()).isZero();
    }
  }

  @Test
  void onStop_callOverAnHour_tokensWithoutDuration() {
    try (UsageStats stats = UsageStats.builder().build()) {
      AtomicLong now = new AtomicLong();
      SpringAiUsageObservationHandler handler =
          SpringAiUsageObservationHandler.of(
              stats,
              ctx -> null,
              DEFAULT,
              () -> now.getAndAdd(SpringAiUsageObservationHandler.MAX_LATENCY_NANOS + 1));

      observe(registry(handler), "gpt-asked", response("gpt-answered", 10, 5), null);

      UsageReport r = stats.query(stats.newQuery().build());
      assertThat(r.totals().outputTokens()).isEqualTo(5);
      assertThat(r.latencySummary().duration().count()).isZero();
      assertThat(handler.failures()).isZero();
    }
  }

  @Test
  void onStart_resolverThrows_defaultAttributionAndCounted() {
    try (UsageStats stats = UsageStats.builder().build()) {
      SpringAiUsageObservationHandler handler =
          SpringAiUsageObservationHandler.of(
              stats,
              ctx -> {
                throw new IllegalStateException("no request scope");
              },
              DEFAULT);

      observe(registry(handler), "gpt-asked", response("gpt-answered", 10, 5), null);

      assertThat(handler.failures()).isEqualTo(1);
      assertThat(stats.query(stats.newQuery().tenant("default").build()).totals().calls())
          .isEqualTo(1);
    }
  }

  @Test
  void autoConfiguration_springAiPresent_handlerAndDefaultResolver() {
    runner.run(
        ctx ->
            assertThat(ctx)
                .hasSingleBean(SpringAiUsageObservationHandler.class)
                .hasSingleBean(SpringAiAttributionResolver.class));
  }

  @Test
  void autoConfiguration_userResolver_autoConfiguredBacksOff() {
    runner
        .withBean("myResolver", SpringAiAttributionResolver.class, () -> ctx -> DEFAULT)
        .run(
            ctx ->
                assertThat(ctx)
                    .hasSingleBean(SpringAiAttributionResolver.class)
                    .hasBean("myResolver")
                    .hasSingleBean(SpringAiUsageObservationHandler.class));
  }

  @Test
  void autoConfiguration_userHandler_autoConfiguredBacksOff() {
    runner
        .withBean(
            "myHandler",
            SpringAiUsageObservationHandler.class,
            () ->
                SpringAiUsageObservationHandler.of(
                    UsageStats.builder().build(), ctx -> null, DEFAULT))
        .run(
            ctx ->
                assertThat(ctx)
                    .hasSingleBean(SpringAiUsageObservationHandler.class)
                    .hasBean("myHandler"));
  }

  @Test
  void autoConfiguration_springAiAbsent_noHook() {
    runner
        .withClassLoader(new FilteredClassLoader("org.springframework.ai"))
        .run(
            ctx ->
                assertThat(ctx)
                    .hasNotFailed()
                    .hasSingleBean(UsageStats.class)
                    .doesNotHaveBean(SpringAiUsageObservationHandler.class));
  }

  @Test
  void autoConfiguration_disabled_noHook() {
    runner
        .withPropertyValues("usagestats.spring-ai.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(SpringAiUsageObservationHandler.class));
  }

  private static ObservationRegistry registry(SpringAiUsageObservationHandler handler) {
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(handler);
    return registry;
  }

  /** What Spring AI's chat models do around a call: start, set the response or the error, stop. */
  private static void observe(
      ObservationRegistry registry, String model, ChatResponse response, Throwable error) {
    ChatModelObservationContext ctx =
        ChatModelObservationContext.builder()
            .prompt(new Prompt("hello", ChatOptions.builder().model(model).build()))
            .provider("openai")
            .build();
    Observation o = Observation.createNotStarted("gen_ai.client.operation", () -> ctx, registry);
    o.start();
    if (response != null) ctx.setResponse(response);
    if (error != null) o.error(error);
    o.stop();
  }

  private static ChatResponse response(String model, int prompt, int completion) {
    Map<?, ?> nativeUsage =
        Map.of(
            "prompt_tokens",
            prompt,
            "completion_tokens",
            completion,
            "prompt_tokens_details",
            Map.of("cached_tokens", prompt > 200 ? 200 : 0),
            "completion_tokens_details",
            Map.of("reasoning_tokens", completion > 50 ? 50 : 0));
    return new ChatResponse(
        List.of(new Generation(new AssistantMessage("Hello"))),
        ChatResponseMetadata.builder()
            .model(model)
            .usage(new DefaultUsage(prompt, completion, prompt + completion, nativeUsage))
            .build());
  }
}
