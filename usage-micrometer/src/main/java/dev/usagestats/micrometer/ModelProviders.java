package dev.usagestats.micrometer;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The default mapping from a model name to the {@code gen_ai.provider.name} tag value of the
 * OpenTelemetry GenAI conventions, used by {@link MicrometerUsageListener} unless its builder is
 * given a table or a function of its own.
 *
 * <pre>{@code
 * ModelProviders.guess("claude-sonnet-4-5");     // "anthropic"
 * ModelProviders.guess("bedrock/claude-3-haiku"); // "aws.bedrock"
 * ModelProviders.guess("public/deepseek-r1");    // "unknown": a gateway's own prefix
 * }</pre>
 *
 * <p>The rules, in order (names compared in lower case):
 *
 * <ol>
 *   <li>a model name with a {@code /} is read as {@code route/model}, LiteLLM's form: a known route
 *       ({@code openai}, {@code azure}, {@code azure_ai}, {@code anthropic}, {@code bedrock},
 *       {@code vertex_ai}, {@code gemini}, {@code deepseek}, {@code groq}, {@code mistral}, {@code
 *       cohere}, {@code xai}, {@code perplexity}, {@code moonshot}, {@code watsonx}) gives its
 *       provider; any other route gives {@link #UNKNOWN}, since a gateway may serve a model from
 *       anywhere;
 *   <li>a bare model name is matched by the family its vendor alone serves under that name: {@code
 *       gpt-}, {@code chatgpt-}, {@code o1}, {@code o3}, {@code o4}, {@code text-embedding-} give
 *       {@code openai}; {@code claude-} {@code anthropic}; {@code gemini-} {@code gcp.gen_ai} (the
 *       conventions' value when the Google endpoint is not known); {@code deepseek-} {@code
 *       deepseek}; {@code mistral-}, {@code codestral-}, {@code magistral-}, {@code ministral-},
 *       {@code pixtral-} {@code mistral_ai}; {@code command} {@code cohere}; {@code grok-} {@code
 *       x_ai}; {@code sonar} {@code perplexity}; {@code kimi-}, {@code moonshot-} {@code
 *       moonshot_ai};
 *   <li>anything else gives {@link #UNKNOWN}.
 * </ol>
 *
 * <p>The values are the conventions' well-known values (registry of {@code gen_ai.provider.name},
 * open-telemetry/semantic-conventions-genai). Stateless and thread-safe.
 */
public final class ModelProviders {
  /** The value for a model whose provider the mapping does not know. */
  public static final String UNKNOWN = "unknown";

  /** LiteLLM's route prefixes and the conventions' provider names. */
  private static final Map<String, String> ROUTES =
      Map.ofEntries(
          Map.entry("openai", "openai"),
          Map.entry("azure", "azure.ai.openai"),
          Map.entry("azure_ai", "azure.ai.inference"),
          Map.entry("anthropic", "anthropic"),
          Map.entry("bedrock", "aws.bedrock"),
          Map.entry("vertex_ai", "gcp.vertex_ai"),
          Map.entry("gemini", "gcp.gemini"),
          Map.entry("deepseek", "deepseek"),
          Map.entry("groq", "groq"),
          Map.entry("mistral", "mistral_ai"),
          Map.entry("cohere", "cohere"),
          Map.entry("xai", "x_ai"),
          Map.entry("perplexity", "perplexity"),
          Map.entry("moonshot", "moonshot_ai"),
          Map.entry("watsonx", "ibm.watsonx.ai"));

  /** Name prefixes of model families one vendor serves, and that vendor. Order matters. */
  private static final String[][] FAMILIES = {
    {"gpt-", "openai"},
    {"chatgpt-", "openai"},
    {"text-embedding-", "openai"},
    {"claude-", "anthropic"},
    {"gemini-", "gcp.gen_ai"},
    {"deepseek-", "deepseek"},
    {"mistral-", "mistral_ai"},
    {"codestral-", "mistral_ai"},
    {"magistral-", "mistral_ai"},
    {"ministral-", "mistral_ai"},
    {"pixtral-", "mistral_ai"},
    {"command", "cohere"},
    {"grok-", "x_ai"},
    {"sonar", "perplexity"},
    {"kimi-", "moonshot_ai"},
    {"moonshot-", "moonshot_ai"},
  };

  private ModelProviders() {}

  /**
   * The provider of {@code model} by the rules above, or {@link #UNKNOWN}.
   *
   * @throws NullPointerException if {@code model} is null
   */
  public static String guess(String model) {
    Objects.requireNonNull(model, "model");
    String m = model.toLowerCase(Locale.ROOT);
    int slash = m.indexOf('/');
    if (slash >= 0) return ROUTES.getOrDefault(m.substring(0, slash), UNKNOWN);
    for (String[] family : FAMILIES) {
      if (m.startsWith(family[0])) return family[1];
    }
    if (isOpenAiReasoning(m)) return "openai";
    return UNKNOWN;
  }

  /** {@code o1}, {@code o3}, {@code o4} alone or followed by {@code -}: OpenAI's o-series. */
  private static boolean isOpenAiReasoning(String m) {
    if (m.length() < 2 || m.charAt(0) != 'o') return false;
    char d = m.charAt(1);
    if (d != '1' && d != '3' && d != '4') return false;
    return m.length() == 2 || m.charAt(2) == '-';
  }
}
