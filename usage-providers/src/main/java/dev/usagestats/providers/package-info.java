/**
 * Provider usage objects normalised into the engine's token counts.
 *
 * <p>Each provider counts cached, cache-creation and reasoning tokens its own way: OpenAI counts
 * cached tokens inside {@code prompt_tokens}, Anthropic reports cache reads and writes beside
 * {@code input_tokens}, Gemini reports thinking tokens beside {@code candidatesTokenCount}. {@link
 * dev.usagestats.providers.ProviderUsage} reads each provider's JSON usage object (a Jackson tree,
 * so any HTTP client can use it) and returns one {@link dev.usagestats.providers.TokenUsage} in
 * which input includes every cache read and write and output includes reasoning. {@link
 * dev.usagestats.providers.StreamUsage} does the same for streamed responses, event by event.
 */
@NullMarked
package dev.usagestats.providers;

import org.jspecify.annotations.NullMarked;
