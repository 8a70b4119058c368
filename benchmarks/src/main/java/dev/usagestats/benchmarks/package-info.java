/**
 * JMH measurements of usagestats side by side with what a user would pick instead: the
 * OpenTelemetry SDK, Micrometer and a hand-rolled map of {@code LongAdder}s. Not public API. See
 * {@code benchmarks/BENCHMARKS.md} for how to run them and what they do and do not measure.
 */
@NullMarked
package dev.usagestats.benchmarks;

import org.jspecify.annotations.NullMarked;
