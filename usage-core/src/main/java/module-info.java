/**
 * usagestats core: events, the in-memory engine, queries and reports ({@code dev.usagestats}), and
 * the storage SPI ({@code dev.usagestats.spi}). {@code dev.usagestats.internal} is not exported.
 */
module dev.usagestats.core {
  requires static org.jspecify;
  requires org.slf4j;
  requires transitive HdrHistogram;

  exports dev.usagestats;
  exports dev.usagestats.spi;
}
