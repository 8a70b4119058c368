package dev.usagestats;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A capacity-planning question: one period (an ISO week, Monday first, or a calendar month, in
 * {@code zone}) against the period before it, per model or per API key. Answered by {@link
 * UsageStats#plan}.
 *
 * <pre>{@code
 * PlanningReport week = stats.plan(PlanningQuery.builder().zone(ZoneId.of("Asia/Kathmandu")).build());
 * for (PlanningReport.Row r : week.rows()) {
 *   System.out.println(r.name() + " " + r.current().tokens() + " tokens, peak "
 *       + r.current().peaks().tokensPerMinute() + " TPM, change " + r.tokensChange());
 * }
 * }</pre>
 *
 * @param period a week or a month
 * @param containing a date in the current period, or null for today (in {@code zone}, by the
 *     engine's clock)
 * @param zone the zone periods follow
 * @param groupBy {@link GroupBy#MODEL} or {@link GroupBy#API_KEY}
 * @param tenant only this tenant, or null for all
 */
public record PlanningQuery(
    Period period,
    @Nullable LocalDate containing,
    ZoneId zone,
    GroupBy groupBy,
    @Nullable String tenant) {

  /** The length of a planning period. */
  public enum Period {
    /** An ISO week: Monday to Sunday in the query's zone. */
    WEEK,
    /** A calendar month in the query's zone. */
    MONTH
  }

  /** Checks the fields. */
  public PlanningQuery {
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(groupBy, "groupBy");
    if (groupBy != GroupBy.MODEL && groupBy != GroupBy.API_KEY) {
      throw new IllegalArgumentException("groupBy must be MODEL or API_KEY: " + groupBy);
    }
  }

  /** A builder: this week against last week, per model, in UTC. */
  public static Builder builder() {
    return new Builder();
  }

  /** The first date of the current period for {@code today}. */
  public LocalDate currentStart(LocalDate today) {
    LocalDate d = containing != null ? containing : today;
    return period == Period.WEEK
        ? d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
        : d.withDayOfMonth(1);
  }

  /**
   * The usage query behind the plan: from the previous period's start to the current period's end,
   * one bucket per period.
   */
  public UsageQuery toUsageQuery(Instant now) {
    LocalDate start = currentStart(LocalDate.ofInstant(now, zone));
    LocalDate previous = period == Period.WEEK ? start.minusWeeks(1) : start.minusMonths(1);
    LocalDate end = period == Period.WEEK ? start.plusWeeks(1) : start.plusMonths(1);
    UsageQuery.Builder b =
        UsageQuery.builder()
            .zone(zone)
            .from(previous.atStartOfDay(zone).toInstant())
            .to(end.atStartOfDay(zone).toInstant())
            .granularity(period == Period.WEEK ? Granularity.WEEK : Granularity.MONTH)
            .groupBy(groupBy);
    if (tenant != null) b.tenant(tenant);
    return b.build();
  }

  /** Builds a {@link PlanningQuery}; each setter checks its argument. Not thread-safe. */
  public static final class Builder {
    private Period period = Period.WEEK;
    private @Nullable LocalDate containing;
    private ZoneId zone = ZoneId.of("UTC");
    private GroupBy groupBy = GroupBy.MODEL;
    private @Nullable String tenant;

    private Builder() {}

    /** Week (default) or month. */
    public Builder period(Period period) {
      this.period = Objects.requireNonNull(period, "period");
      return this;
    }

    /** A date in the current period (default: today in the zone). */
    public Builder containing(LocalDate date) {
      this.containing = Objects.requireNonNull(date, "date");
      return this;
    }

    /** The zone periods follow (default UTC). */
    public Builder zone(ZoneId zone) {
      this.zone = Objects.requireNonNull(zone, "zone");
      return this;
    }

    /** Per model (default) or per API key. */
    public Builder groupBy(GroupBy groupBy) {
      Objects.requireNonNull(groupBy, "groupBy");
      if (groupBy != GroupBy.MODEL && groupBy != GroupBy.API_KEY) {
        throw new IllegalArgumentException("groupBy must be MODEL or API_KEY: " + groupBy);
      }
      this.groupBy = groupBy;
      return this;
    }

    /** Only this tenant (peaks are then upper bounds unless one series is in a row). */
    public Builder tenant(String tenant) {
      this.tenant = Objects.requireNonNull(tenant, "tenant");
      return this;
    }

    /** The query. */
    public PlanningQuery build() {
      return new PlanningQuery(period, containing, zone, groupBy, tenant);
    }
  }
}
