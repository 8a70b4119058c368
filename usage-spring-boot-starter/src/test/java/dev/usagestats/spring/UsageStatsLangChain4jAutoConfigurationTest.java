package dev.usagestats.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.usagestats.UsageStats;
import dev.usagestats.langchain4j.UsageChatModelListener;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class UsageStatsLangChain4jAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  UsageStatsAutoConfiguration.class, UsageStatsLangChain4jAutoConfiguration.class));

  @Test
  void listener_langChain4jPresent_listenerBean() {
    runner.run(
        ctx ->
            assertThat(ctx)
                .hasSingleBean(UsageChatModelListener.class)
                .getBean(ChatModelListener.class)
                .isSameAs(ctx.getBean(UsageChatModelListener.class)));
  }

  @Test
  void listener_langChain4jAbsent_noListener() {
    runner
        .withClassLoader(new FilteredClassLoader(ChatModelListener.class))
        .run(
            ctx ->
                assertThat(ctx)
                    .hasNotFailed()
                    .hasSingleBean(UsageStats.class)
                    .doesNotHaveBean(UsageChatModelListener.class));
  }

  @Test
  void listener_disabled_noListener() {
    runner
        .withPropertyValues("usagestats.langchain4j.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(UsageChatModelListener.class));
  }

  @Test
  void listener_userDefined_autoConfiguredBacksOff() {
    runner
        .withBean(
            "myListener",
            UsageChatModelListener.class,
            () -> UsageChatModelListener.builder(UsageStats.builder().build()).build())
        .run(
            ctx ->
                assertThat(ctx).hasSingleBean(UsageChatModelListener.class).hasBean("myListener"));
  }
}
