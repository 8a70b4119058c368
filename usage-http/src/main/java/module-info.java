/** The parameters and JSON of the usage API ({@code GET /api/usage}) for HTTP front ends. */
module dev.usagestats.http {
  requires static org.jspecify;
  requires transitive dev.usagestats.core;
  requires transitive com.fasterxml.jackson.databind;

  exports dev.usagestats.http;
}
