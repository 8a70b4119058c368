package dev.usagestats.spring;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.observation.ChatModelObservationContext;

/**
 * Works out who a Spring AI chat call is for. Called once per call when its observation starts, on
 * the thread that makes the call, so a request-scoped bean, a {@code ThreadLocal} or the security
 * context of the caller is available. Define one as a bean to replace the default, which attributes
 * every call to {@code usagestats.attribution.tenant} and {@code usagestats.attribution.api-key}.
 *
 * <pre>{@code
 * @Bean
 * SpringAiAttributionResolver byPrincipal() {
 *   return ctx -> {
 *     Authentication a = SecurityContextHolder.getContext().getAuthentication();
 *     return a == null ? null : new ChatAttribution(a.getName(), "key-" + a.getName());
 *   };
 * }
 * }</pre>
 *
 * <p>Must be thread-safe. A null answer, or an exception (caught and logged), falls back to the
 * configured default attribution.
 */
@FunctionalInterface
public interface SpringAiAttributionResolver {
  /** The call's attribution, or null when this resolver cannot tell. */
  @Nullable ChatAttribution resolve(ChatModelObservationContext context);
}
