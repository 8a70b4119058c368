package dev.usagestats.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates, upgrades and checks the schema: the versioned scripts of {@link Migration}, applied in
 * order from the version the database holds. Called once by {@link JdbcUsageStore.Builder#build()}.
 *
 * <p>Not shared: each call works on the one connection it is given.
 *
 * <pre>
 * Design notes
 *
 * Which version. The version table (from version 2 on) holds a row per applied version. A
 * database with the rollup table but no version table is version 1, as first released; one with
 * neither is empty. Without a version table, the upgrade starts from version 1's script, which
 * only creates what is missing, so a version 1 database whose creation was cut short is finished.
 *
 * Same steps as Flyway. createSchema(true) runs the very scripts shipped for Flyway and Liquibase
 * (comment lines dropped, split at ';', ${prefix} replaced), so both paths end in one schema.
 *
 * Two nodes at once. The dialect's lock serializes upgrades: PostgreSQL takes a transaction-scoped
 * advisory lock and runs every step in one transaction (its DDL is transactional: all or nothing);
 * MariaDB takes GET_LOCK and runs the steps one by one (each DDL statement commits on its own).
 * H2 has neither: its steps are written to run twice without harm (IF NOT EXISTS, inserts that skip
 * an existing version row), and a step that collides with another node's is retried.
 *
 * Interrupted. Where DDL is not transactional, a crash can leave a version half applied; its
 * statements can all run again, and the version row is written last, so the next start finishes it.
 * </pre>
 */
final class SchemaManager {
  private static final int ATTEMPTS = 10;

  private final Tables tables;
  private final Dialect dialect;
  private final DialectSql sql;

  SchemaManager(Tables tables, Dialect dialect) {
    this.tables = tables;
    this.dialect = dialect;
    this.sql = dialect.sql();
  }

  /** Brings the schema to {@link Migration#CURRENT}, then checks it. */
  void createOrUpgrade(Connection c) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        upgradeOnce(c);
        break;
      } catch (SQLException e) {
        // Under a schema lock nothing collides; without one (H2), another node's step may.
        if (sql.locksSchema() || attempt == ATTEMPTS || !Transactions.pause(attempt)) throw e;
      }
    }
    requireCurrent(c);
  }

  /**
   * Checks that the schema is at {@link Migration#CURRENT}.
   *
   * @throws IllegalStateException if it is older, newer or missing
   */
  void requireCurrent(Connection c) throws SQLException {
    int found = version(c);
    if (found == Migration.CURRENT) return;
    String scripts = "classpath:" + dialect.migrationFolder();
    if (found == 0) {
      throw new IllegalStateException(
          "no usagestats schema found (table "
              + tables.rollup()
              + " missing), version "
              + Migration.CURRENT
              + " required: run the scripts in "
              + scripts
              + " or createSchema(true)");
    }
    if (found < Migration.CURRENT) {
      throw new IllegalStateException(
          "schema version "
              + found
              + " found, "
              + Migration.CURRENT
              + " required: run the "
              + Migration.stepsAfter(found)
              + " ("
              + scripts
              + ") or createSchema(true)");
    }
    throw new IllegalStateException(
        "schema version "
            + found
            + " found, this usage-jdbc knows versions up to "
            + Migration.CURRENT
            + ": use the usage-jdbc release that wrote it, or a later one");
  }

  private void upgradeOnce(Connection c) throws SQLException {
    boolean auto = c.getAutoCommit();
    boolean transactional = sql.transactionalDdl();
    String lock = "usagestats:" + tables.prefix();
    c.setAutoCommit(!transactional);
    try {
      sql.lockSchema(c, lock);
      try {
        // Without a version table, start from version 1's script: it only creates what is missing.
        int from = exists(c, tables.version()) ? recordedVersion(c) : 0;
        for (Migration m : Migration.values()) {
          if (m.version() > from) runScript(c, m);
        }
        if (transactional) c.commit();
      } finally {
        sql.unlockSchema(c, lock);
      }
    } catch (SQLException | RuntimeException e) {
      if (transactional) {
        try {
          c.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
      }
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /**
   * The first epoch second from which every series row is summed in its model's rows (schema
   * version 6's marker); {@link Long#MAX_VALUE}, never, if the marker row is missing.
   */
  long modelSumsFrom(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT complete_from FROM " + tables.modelSums() + " WHERE id = 0")) {
      return rs.next() ? rs.getLong(1) : Long.MAX_VALUE;
    }
  }

  /** The version the database holds: 0 if empty, 1 if as first released (no version table). */
  private int version(Connection c) throws SQLException {
    if (exists(c, tables.version())) return Math.max(recordedVersion(c), 1);
    return exists(c, tables.rollup()) ? 1 : 0;
  }

  private int recordedVersion(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT MAX(version) FROM " + tables.version())) {
      rs.next();
      return rs.getInt(1); // 0 if no row yet: an upgrade cut short before its first version row
    }
  }

  /**
   * Whether {@code table} can be read; a savepoint keeps a failed probe from ending a transaction.
   */
  private boolean exists(Connection c, String table) throws SQLException {
    Savepoint sp = c.getAutoCommit() ? null : c.setSavepoint();
    try (Statement st = c.createStatement()) {
      st.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0").close();
      if (sp != null) c.releaseSavepoint(sp);
      return true;
    } catch (SQLException e) {
      if (sp != null) c.rollback(sp);
      if (sql.isMissingTable(e)) return false;
      throw e;
    }
  }

  private void runScript(Connection c, Migration m) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String statement : statements(m.resource(dialect.migrationFolder()), tables.prefix())) {
        st.execute(statement);
      }
    }
  }

  /** A script's statements: comment lines dropped, split at ';', the prefix put in. */
  static List<String> statements(String resource, String prefix) {
    String script;
    try (InputStream in = SchemaManager.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing resource " + resource);
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
    StringBuilder clean = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.trim().startsWith("--")) clean.append(line).append('\n');
    }
    List<String> out = new ArrayList<>();
    for (String s : clean.toString().replace("${prefix}", prefix).split(";")) {
      if (!s.isBlank()) out.add(s.trim());
    }
    return out;
  }
}
