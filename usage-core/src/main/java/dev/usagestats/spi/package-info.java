/**
 * The storage SPI: what a durable store implements to plug into {@link
 * dev.usagestats.UsageStats.Builder#store(UsageStore)}. Users of the library need none of it;
 * {@code usage-jdbc} implements it over a {@code DataSource}.
 *
 * <p>{@link dev.usagestats.spi.Measure} is the one definition of the measured fields: the engine's
 * cells, rollups, pending rows and reports, and a store's columns, all read it.
 */
@NullMarked
package dev.usagestats.spi;

import org.jspecify.annotations.NullMarked;
