package dev.usagestats;

import dev.usagestats.internal.Checks;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A usage question: which range, in which zone, at which granularity, for which tenant, keys and
 * models, grouped how, showing which count.
 *
 * <p>The range is half-open {@code [from, to)} and is widened to whole buckets of the granularity:
 * a report always covers complete buckets, so its daily buckets add up to its total. A null {@code
 * from} means the start of the day 13 days before today in the query's zone (the last 14 calendar
 * days, today included); a null {@code to} means the moment the query runs. Empty {@code apiKeys}
 * or {@code models} mean all; a null {@code tenant} means all tenants.
 *
 * <pre>{@code
 * UsageQuery q = UsageQuery.builder()
 *     .zone(ZoneId.of("Asia/Kolkata"))
 *     .days(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 11, 30))
 *     .model("public/deepseek-r1")
 *     .granularity(Granularity.DAY)
 *     .build();
 * }</pre>
 *
 * @param from first instant, or null for the default
 * @param to end instant (exclusive), or null for now
 * @param zone the zone buckets follow
 * @param granularity bucket width
 * @param tenant only this tenant, or null for all
 * @param apiKeys only these API key ids; empty for all
 * @param models only these models; empty for all
 * @param groupBy how trend series are split
 * @param view which count trend points show
 * @param priceBook the prices to cost this query with, overriding the engine's; null for the
 *     engine's (if any)
 */
public record UsageQuery(
    @Nullable Instant from,
    @Nullable Instant to,
    ZoneId zone,
    Granularity granularity,
    @Nullable String tenant,
    Set<String> apiKeys,
    Set<String> models,
    GroupBy groupBy,
    SeriesView view,
    @Nullable PriceBook priceBook) {

  /** Checks the fields and copies the sets. */
  public UsageQuery {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(granularity, "granularity");
    Objects.requireNonNull(groupBy, "groupBy");
    Objects.requireNonNull(view, "view");
    if (from != null) Checks.queryInstant("from", from);
    if (to != null) Checks.queryInstant("to", to);
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to: from=" + from + ", to=" + to);
    }
    if (tenant != null) Checks.name("tenant", tenant);
    apiKeys = checkedNames("apiKeys", apiKeys);
    models = checkedNames("models", models);
  }

  /** A query priced with the engine's price book, if any. */
  public UsageQuery(
      @Nullable Instant from,
      @Nullable Instant to,
      ZoneId zone,
      Granularity granularity,
      @Nullable String tenant,
      Set<String> apiKeys,
      Set<String> models,
      GroupBy groupBy,
      SeriesView view) {
    this(from, to, zone, granularity, tenant, apiKeys, models, groupBy, view, null);
  }

  private static Set<String> checkedNames(String field, Set<String> names) {
    Objects.requireNonNull(names, field);
    for (String name : names) Checks.name(field, name);
    return Set.copyOf(names);
  }

  /** All usage of the last 14 days in UTC, by model, daily. */
  public static UsageQuery lastTwoWeeks() {
    return builder().build();
  }

  /** A new builder with the defaults: last 14 days, UTC, AUTO, all, by model, TOTAL. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link UsageQuery}; each setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private @Nullable Instant from;
    private @Nullable Instant to;
    private @Nullable LocalDate firstDay;
    private @Nullable LocalDate lastDay;
    private ZoneId zone = ZoneOffset.UTC;
    private Granularity granularity = Granularity.AUTO;
    private @Nullable String tenant;
    private final Set<String> apiKeys = new LinkedHashSet<>();
    private final Set<String> models = new LinkedHashSet<>();
    private GroupBy groupBy = GroupBy.MODEL;
    private SeriesView view = SeriesView.TOTAL;
    private @Nullable PriceBook priceBook;

    private Builder() {}

    /** First instant of the range. */
    public Builder from(Instant from) {
      this.from = Checks.queryInstant("from", from);
      this.firstDay = null;
      return this;
    }

    /** End of the range, exclusive. */
    public Builder to(Instant to) {
      this.to = Checks.queryInstant("to", to);
      this.lastDay = null;
      return this;
    }

    /** One whole local day in the query's zone. */
    public Builder day(LocalDate day) {
      return days(day, day);
    }

    /** Whole local days, {@code first} to {@code last} inclusive, in the query's zone. */
    public Builder days(LocalDate first, LocalDate last) {
      checkDay("first", first);
      checkDay("last", last);
      if (last.isBefore(first)) {
        throw new IllegalArgumentException(
            "last must not be before first: first=" + first + ", last=" + last);
      }
      this.firstDay = first;
      this.lastDay = last;
      this.from = null;
      this.to = null;
      return this;
    }

    private static void checkDay(String field, LocalDate day) {
      Objects.requireNonNull(day, field);
      if (day.getYear() < 1 || day.getYear() > 9999) {
        throw new IllegalArgumentException(
            field + " must be a day of the years 0001 to 9999: " + day);
      }
    }

    /** The zone buckets follow (default UTC). */
    public Builder zone(ZoneId zone) {
      this.zone = Objects.requireNonNull(zone, "zone");
      return this;
    }

    /** Bucket width (default AUTO). */
    public Builder granularity(Granularity granularity) {
      this.granularity = Objects.requireNonNull(granularity, "granularity");
      return this;
    }

    /** Only this tenant. */
    public Builder tenant(String tenant) {
      this.tenant = Checks.name("tenant", tenant);
      return this;
    }

    /** Adds one API key id to the filter. */
    public Builder apiKey(String apiKey) {
      apiKeys.add(Checks.name("apiKey", apiKey));
      return this;
    }

    /** Adds API key ids to the filter. */
    public Builder apiKeys(Collection<String> apiKeys) {
      for (String k : Objects.requireNonNull(apiKeys, "apiKeys")) apiKey(k);
      return this;
    }

    /** Adds one model to the filter. */
    public Builder model(String model) {
      models.add(Checks.name("model", model));
      return this;
    }

    /** Adds models to the filter. */
    public Builder models(Collection<String> models) {
      for (String m : Objects.requireNonNull(models, "models")) model(m);
      return this;
    }

    /** How trend series are split (default MODEL). */
    public Builder groupBy(GroupBy groupBy) {
      this.groupBy = Objects.requireNonNull(groupBy, "groupBy");
      return this;
    }

    /** Which count trend points show (default TOTAL). */
    public Builder view(SeriesView view) {
      this.view = Objects.requireNonNull(view, "view");
      return this;
    }

    /**
     * Prices this query with {@code priceBook} instead of the engine's book: "what would this month
     * have cost on other prices".
     */
    public Builder priceBook(PriceBook priceBook) {
      this.priceBook = Objects.requireNonNull(priceBook, "priceBook");
      return this;
    }

    /**
     * Builds the query.
     *
     * @throws IllegalArgumentException if from is not before to
     */
    public UsageQuery build() {
      Instant f = from;
      Instant t = to;
      if (firstDay != null && lastDay != null) {
        f = firstDay.atStartOfDay(zone).toInstant();
        t = lastDay.plusDays(1).atStartOfDay(zone).toInstant();
      }
      return new UsageQuery(
          f, t, zone, granularity, tenant, apiKeys, models, groupBy, view, priceBook);
    }
  }
}
