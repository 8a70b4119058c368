package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How each dialect classifies a failed transaction (rerun at once, refused for good, or passing),
 * and what of a driver's message reaches a log.
 */
class SqlFailureTest {
  private static final DialectSql PG = Dialect.POSTGRESQL.sql();
  private static final DialectSql MARIA = Dialect.MARIADB.sql();
  private static final DialectSql H2 = Dialect.H2.sql();

  private static SQLException e(String state, int code) {
    return new SQLException("failed", state, code);
  }

  @Test
  void isPermanent_constraintAndDataStates_refusedForGood() {
    for (DialectSql sql : List.of(PG, MARIA, H2)) {
      for (String state : List.of("23505", "23514", "23502", "22001", "22003", "22021", "21000")) {
        assertThat(sql.isPermanent(e(state, 0))).as("%s %s", sql, state).isTrue();
      }
    }
  }

  @Test
  void isPermanent_connectionTimeoutDeadlockAndSchema_passing() {
    for (DialectSql sql : List.of(PG, MARIA, H2)) {
      for (String state :
          List.of(
              "08006", "08001", "08003", "57014", "HYT00", "HYT01", "40001", "40P01", "42P01",
              "42501", "53300", "XX000")) {
        assertThat(sql.isPermanent(e(state, 0))).as("%s %s", sql, state).isFalse();
      }
      assertThat(sql.isPermanent(new SQLException("no state"))).isFalse();
    }
  }

  @Test
  void isPermanent_mariaDbCodes_refusedOrPassing() {
    assertThat(MARIA.isPermanent(e("23000", 4025))).as("CHECK failed").isTrue();
    assertThat(MARIA.isPermanent(e("HY000", 1406))).as("data too long, any state").isTrue();
    assertThat(MARIA.isPermanent(e("01000", 1265))).as("data truncated, strict").isTrue();
    assertThat(MARIA.isPermanent(e("HY000", 1205))).as("lock wait timeout").isFalse();
    assertThat(MARIA.isPermanent(e("40001", 1213))).as("deadlock").isFalse();
    assertThat(MARIA.isPermanent(e("70100", 1969))).as("max_statement_time").isFalse();
    assertThat(MARIA.isPermanent(e("HY000", 3024))).as("MySQL max_execution_time").isFalse();
  }

  @Test
  void isPermanent_batchWhoseNextExceptionIsARefusal_refused() {
    BatchUpdateException batch = new BatchUpdateException("Batch entry 0 ...", "22003", 0, null);
    SQLException inner = e("23514", 0);
    batch.setNextException(inner);
    assertThat(PG.isPermanent(batch)).isTrue();
    SQLException plain = new BatchUpdateException("aborted", null, 0, null);
    plain.setNextException(inner);
    assertThat(PG.isPermanent(plain)).isTrue();
  }

  @Test
  void isPermanent_refusalChainedWithALostConnection_passing() {
    SQLException refused = e("23514", 0);
    refused.setNextException(e("08006", 0));
    assertThat(PG.isPermanent(refused)).isFalse();
  }

  @Test
  void isTransient_rerunsOnlyWhatPassesAtOnce() {
    assertThat(PG.isTransient(e("40001", 0))).isTrue();
    assertThat(PG.isTransient(e("40P01", 0))).isTrue();
    assertThat(PG.isTransient(e("08006", 0))).isFalse();
    assertThat(PG.isTransient(e("23505", 0))).isFalse();
    // H2's merge race: a duplicate key is rerun first (and refused only if it persists)
    assertThat(H2.isTransient(e("23505", 23505))).isTrue();
    assertThat(H2.isPermanent(e("23505", 23505))).isTrue();
    assertThat(MARIA.isTransient(e("HY000", 1205))).isTrue();
  }

  @Test
  void scrub_postgresDetailAndBatchEntry_cutAndKeyRedacted() {
    String key = "sk-live-Ab3xQ9rT7uV2wY5zK8mN4pL6";
    BatchUpdateException batch =
        new BatchUpdateException(
            "Batch entry 0 INSERT INTO usage_rollup VALUES (('1'::int8), ('"
                + key
                + "')) was aborted: ERROR: new row violates check constraint \"c\"\n  Detail:"
                + " Failing row contains (1, acme, "
                + key
                + ").  Call getNextException to see other errors in the batch.",
            "23514",
            0,
            null);
    SQLException next =
        new SQLException(
            "ERROR: new row violates check constraint \"c\"\n  Detail: Failing row contains (1, "
                + key
                + ")",
            "23514");
    batch.setNextException(next);
    SQLException cause = new SQLException("value " + key + " too long", "22001");
    batch.initCause(cause);

    SQLException s = SafeMessages.scrub(batch, List.of(key, "ab"));

    assertThat(s.getSQLState()).isEqualTo("23514");
    assertThat(s.getMessage())
        .isEqualTo(
            "java.sql.BatchUpdateException: Batch entry 0 was aborted: ERROR: new row violates"
                + " check constraint \"c\"");
    assertThat(s.getNextException().getMessage())
        .isEqualTo("java.sql.SQLException: ERROR: new row violates check constraint \"c\"");
    assertThat(s.getCause().getMessage())
        .isEqualTo("java.sql.SQLException: value sk-...4pL6 too long");
    assertThat(s.getStackTrace()).isEqualTo(batch.getStackTrace());
  }

  /** A value the call did not name (or one cut short) is redacted if it looks like a secret. */
  @Test
  void scrub_h2StatementTextCutAndSecretLookingValueRedacted() {
    SQLException h2 =
        new SQLException(
            "Value too long for column \"API_KEY\": \"'sk-live-Ab3xQ9rT7uV2wY5zK8mN4pL6...' (300)\";"
                + " SQL statement:\nMERGE INTO usage_rollup ... [22001-232]",
            "22001");
    assertThat(SafeMessages.scrub(h2, List.of()).getMessage())
        .isEqualTo(
            "java.sql.SQLException: Value too long for column \"API_KEY\":"
                + " \"'sk-...4pL6...' (300)\"");
  }
}
