package dev.usagestats.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;

/**
 * The SQL dialects {@link JdbcUsageStore} speaks. Detected from {@link
 * DatabaseMetaData#getDatabaseProductName()} unless set on the builder.
 */
public enum Dialect {
  /** H2 2.x, embedded (file or in-memory) or server: {@code MERGE INTO ... USING}. */
  H2("h2", Set.of("23505", "90131", "HYT00", "40001"), Set.of(50200, 90131, 23505, 40001)),
  /** PostgreSQL 15+: {@code INSERT ... ON CONFLICT DO UPDATE}. */
  POSTGRESQL("postgresql", Set.of("40001", "40P01"), Set.of()),
  /** MariaDB 10.11+ and MySQL 8: {@code INSERT ... ON DUPLICATE KEY UPDATE}. */
  MARIADB("mariadb", Set.of("40001"), Set.of(1213, 1205));

  private final String scriptName;
  private final Set<String> retryStates;
  private final Set<Integer> retryCodes;

  Dialect(String scriptName, Set<String> retryStates, Set<Integer> retryCodes) {
    this.scriptName = scriptName;
    this.retryStates = retryStates;
    this.retryCodes = retryCodes;
  }

  /** The schema script on the class path, for hosts that apply it with Flyway or Liquibase. */
  public String schemaResource() {
    return "dev/usagestats/jdbc/schema-" + scriptName + ".sql";
  }

  /**
   * Whether a failed transaction is worth running again: deadlocks, serialization failures, lock
   * timeouts, and H2's unique-key or "concurrent update" errors when two connections merge the same
   * new key.
   */
  boolean isTransient(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        if (s.getSQLState() != null && retryStates.contains(s.getSQLState())) return true;
        if (retryCodes.contains(s.getErrorCode())) return true;
        SQLException next = s.getNextException();
        if (next != null && next != t && isTransient(next)) return true;
      }
    }
    return false;
  }

  static Dialect detect(DatabaseMetaData meta) throws SQLException {
    String name = meta.getDatabaseProductName().toLowerCase(Locale.ROOT);
    if (name.contains("h2")) return H2;
    if (name.contains("postgres")) return POSTGRESQL;
    if (name.contains("mariadb") || name.contains("mysql")) return MARIADB;
    throw new IllegalStateException(
        "dialect must be one of H2, PostgreSQL, MariaDB/MySQL: database is '"
            + meta.getDatabaseProductName()
            + "'; set JdbcUsageStore.Builder.dialect(...) if it is compatible");
  }
}
