/**
 * usagestats: exact, embeddable usage metering for large-model serving.
 *
 * <p>Entry point: {@link dev.usagestats.UsageStats#builder()}. Record with {@link
 * dev.usagestats.UsageStats#record(UsageEvent)}, the primitive form, or a bound {@link
 * dev.usagestats.UsageSeries}; ask with {@link dev.usagestats.UsageStats#query(UsageQuery)}.
 */
@NullMarked
package dev.usagestats;

import org.jspecify.annotations.NullMarked;
