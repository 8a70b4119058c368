/**
 * The usagestats demo: synthetic traffic ({@link dev.usagestats.examples.TrafficGenerator}), a JSON
 * API and the Usage Statistics web page ({@link dev.usagestats.examples.DemoServer}). Example code,
 * not a published API.
 */
@NullMarked
package dev.usagestats.examples;

import org.jspecify.annotations.NullMarked;
