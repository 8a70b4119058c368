/**
 * usagestats provider usage: OpenAI, Anthropic, Gemini and DeepSeek usage objects (Jackson trees)
 * normalised into the engine's token counts ({@code dev.usagestats.providers}).
 */
module dev.usagestats.providers {
  requires static org.jspecify;
  requires transitive dev.usagestats.core;
  requires transitive com.fasterxml.jackson.databind;

  exports dev.usagestats.providers;
}
