package dev.usagestats.spring;

import dev.usagestats.ApiKeyPolicy;
import dev.usagestats.micrometer.TokenMeter;
import java.time.Duration;
import java.time.ZoneId;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code usagestats.*} properties. An engine setting left unset keeps the default of {@link
 * dev.usagestats.UsageStats.Builder} (stated in each description), so the starter never restates
 * the engine's defaults.
 *
 * <pre>{@code
 * usagestats.zone=Europe/Berlin
 * usagestats.store.jdbc.enabled=true
 * usagestats.store.jdbc.create-schema=true
 * }</pre>
 */
@ConfigurationProperties("usagestats")
public final class UsageStatsProperties {

  /** Whether to create the usage engine and the beans around it. Default true. */
  private boolean enabled = true;

  /** Time zone of queries that name none, for example the usage endpoint's. Default UTC. */
  private @Nullable ZoneId zone;

  /**
   * How long memory keeps 15-minute rollups; without a store, events older than this are refused
   * and queries cannot reach further back. Default 15 days.
   */
  private @Nullable Duration retention;

  /**
   * How long memory keeps 1-minute rollups for MINUTE queries. At most the retention. Default 3
   * hours.
   */
  private @Nullable Duration minuteRetention;

  /**
   * Most series (tenant, API key, model) kept apart; events of further series go to one overflow
   * series, so totals stay exact. Default 10000.
   */
  private @Nullable Integer maxSeries;

  /** How far ahead of the clock an event's timestamp may be. Default 5 minutes. */
  private @Nullable Duration maxFutureSkew;

  /**
   * How often recorded usage moves to rollups and to the store; 0 flushes only on queries and on
   * shutdown. Default 5 seconds.
   */
  private @Nullable Duration flushInterval;

  /** How long shutdown keeps retrying pending batches to the store. Default 10 seconds. */
  private @Nullable Duration closeTimeout;

  /**
   * This instance's id in store batches; must differ between running instances that share a store.
   * Default a random UUID per start.
   */
  private @Nullable String nodeId;

  /**
   * Most rollup rows held for a slow or unreachable store; past half of it new rows are kept per 15
   * minutes, at the cap further usage is dropped and counted. Default 500000.
   */
  private @Nullable Long maxPendingRows;

  /**
   * What to do with an API key id that looks like a provider secret: REFUSE the event, record it
   * under its FINGERPRINT instead, or ALLOW it as given. Default REFUSE.
   */
  private @Nullable ApiKeyPolicy apiKeyPolicy;

  private final Store store = new Store();
  private final Metrics metrics = new Metrics();
  private final Health health = new Health();
  private final Attribution attribution = new Attribution();
  private final SpringAi springAi = new SpringAi();
  private final LangChain4j langchain4j = new LangChain4j();

  /** Whether to create the usage engine and the beans around it. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Sets whether to create the usage engine and the beans around it. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** The zone of queries that name none, or null for the engine's default (UTC). */
  public @Nullable ZoneId getZone() {
    return zone;
  }

  /** Sets the zone of queries that name none. */
  public void setZone(@Nullable ZoneId zone) {
    this.zone = zone;
  }

  /** Memory retention of 15-minute rollups, or null for the engine's default. */
  public @Nullable Duration getRetention() {
    return retention;
  }

  /** Sets the memory retention of 15-minute rollups. */
  public void setRetention(@Nullable Duration retention) {
    this.retention = retention;
  }

  /** Memory retention of 1-minute rollups, or null for the engine's default. */
  public @Nullable Duration getMinuteRetention() {
    return minuteRetention;
  }

  /** Sets the memory retention of 1-minute rollups. */
  public void setMinuteRetention(@Nullable Duration minuteRetention) {
    this.minuteRetention = minuteRetention;
  }

  /** The series cap, or null for the engine's default. */
  public @Nullable Integer getMaxSeries() {
    return maxSeries;
  }

  /** Sets the series cap. */
  public void setMaxSeries(@Nullable Integer maxSeries) {
    this.maxSeries = maxSeries;
  }

  /** How far ahead of the clock an event may be, or null for the engine's default. */
  public @Nullable Duration getMaxFutureSkew() {
    return maxFutureSkew;
  }

  /** Sets how far ahead of the clock an event may be. */
  public void setMaxFutureSkew(@Nullable Duration maxFutureSkew) {
    this.maxFutureSkew = maxFutureSkew;
  }

  /** The flush interval, or null for the engine's default. */
  public @Nullable Duration getFlushInterval() {
    return flushInterval;
  }

  /** Sets the flush interval. */
  public void setFlushInterval(@Nullable Duration flushInterval) {
    this.flushInterval = flushInterval;
  }

  /** How long shutdown retries pending batches, or null for the engine's default. */
  public @Nullable Duration getCloseTimeout() {
    return closeTimeout;
  }

  /** Sets how long shutdown retries pending batches. */
  public void setCloseTimeout(@Nullable Duration closeTimeout) {
    this.closeTimeout = closeTimeout;
  }

  /** This instance's id in store batches, or null for a random one. */
  public @Nullable String getNodeId() {
    return nodeId;
  }

  /** Sets this instance's id in store batches. */
  public void setNodeId(@Nullable String nodeId) {
    this.nodeId = nodeId;
  }

  /** The cap on rows pending for the store, or null for the engine's default. */
  public @Nullable Long getMaxPendingRows() {
    return maxPendingRows;
  }

  /** Sets the cap on rows pending for the store. */
  public void setMaxPendingRows(@Nullable Long maxPendingRows) {
    this.maxPendingRows = maxPendingRows;
  }

  /** The policy for API key ids that look like secrets, or null for the engine's default. */
  public @Nullable ApiKeyPolicy getApiKeyPolicy() {
    return apiKeyPolicy;
  }

  /** Sets the policy for API key ids that look like secrets. */
  public void setApiKeyPolicy(@Nullable ApiKeyPolicy apiKeyPolicy) {
    this.apiKeyPolicy = apiKeyPolicy;
  }

  /** The store settings. */
  public Store getStore() {
    return store;
  }

  /** The Micrometer settings. */
  public Metrics getMetrics() {
    return metrics;
  }

  /** The health indicator settings. */
  public Health getHealth() {
    return health;
  }

  /** Who recorded calls are attributed to when nothing else says. */
  public Attribution getAttribution() {
    return attribution;
  }

  /** The Spring AI hook settings. */
  public SpringAi getSpringAi() {
    return springAi;
  }

  /** The LangChain4j listener settings. */
  public LangChain4j getLangchain4j() {
    return langchain4j;
  }

  /** Where rollups are kept beyond memory. */
  public static final class Store {
    private final Jdbc jdbc = new Jdbc();

    /** The JDBC store settings. */
    public Jdbc getJdbc() {
      return jdbc;
    }
  }

  /** A {@code JdbcUsageStore} on the application's {@code DataSource}. */
  public static final class Jdbc {

    /**
     * Whether to keep rollups in the application's DataSource (H2, PostgreSQL or MariaDB/MySQL).
     * Needs exactly one DataSource bean, or a primary one. Default false.
     */
    private boolean enabled;

    /**
     * Prefix of the two tables ({prefix}rollup, {prefix}ledger), matching
     * [A-Za-z_][A-Za-z0-9_]{0,47}. Default usage_.
     */
    private @Nullable String tablePrefix;

    /**
     * Whether to create missing tables and indexes on start (CREATE ... IF NOT EXISTS). Default
     * false: apply the shipped scripts with Flyway or Liquibase instead.
     */
    private @Nullable Boolean createSchema;

    /**
     * Age after which compaction folds minute rows into 15-minute rows; at least 15 minutes.
     * Default 2 days.
     */
    private @Nullable Duration compactAfter;

    /** How often to run compaction on a background thread; 0 never runs it. Default 0. */
    private @Nullable Duration compactEvery;

    /** How long compaction keeps flush ledger rows; at least 1 hour. Default 7 days. */
    private @Nullable Duration ledgerRetention;

    /** Whether the JDBC store is on. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Turns the JDBC store on or off. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** The table prefix, or null for the store's default. */
    public @Nullable String getTablePrefix() {
      return tablePrefix;
    }

    /** Sets the table prefix. */
    public void setTablePrefix(@Nullable String tablePrefix) {
      this.tablePrefix = tablePrefix;
    }

    /** Whether to create the schema on start, or null for the store's default. */
    public @Nullable Boolean getCreateSchema() {
      return createSchema;
    }

    /** Sets whether to create the schema on start. */
    public void setCreateSchema(@Nullable Boolean createSchema) {
      this.createSchema = createSchema;
    }

    /** The compaction age, or null for the store's default. */
    public @Nullable Duration getCompactAfter() {
      return compactAfter;
    }

    /** Sets the compaction age. */
    public void setCompactAfter(@Nullable Duration compactAfter) {
      this.compactAfter = compactAfter;
    }

    /** The compaction period, or null for the store's default. */
    public @Nullable Duration getCompactEvery() {
      return compactEvery;
    }

    /** Sets the compaction period. */
    public void setCompactEvery(@Nullable Duration compactEvery) {
      this.compactEvery = compactEvery;
    }

    /** The ledger retention, or null for the store's default. */
    public @Nullable Duration getLedgerRetention() {
      return ledgerRetention;
    }

    /** Sets the ledger retention. */
    public void setLedgerRetention(@Nullable Duration ledgerRetention) {
      this.ledgerRetention = ledgerRetention;
    }
  }

  /** Micrometer meters, when the application has a MeterRegistry. */
  public static final class Metrics {

    /**
     * Whether to export usage meters (gen_ai.client.token.usage, usagestats.calls) and the engine's
     * health meters when a MeterRegistry bean exists. Default true.
     */
    private boolean enabled = true;

    /**
     * Whether usage meters carry an api_key tag with the key id (never a secret). Default false.
     */
    private @Nullable Boolean apiKeyTag;

    /** Whether usage meters carry a tenant tag. Default true. */
    private @Nullable Boolean tenantTag;

    /**
     * Meter type of gen_ai.client.token.usage: COUNTER, or DISTRIBUTION with the OpenTelemetry
     * bucket bounds. Default COUNTER.
     */
    private @Nullable TokenMeter tokenMeter;

    /**
     * Most series with meters of their own; the rest share the __overflow__ meters. Default 10000.
     */
    private @Nullable Integer maxMeterSeries;

    /** Value of the gen_ai.operation.name tag. Default chat. */
    private @Nullable String operationName;

    /** Whether meters are exported. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Turns meters on or off. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** Whether meters carry an api_key tag, or null for the listener's default. */
    public @Nullable Boolean getApiKeyTag() {
      return apiKeyTag;
    }

    /** Sets whether meters carry an api_key tag. */
    public void setApiKeyTag(@Nullable Boolean apiKeyTag) {
      this.apiKeyTag = apiKeyTag;
    }

    /** Whether meters carry a tenant tag, or null for the listener's default. */
    public @Nullable Boolean getTenantTag() {
      return tenantTag;
    }

    /** Sets whether meters carry a tenant tag. */
    public void setTenantTag(@Nullable Boolean tenantTag) {
      this.tenantTag = tenantTag;
    }

    /** The token meter type, or null for the listener's default. */
    public @Nullable TokenMeter getTokenMeter() {
      return tokenMeter;
    }

    /** Sets the token meter type. */
    public void setTokenMeter(@Nullable TokenMeter tokenMeter) {
      this.tokenMeter = tokenMeter;
    }

    /** The meter series cap, or null for the listener's default. */
    public @Nullable Integer getMaxMeterSeries() {
      return maxMeterSeries;
    }

    /** Sets the meter series cap. */
    public void setMaxMeterSeries(@Nullable Integer maxMeterSeries) {
      this.maxMeterSeries = maxMeterSeries;
    }

    /** The gen_ai.operation.name tag value, or null for the listener's default. */
    public @Nullable String getOperationName() {
      return operationName;
    }

    /** Sets the gen_ai.operation.name tag value. */
    public void setOperationName(@Nullable String operationName) {
      this.operationName = operationName;
    }
  }

  /** The usagestats health indicator. */
  public static final class Health {

    /**
     * How old the store's last accepted batch may be, while rows wait and writes have failed,
     * before the health indicator reports DOWN.
     */
    private Duration maxFlushAge = Duration.ofMinutes(1);

    /** The age of the last good flush past which a failing store is DOWN. */
    public Duration getMaxFlushAge() {
      return maxFlushAge;
    }

    /** Sets the age of the last good flush past which a failing store is DOWN. */
    public void setMaxFlushAge(Duration maxFlushAge) {
      this.maxFlushAge = maxFlushAge;
    }
  }

  /** Who a framework call is attributed to when no resolver bean says otherwise. */
  public static final class Attribution {

    /** Tenant of calls recorded by the Spring AI hook and the LangChain4j listener. */
    private String tenant = "default";

    /**
     * API key id (never a secret) of calls recorded by the Spring AI hook and the LangChain4j
     * listener.
     */
    private String apiKey = "unattributed";

    /** The tenant of framework calls. */
    public String getTenant() {
      return tenant;
    }

    /** Sets the tenant of framework calls. */
    public void setTenant(String tenant) {
      this.tenant = tenant;
    }

    /** The API key id of framework calls. */
    public String getApiKey() {
      return apiKey;
    }

    /** Sets the API key id of framework calls. */
    public void setApiKey(String apiKey) {
      this.apiKey = apiKey;
    }
  }

  /** Recording Spring AI chat calls. */
  public static final class SpringAi {

    /**
     * Whether to record Spring AI chat model calls (through an ObservationHandler) when Spring AI
     * is on the class path. Default true.
     */
    private boolean enabled = true;

    /** Whether Spring AI calls are recorded. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Turns recording of Spring AI calls on or off. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** Recording LangChain4j chat calls. */
  public static final class LangChain4j {

    /**
     * Whether to provide the usagestats ChatModelListener bean when LangChain4j and
     * usage-langchain4j are on the class path. Default true.
     */
    private boolean enabled = true;

    /** Whether the LangChain4j listener bean is provided. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Turns the LangChain4j listener bean on or off. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
