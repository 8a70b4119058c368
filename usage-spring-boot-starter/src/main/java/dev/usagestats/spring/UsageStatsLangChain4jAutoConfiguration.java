package dev.usagestats.spring;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.usagestats.UsageStats;
import dev.usagestats.langchain4j.AttributionResolver;
import dev.usagestats.langchain4j.UsageAttribution;
import dev.usagestats.langchain4j.UsageChatModelListener;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * usage-langchain4j's {@link UsageChatModelListener} as a bean when LangChain4j and
 * usage-langchain4j are on the class path; off with {@code usagestats.langchain4j.enabled=false}.
 * An {@link AttributionResolver} bean, if the application has one, attributes calls; calls nothing
 * attributes go to {@code usagestats.attribution.tenant} and {@code
 * usagestats.attribution.api-key}. Backs off when the application defines its own listener.
 *
 * <p>LangChain4j's Spring Boot starters attach {@code ChatModelListener} beans to the models they
 * build; a model built by hand takes it with {@code .listeners(List.of(listener))}.
 */
@AutoConfiguration(after = UsageStatsAutoConfiguration.class)
@ConditionalOnClass({ChatModelListener.class, UsageChatModelListener.class})
@ConditionalOnBean(UsageStats.class)
@ConditionalOnBooleanProperty(name = "usagestats.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "usagestats.langchain4j.enabled", matchIfMissing = true)
@EnableConfigurationProperties(UsageStatsProperties.class)
public final class UsageStatsLangChain4jAutoConfiguration {

  /** The listener recording every LangChain4j chat call of the models it is attached to. */
  @Bean
  @ConditionalOnMissingBean
  public UsageChatModelListener usageChatModelListener(
      UsageStats stats,
      UsageStatsProperties properties,
      ObjectProvider<AttributionResolver> resolver) {
    UsageStatsProperties.Attribution a = properties.getAttribution();
    UsageChatModelListener.Builder b =
        UsageChatModelListener.builder(stats)
            .defaultAttribution(UsageAttribution.of(a.getTenant(), a.getApiKey()));
    resolver.ifAvailable(b::resolver);
    return b.build();
  }
}
