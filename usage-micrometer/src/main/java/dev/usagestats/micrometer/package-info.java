/**
 * Micrometer export for usagestats: per-series meters under the OpenTelemetry GenAI names ({@link
 * dev.usagestats.micrometer.MicrometerUsageListener}) and the engine's health ({@link
 * dev.usagestats.micrometer.UsageStatsMetrics}).
 */
@NullMarked
package dev.usagestats.micrometer;

import org.jspecify.annotations.NullMarked;
