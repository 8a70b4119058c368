/**
 * Price books from files and expense reports: {@code dev.usagestats.prices}. Jackson stays here,
 * out of usage-core.
 */
module dev.usagestats.prices {
  requires transitive dev.usagestats.core;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.csv;
  requires static org.jspecify;

  exports dev.usagestats.prices;
}
