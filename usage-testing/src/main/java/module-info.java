/** Test support for code that uses usagestats. Depends on the JDK only. */
module dev.usagestats.testing {
  exports dev.usagestats.testing;
}
