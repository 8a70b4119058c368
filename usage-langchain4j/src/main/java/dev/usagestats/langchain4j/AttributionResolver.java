package dev.usagestats.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import org.jspecify.annotations.Nullable;

/**
 * Works out who a chat call is for, from the call's request context (its request, provider and
 * listener attributes) or from anything the host knows at that moment (a request-scoped bean, the
 * security context). Called once per call, in {@code onRequest}, on the thread that starts the
 * call.
 *
 * <pre>{@code
 * AttributionResolver byAttribute = ctx -> {
 *   Object tenant = ctx.attributes().get("tenant");
 *   return tenant == null ? null : UsageAttribution.of(tenant.toString(), "shared-key");
 * };
 * }</pre>
 *
 * <p>Must be thread-safe. An exception it throws is caught, counted and logged; the call then falls
 * back to the listener's default attribution.
 */
@FunctionalInterface
public interface AttributionResolver {
  /** The call's attribution, or null when this resolver cannot tell. */
  @Nullable UsageAttribution resolve(ChatModelRequestContext context);
}
