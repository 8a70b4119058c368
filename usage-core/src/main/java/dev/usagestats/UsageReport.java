package dev.usagestats;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The answer to a {@link UsageQuery}: totals, one zero-filled trend series per group, the
 * distribution over models and, when a {@link PriceBook} priced it, the cost. Immutable. To
 * refresh, query again.
 *
 * @param from the first instant covered (the query's start, widened to a bucket start)
 * @param to the end of the last bucket, exclusive
 * @param zone the zone the buckets follow
 * @param granularity the granularity used (never AUTO)
 * @param groupBy how the series are split
 * @param view which count the points' {@code value} shows
 * @param asOf when the query ran; every event recorded before it is counted
 * @param totals totals over the range and filters
 * @param buckets the start of each bucket, in order; the last ends at {@code to}
 * @param series one series per group with usage in the range, ordered by label
 * @param distribution one entry per model with usage in the range, largest token count first
 * @param peaks peak rates of all selected usage over the range: exact with no filter (or a filter
 *     of one model only), else an upper bound (see {@link PeakAccuracy})
 * @param cost the cost, or null when no price book was in force for the query
 * @param latency latency of all selected calls recorded with one, histograms merged over the range
 *     (see {@link #latencySummary()})
 * @param incompleteBefore null when the report counts all usage of its range; otherwise the range
 *     starts before the oldest data still kept (by the store's retention, or by memory's {@code
 *     retention} without a store), and this is the instant from which usage is complete: before it
 *     usage past retention is missing, and the report counts only what is left. It may lie after
 *     {@code to} when the whole range is past retention.
 */
public record UsageReport(
    Instant from,
    Instant to,
    ZoneId zone,
    Granularity granularity,
    GroupBy groupBy,
    SeriesView view,
    Instant asOf,
    UsageTotals totals,
    List<Instant> buckets,
    List<TrendSeries> series,
    List<ModelShare> distribution,
    Peaks peaks,
    @Nullable CostReport cost,
    LatencyTotals latency,
    @Nullable Instant incompleteBefore) {

  /** Copies the lists. */
  public UsageReport {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(granularity, "granularity");
    Objects.requireNonNull(groupBy, "groupBy");
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(totals, "totals");
    buckets = List.copyOf(buckets);
    series = List.copyOf(series);
    distribution = List.copyOf(distribution);
    Objects.requireNonNull(peaks, "peaks");
    Objects.requireNonNull(latency, "latency");
  }

  /** A report with peaks and cost, without latency, whose range is all kept. */
  public UsageReport(
      Instant from,
      Instant to,
      ZoneId zone,
      Granularity granularity,
      GroupBy groupBy,
      SeriesView view,
      Instant asOf,
      UsageTotals totals,
      List<Instant> buckets,
      List<TrendSeries> series,
      List<ModelShare> distribution,
      Peaks peaks,
      @Nullable CostReport cost) {
    this(
        from,
        to,
        zone,
        granularity,
        groupBy,
        view,
        asOf,
        totals,
        buckets,
        series,
        distribution,
        peaks,
        cost,
        LatencyTotals.empty(),
        null);
  }

  /** Latency figures (mean, p50 to p99, max) of all selected calls over the range. */
  public LatencySummary latencySummary() {
    return LatencySummary.of(latency);
  }

  /** A report with cost and without peaks (unknown). */
  public UsageReport(
      Instant from,
      Instant to,
      ZoneId zone,
      Granularity granularity,
      GroupBy groupBy,
      SeriesView view,
      Instant asOf,
      UsageTotals totals,
      List<Instant> buckets,
      List<TrendSeries> series,
      List<ModelShare> distribution,
      @Nullable CostReport cost) {
    this(
        from,
        to,
        zone,
        granularity,
        groupBy,
        view,
        asOf,
        totals,
        buckets,
        series,
        distribution,
        Peaks.unknown(),
        cost);
  }

  /** A report without peaks (unknown) and without cost. */
  public UsageReport(
      Instant from,
      Instant to,
      ZoneId zone,
      Granularity granularity,
      GroupBy groupBy,
      SeriesView view,
      Instant asOf,
      UsageTotals totals,
      List<Instant> buckets,
      List<TrendSeries> series,
      List<ModelShare> distribution) {
    this(
        from,
        to,
        zone,
        granularity,
        groupBy,
        view,
        asOf,
        totals,
        buckets,
        series,
        distribution,
        Peaks.unknown(),
        null);
  }
}
