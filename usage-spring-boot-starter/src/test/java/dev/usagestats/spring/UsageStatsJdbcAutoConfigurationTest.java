package dev.usagestats.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.usagestats.UsageStats;
import dev.usagestats.jdbc.JdbcUsageStore;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.StoreResult;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class UsageStatsJdbcAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  UsageStatsAutoConfiguration.class, UsageStatsJdbcAutoConfiguration.class));

  @Test
  void jdbcStore_propertyAndDataSource_engineWritesToDataSource() {
    String url = memoryDb();
    runner
        .withBean(DataSource.class, () -> h2(url))
        .withPropertyValues(
            "usagestats.store.jdbc.enabled=true",
            "usagestats.store.jdbc.create-schema=true",
            "usagestats.store.jdbc.table-prefix=app_usage_",
            "usagestats.store.jdbc.compact-after=1h",
            "usagestats.store.jdbc.ledger-retention=2h",
            "usagestats.flush-interval=0")
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(JdbcUsageStore.class);
              assertThat(ctx.getBean(JdbcUsageStore.class).rollupTable())
                  .isEqualTo("app_usage_rollup");
              UsageStats stats = ctx.getBean(UsageStats.class);
              stats.record("acme", "key-a", "m1", 1200, 350);
              stats.flush();
              assertThat(sumTokens(url, "app_usage_rollup")).isEqualTo(1550);
            });
  }

  @Test
  void jdbcStore_noProperty_memoryOnly() {
    runner
        .withBean(DataSource.class, () -> h2(memoryDb()))
        .run(
            ctx ->
                assertThat(ctx).hasSingleBean(UsageStats.class).doesNotHaveBean(UsageStore.class));
  }

  @Test
  void jdbcStore_propertyWithoutDataSource_startFailsSayingSo() {
    runner
        .withPropertyValues("usagestats.store.jdbc.enabled=true")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .rootCause()
                    .hasMessage(
                        "usagestats.store.jdbc.enabled=true needs one DataSource bean (or a primary"
                            + " one): found 0"));
  }

  @Test
  void jdbcStore_badTablePrefix_startFailsNamingProperty() {
    runner
        .withBean(DataSource.class, () -> h2(memoryDb()))
        .withPropertyValues(
            "usagestats.store.jdbc.enabled=true", "usagestats.store.jdbc.table-prefix=usage-")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("usagestats.store.jdbc.table-prefix is invalid: "));
  }

  @Test
  void jdbcStore_userDefinedStore_autoConfiguredBacksOff() {
    runner
        .withBean(DataSource.class, () -> h2(memoryDb()))
        .withUserConfiguration(OwnStore.class)
        .withPropertyValues("usagestats.store.jdbc.enabled=true")
        .run(
            ctx -> {
              assertThat(ctx).doesNotHaveBean(JdbcUsageStore.class).hasSingleBean(UsageStore.class);
              UsageStats stats = ctx.getBean(UsageStats.class);
              stats.record("acme", "key-a", "m1", 10, 5);
              stats.flush();
              assertThat(ctx.getBean(NullStore.class).batches).isEqualTo(1);
            });
  }

  /**
   * Nothing is flushed while the context runs (flush interval 0); closing it must close the engine
   * before the pool, so that the engine's last flush still finds connections.
   */
  @Test
  void close_pendingRows_writtenBeforeThePoolCloses() throws SQLException {
    String url = memoryDb();
    HikariDataSource[] pool = new HikariDataSource[1];
    runner
        .withBean(
            DataSource.class,
            () -> {
              HikariDataSource ds = new HikariDataSource();
              ds.setJdbcUrl(url);
              ds.setMaximumPoolSize(2);
              pool[0] = ds;
              return ds;
            })
        .withPropertyValues(
            "usagestats.store.jdbc.enabled=true",
            "usagestats.store.jdbc.create-schema=true",
            "usagestats.flush-interval=0")
        .run(ctx -> ctx.getBean(UsageStats.class).record("acme", "key-a", "m1", 700, 42));

    assertThat(pool[0].isClosed()).isTrue();
    assertThat(sumTokens(url, "usage_rollup")).isEqualTo(742);
  }

  private static String memoryDb() {
    return "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  }

  private static DataSource h2(String url) {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL(url);
    return ds;
  }

  /** The usage's tokens in the table: the engine's peak aggregates (tenant ' ') repeat them. */
  private static long sumTokens(String url, String table) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT SUM(input_tokens + output_tokens) FROM "
                    + table
                    + " WHERE tenant <> ' '")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnStore {
    @Bean
    NullStore nullStore() {
      return new NullStore();
    }
  }

  /** Accepts batches and counts them; holds nothing. */
  static final class NullStore implements UsageStore {
    volatile int batches;

    @Override
    public void append(UsageBatch batch) {
      batches++;
    }

    @Override
    public StoreResult read(StoreRead read) {
      return new StoreResult(List.of(), read.batchIds());
    }

    @Override
    public void close() {}
  }
}
