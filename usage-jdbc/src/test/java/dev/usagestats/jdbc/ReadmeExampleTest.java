package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's example, kept compiling and running (on H2 here). */
class ReadmeExampleTest {
  @Test
  void readmeExample_runs() {
    String jdbcUrl = "jdbc:h2:mem:readme;DB_CLOSE_DELAY=-1";
    // --- README example starts
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl); // e.g. jdbc:postgresql://db:5432/app?reWriteBatchedInserts=true
    config.setMaximumPoolSize(4);
    try (HikariDataSource dataSource = new HikariDataSource(config)) {
      JdbcUsageStore store =
          JdbcUsageStore.builder(dataSource)
              .tablePrefix("usage_")
              .createSchema(true)
              .compactAfter(Duration.ofDays(2))
              .compactEvery(Duration.ofHours(1))
              .build();
      try (UsageStats stats =
          UsageStats.builder()
              .store(store)
              .nodeId("api-7") // unique per running instance
              .flushInterval(Duration.ofSeconds(5))
              .build()) {
        stats.record("acme", "key-7f3a", "public/deepseek-r1", 1200, 350);
        UsageReport r = stats.query(UsageQuery.lastTwoWeeks());
        System.out.println(r.totals().totalKTokens() + " K tokens");
        // --- README example ends
        assertThat(r.totals().totalTokens()).isEqualTo(1550);
      }
    }
  }
}
