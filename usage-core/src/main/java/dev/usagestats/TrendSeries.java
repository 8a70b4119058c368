package dev.usagestats;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The trend of one group: one point per bucket of the report, zero-filled.
 *
 * @param apiKey the group's API key id, or null when the report is not grouped by key
 * @param model the group's model, or null when the report is not grouped by model
 * @param points one point per bucket, in order
 * @param peaks the group's peak rates over the whole range (the largest of its points'), and how
 *     exact they and the points' peaks are
 * @param latency the group's latency over the whole range, histograms merged from every bucket
 */
public record TrendSeries(
    @Nullable String apiKey,
    @Nullable String model,
    List<TrendPoint> points,
    Peaks peaks,
    LatencyTotals latency) {
  /** Copies the points. */
  public TrendSeries {
    points = List.copyOf(Objects.requireNonNull(points, "points"));
    Objects.requireNonNull(peaks, "peaks");
    Objects.requireNonNull(latency, "latency");
  }

  /** A series without latency. */
  public TrendSeries(
      @Nullable String apiKey, @Nullable String model, List<TrendPoint> points, Peaks peaks) {
    this(apiKey, model, points, peaks, LatencyTotals.empty());
  }

  /** Latency figures of the group over the report's range. */
  public LatencySummary latencySummary() {
    return LatencySummary.of(latency);
  }

  /** A series without peaks (unknown). */
  public TrendSeries(@Nullable String apiKey, @Nullable String model, List<TrendPoint> points) {
    this(apiKey, model, points, Peaks.unknown());
  }

  /** The group's exact cost over the report (the sum of its points'), or null if unpriced. */
  public @Nullable BigDecimal cost() {
    BigDecimal sum = null;
    for (TrendPoint p : points) {
      if (p.cost() != null) sum = sum == null ? p.cost() : sum.add(p.cost());
    }
    return sum;
  }

  /** A label for the group: the model, the key, {@code key / model}, or {@code all}. */
  public String label() {
    return label(apiKey, model);
  }

  /** The label of a group of an API key and a model, either null when not grouped by it. */
  public static String label(@Nullable String apiKey, @Nullable String model) {
    if (apiKey != null && model != null) return apiKey + " / " + model;
    if (model != null) return model;
    if (apiKey != null) return apiKey;
    return "all";
  }
}
