/** usagestats' durable store over JDBC: H2, PostgreSQL, MariaDB ({@code dev.usagestats.jdbc}). */
module dev.usagestats.jdbc {
  requires static org.jspecify;
  requires transitive dev.usagestats.core;
  requires transitive java.sql;
  requires org.slf4j;

  exports dev.usagestats.jdbc;
}
