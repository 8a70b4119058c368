package dev.usagestats.micrometer;

/** Which Micrometer meter type {@code gen_ai.client.token.usage} is. */
public enum TokenMeter {
  /**
   * A counter of tokens (the default, as Spring AI does): one add per record, the cheapest, and
   * what usage dashboards need (token rates per model, sums over a window).
   */
  COUNTER,
  /**
   * A distribution summary with the OpenTelemetry GenAI bucket bounds (1, 4, 16, ... 67108864
   * tokens), as the semantic conventions recommend: also shows how many tokens single calls use, at
   * the price of a bucket search per record and a series per bucket in the backend.
   */
  DISTRIBUTION
}
