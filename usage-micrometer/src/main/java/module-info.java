/** usagestats' Micrometer meters and engine health binder ({@code dev.usagestats.micrometer}). */
module dev.usagestats.micrometer {
  requires static org.jspecify;
  requires transitive dev.usagestats.core;
  requires transitive micrometer.core;
  requires org.slf4j;

  exports dev.usagestats.micrometer;
}
