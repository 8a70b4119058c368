/**
 * Test support for code that uses usagestats: {@link dev.usagestats.testing.TestClock}, a clock the
 * test moves by hand. Nothing here is null unless its Javadoc says so.
 */
package dev.usagestats.testing;
