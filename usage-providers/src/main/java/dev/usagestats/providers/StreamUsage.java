package dev.usagestats.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Gathers the usage of one streamed response, event by event, into one {@link TokenUsage}.
 *
 * <pre>{@code
 * StreamUsage acc = StreamUsage.of(Provider.ANTHROPIC);
 * for (String data : sseDataLines) {
 *   acc.accept(mapper.readTree(data));
 * }
 * TokenUsage u = acc.usage();
 * }</pre>
 *
 * <p>Feed it every event (the parsed JSON of each server-sent event's {@code data}); events without
 * usage are skipped. Per provider:
 *
 * <ul>
 *   <li>{@link Provider#OPENAI_CHAT}, {@link Provider#DEEPSEEK}: the chunk whose {@code usage} is
 *       an object (the last one, sent when the request sets {@code stream_options.include_usage}).
 *   <li>{@link Provider#OPENAI_RESPONSES}: the {@code response.usage} of the final event ({@code
 *       response.completed}, {@code response.incomplete} or {@code response.failed}).
 *   <li>{@link Provider#ANTHROPIC}: input and cache counts from {@code message_start}'s {@code
 *       message.usage}; each {@code message_delta}'s {@code usage} carries cumulative counts (at
 *       least {@code output_tokens}), which replace the earlier ones field by field.
 *   <li>{@link Provider#GEMINI}: the {@code usageMetadata} of the last chunk that has one (its
 *       counts are cumulative).
 * </ul>
 *
 * <p>Not thread-safe: one instance per stream, fed by one thread at a time (or with a
 * happens-before edge between feeds, as a reactive pipeline gives).
 */
public final class StreamUsage {
  private final Provider provider;
  private final ObjectNode anthropicUsage = JsonNodeFactory.instance.objectNode();
  private @Nullable TokenUsage usage;
  private long events;

  private StreamUsage(Provider provider) {
    this.provider = provider;
  }

  /** An empty accumulator for one stream of {@code provider}. */
  public static StreamUsage of(Provider provider) {
    return new StreamUsage(Objects.requireNonNull(provider, "provider"));
  }

  /** The provider whose events this accumulator reads. */
  public Provider provider() {
    return provider;
  }

  /**
   * Takes one stream event. Events without usage change nothing.
   *
   * @throws IllegalArgumentException if the event's usage is invalid (see {@link ProviderUsage});
   *     the accumulator keeps what it had before this event
   */
  public void accept(JsonNode event) {
    Objects.requireNonNull(event, "event");
    events++;
    switch (provider) {
      case OPENAI_CHAT:
      case DEEPSEEK:
        if (event.path("usage").isObject()) {
          usage = ProviderUsage.from(provider, event.get("usage"));
        }
        break;
      case OPENAI_RESPONSES:
        if (event.path("response").path("usage").isObject()) {
          usage = ProviderUsage.openAiResponses(event.get("response").get("usage"));
        }
        break;
      case GEMINI:
        if (event.path("usageMetadata").isObject()) {
          usage = ProviderUsage.gemini(event.get("usageMetadata"));
        }
        break;
      case ANTHROPIC:
        acceptAnthropic(event);
        break;
    }
  }

  /** Whether any event so far carried usage. */
  public boolean hasUsage() {
    return usage != null;
  }

  /**
   * The stream's usage so far: final once the last event was fed.
   *
   * @throws IllegalStateException if no event carried usage (for example an OpenAI stream requested
   *     without {@code stream_options.include_usage})
   */
  public TokenUsage usage() {
    TokenUsage u = usage;
    if (u == null) {
      throw new IllegalStateException(
          "no usage in the " + events + " " + provider + " stream events seen so far");
    }
    return u;
  }

  private void acceptAnthropic(JsonNode event) {
    String type = event.path("type").asText("");
    JsonNode counts;
    if (type.equals("message_start")) {
      counts = event.path("message").path("usage");
    } else if (type.equals("message_delta")) {
      counts = event.path("usage");
    } else {
      return;
    }
    if (!counts.isObject()) {
      return;
    }
    ObjectNode merged = anthropicUsage.deepCopy();
    for (Map.Entry<String, JsonNode> field : counts.properties()) {
      if (!field.getValue().isNull()) {
        merged.set(field.getKey(), field.getValue());
      }
    }
    TokenUsage u = ProviderUsage.anthropic(merged);
    anthropicUsage.removeAll();
    anthropicUsage.setAll(merged);
    usage = u;
  }
}
