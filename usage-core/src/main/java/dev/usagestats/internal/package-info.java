/**
 * Implementation of usagestats. Not public API: anything here may change without notice.
 *
 * <p>Design notes live in the block comments of {@link dev.usagestats.internal.Engine} and {@link
 * dev.usagestats.internal.PhaseGate}.
 */
@NullMarked
package dev.usagestats.internal;

import org.jspecify.annotations.NullMarked;
