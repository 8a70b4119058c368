package dev.usagestats.providers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** Reads token counts out of a provider's usage object, with messages naming the JSON field. */
final class UsageFields {
  private final String what;
  private final JsonNode usage;

  private UsageFields(String what, JsonNode usage) {
    this.what = what;
    this.usage = usage;
  }

  /**
   * The usage object of {@code node}: {@code node} itself, or its {@code wrapper} field when {@code
   * node} is a whole response holding one.
   *
   * @param what how messages name the source, for example {@code "OpenAI chat usage"}
   */
  static UsageFields of(String what, JsonNode node, String wrapper) {
    Objects.requireNonNull(node, "usage");
    JsonNode usage = node.path(wrapper).isObject() ? node.get(wrapper) : node;
    if (!usage.isObject()) {
      throw new IllegalArgumentException(
          what + " must be a JSON object: " + abbreviate(usage.toString()));
    }
    return new UsageFields(what, usage);
  }

  /** Whether the usage object has {@code path} (dot-separated) with a non-null value. */
  boolean has(String path) {
    JsonNode n = node(path);
    return !n.isMissingNode() && !n.isNull();
  }

  /**
   * The count at {@code path} (dot-separated, for example {@code
   * prompt_tokens_details.cached_tokens}); 0 when the field or one of its parents is missing or
   * null.
   *
   * @throws IllegalArgumentException if the value is not an integer from 0 to {@link
   *     Long#MAX_VALUE}
   */
  long count(String path) {
    JsonNode n = node(path);
    if (n.isMissingNode() || n.isNull()) {
      return 0;
    }
    boolean integral =
        n.isIntegralNumber()
            || (n.isFloatingPointNumber() && n.doubleValue() == Math.rint(n.doubleValue()));
    if (!integral || !n.canConvertToLong() || n.longValue() < 0) {
      throw new IllegalArgumentException(
          what
              + ": "
              + path
              + " must be an integer from 0 to "
              + Long.MAX_VALUE
              + ": "
              + abbreviate(n.toString()));
    }
    return n.longValue();
  }

  /** {@code a + b}, refused when the sum overflows. */
  long sum(String pathA, long a, String pathB, long b) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          what + ": " + pathA + " + " + pathB + " overflows a long: " + a + " + " + b, e);
    }
  }

  /** Refuses a part larger than its whole, naming both fields. */
  void partOf(String partPath, long part, String wholePath, long whole) {
    if (part > whole) {
      throw new IllegalArgumentException(
          what + ": " + partPath + " must be <= " + wholePath + " (" + whole + "): " + part);
    }
  }

  /** Builds the result, turning a failed check into a message that names the source. */
  TokenUsage usage(long input, long output, long cached, long cacheCreation, long reasoning) {
    try {
      return new TokenUsage(input, output, cached, cacheCreation, reasoning);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
  }

  private JsonNode node(String path) {
    JsonNode n = usage;
    for (String name : path.split("\\.", -1)) {
      n = n.path(name);
    }
    return n;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
