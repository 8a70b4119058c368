package dev.usagestats.providers;

/**
 * A provider API whose usage object {@link ProviderUsage} reads. Each constant names one wire
 * format; see the module README for the rules and their sources.
 */
public enum Provider {
  /**
   * OpenAI Chat Completions ({@code /v1/chat/completions}): {@code prompt_tokens}, {@code
   * completion_tokens} and their {@code _details}. Also the many OpenAI-compatible servers.
   */
  OPENAI_CHAT,
  /** OpenAI Responses ({@code /v1/responses}): {@code input_tokens}, {@code output_tokens}. */
  OPENAI_RESPONSES,
  /**
   * Anthropic Messages ({@code /v1/messages}): {@code input_tokens} beside {@code
   * cache_read_input_tokens} and {@code cache_creation_input_tokens}.
   */
  ANTHROPIC,
  /**
   * Google Gemini ({@code generateContent}, {@code usageMetadata}): {@code promptTokenCount},
   * {@code candidatesTokenCount} beside {@code thoughtsTokenCount}.
   */
  GEMINI,
  /**
   * DeepSeek chat completions: OpenAI's shape plus {@code prompt_cache_hit_tokens} and {@code
   * prompt_cache_miss_tokens}.
   */
  DEEPSEEK
}
