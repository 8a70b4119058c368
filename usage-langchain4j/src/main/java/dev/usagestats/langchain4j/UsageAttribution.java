package dev.usagestats.langchain4j;

import dev.langchain4j.model.chat.ChatRequestOptions;
import java.util.Objects;

/**
 * Who a chat call is for: the tenant and the API key <em>id</em> (never the secret; see {@link
 * dev.usagestats.ApiKeys#fingerprint(String)}).
 *
 * <p>To attribute one call, pass it with the call as a listener attribute:
 *
 * <pre>{@code
 * ChatResponse r = model.chat(request, UsageAttribution.of("acme", "key-7f3a").options());
 * }</pre>
 *
 * @param tenant the account or organisation
 * @param apiKey the API key id
 */
public record UsageAttribution(String tenant, String apiKey) {
  /**
   * The key under which {@link UsageChatModelListener} looks for a {@code UsageAttribution} in a
   * call's listener attributes: the class object {@code UsageAttribution.class}.
   */
  public static final Class<UsageAttribution> ATTRIBUTE_KEY = UsageAttribution.class;

  /**
   * Checks that both names are set and not blank. The engine checks its other rules (length,
   * control characters) when the call is recorded; a call it refuses is counted in {@link
   * UsageChatModelListener#failures()}.
   *
   * @throws IllegalArgumentException if a name is blank
   * @throws NullPointerException if a name is null
   */
  public UsageAttribution {
    notBlank("tenant", tenant);
    notBlank("apiKey", apiKey);
  }

  private static void notBlank(String field, String value) {
    Objects.requireNonNull(value, field);
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank: '" + value + "'");
    }
  }

  /** The attribution of {@code tenant} and {@code apiKey}. */
  public static UsageAttribution of(String tenant, String apiKey) {
    return new UsageAttribution(tenant, apiKey);
  }

  /**
   * Options for one LangChain4j call that carry this attribution to the listener ({@code
   * ChatModel.chat(ChatRequest, ChatRequestOptions)} and its streaming counterpart).
   */
  public ChatRequestOptions options() {
    return ChatRequestOptions.builder().addListenerAttribute(ATTRIBUTE_KEY, this).build();
  }
}
