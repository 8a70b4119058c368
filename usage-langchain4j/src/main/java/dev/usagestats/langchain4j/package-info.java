/**
 * Meters LangChain4j chat calls: {@link dev.usagestats.langchain4j.UsageChatModelListener} is a
 * {@code ChatModelListener} that records every call, blocking and streaming, into a {@link
 * dev.usagestats.UsageStats}, attributed per call to a tenant and API key id ({@link
 * dev.usagestats.langchain4j.UsageAttribution}, {@link dev.usagestats.langchain4j.UsageScope},
 * {@link dev.usagestats.langchain4j.AttributionResolver}).
 */
@NullMarked
package dev.usagestats.langchain4j;

import org.jspecify.annotations.NullMarked;
