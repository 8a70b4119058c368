/**
 * A durable {@link dev.usagestats.spi.UsageStore} over a JDBC {@code DataSource}: H2 2.x,
 * PostgreSQL 15+ and MariaDB 10.11+ (MySQL-compatible). Entry point: {@link
 * dev.usagestats.jdbc.JdbcUsageStore#builder(javax.sql.DataSource)}.
 */
@NullMarked
package dev.usagestats.jdbc;

import org.jspecify.annotations.NullMarked;
