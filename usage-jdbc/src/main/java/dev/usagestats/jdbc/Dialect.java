package dev.usagestats.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The SQL dialects {@link JdbcUsageStore} speaks. Detected from {@link
 * DatabaseMetaData#getDatabaseProductName()} unless set on the builder. Each constant holds its
 * dialect's SQL in one package-private class; the store's parts never branch on the dialect.
 */
public enum Dialect {
  /** H2 2.x, embedded (file or in-memory) or server: {@code MERGE INTO ... USING}. */
  H2("h2", new H2Sql()),
  /** PostgreSQL 15+: {@code INSERT ... ON CONFLICT DO UPDATE}. */
  POSTGRESQL("postgresql", new PostgresSql()),
  /** MariaDB 10.11+ and MySQL 8: {@code INSERT ... ON DUPLICATE KEY UPDATE}. */
  MARIADB("mariadb", new MariaDbSql());

  private final String scriptName;
  private final DialectSql sql;

  Dialect(String scriptName, DialectSql sql) {
    this.scriptName = scriptName;
    this.sql = sql;
  }

  /**
   * The schema as first released (version 1), one script. It lacks what later versions add; apply
   * {@link #migrations()} instead.
   *
   * @deprecated since schema version 2: use {@link #migrations()} or {@link #migrationFolder()}
   */
  @Deprecated
  public String schemaResource() {
    return "dev/usagestats/jdbc/schema-" + scriptName + ".sql";
  }

  /**
   * The class-path folder holding this dialect's versioned schema scripts, named as Flyway expects
   * ({@code V1__rollups.sql}, {@code V2__cache_creation_tokens.sql}, ...): {@code
   * db/usagestats/postgresql}. Point Flyway's {@code locations} at {@code classpath:} plus this.
   */
  public String migrationFolder() {
    return sql.scriptFolder();
  }

  /**
   * The versioned schema scripts on the class path, oldest first, each with {@code ${prefix}} where
   * the table prefix goes. Applied in order they build the schema {@link
   * JdbcUsageStore.Builder#createSchema(boolean)} builds.
   */
  public List<String> migrations() {
    List<String> out = new ArrayList<>();
    for (Migration m : Migration.values()) out.add(m.resource(sql.scriptFolder()));
    return List.copyOf(out);
  }

  /** This dialect's SQL. */
  DialectSql sql() {
    return sql;
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
