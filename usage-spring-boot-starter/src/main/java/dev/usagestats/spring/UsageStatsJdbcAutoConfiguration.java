package dev.usagestats.spring;

import static dev.usagestats.spring.UsageStatsAutoConfiguration.set;

import dev.usagestats.jdbc.JdbcUsageStore;
import dev.usagestats.spi.UsageStore;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * A {@link JdbcUsageStore} on the application's {@link DataSource} when {@code
 * usagestats.store.jdbc.enabled=true}. Backs off when the application defines its own {@link
 * UsageStore}. With the property on and no single {@code DataSource} (one bean, or a primary one)
 * the start fails and says so, rather than keeping usage in memory only.
 *
 * <p>The store never closes the {@code DataSource}; the engine closes the store.
 */
@AutoConfiguration(
    afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass({JdbcUsageStore.class, DataSource.class})
@ConditionalOnBooleanProperty(name = "usagestats.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty("usagestats.store.jdbc.enabled")
@EnableConfigurationProperties(UsageStatsProperties.class)
public final class UsageStatsJdbcAutoConfiguration {

  /** The store, on the application's only (or primary) {@code DataSource}. */
  @Bean
  @ConditionalOnMissingBean(UsageStore.class)
  public JdbcUsageStore jdbcUsageStore(
      UsageStatsProperties properties, ObjectProvider<DataSource> dataSource) {
    DataSource ds = dataSource.getIfUnique();
    if (ds == null) {
      throw new IllegalStateException(
          "usagestats.store.jdbc.enabled=true needs one DataSource bean (or a primary one): found "
              + dataSource.stream().count());
    }
    UsageStatsProperties.Jdbc p = properties.getStore().getJdbc();
    JdbcUsageStore.Builder b = JdbcUsageStore.builder(ds);
    set("store.jdbc.table-prefix", p.getTablePrefix(), b::tablePrefix);
    set("store.jdbc.create-schema", p.getCreateSchema(), b::createSchema);
    set("store.jdbc.compact-after", p.getCompactAfter(), b::compactAfter);
    set("store.jdbc.compact-every", p.getCompactEvery(), b::compactEvery);
    set("store.jdbc.ledger-retention", p.getLedgerRetention(), b::ledgerRetention);
    return b.build();
  }
}
