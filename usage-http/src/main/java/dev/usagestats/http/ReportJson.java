package dev.usagestats.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.usagestats.CostReport;
import dev.usagestats.Diagnosis;
import dev.usagestats.LatencyStats;
import dev.usagestats.LatencySummary;
import dev.usagestats.ModelShare;
import dev.usagestats.Peaks;
import dev.usagestats.PlanningReport;
import dev.usagestats.PriceVersion;
import dev.usagestats.SeriesView;
import dev.usagestats.TrendPoint;
import dev.usagestats.TrendSeries;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStoreException;
import dev.usagestats.UsageTotals;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Renders a {@link UsageReport} as the JSON of the usage API. Token counts are JSON integers;
 * K-token values and amounts of money are decimal strings ({@code "1234.567"}) so that no float
 * rounds them.
 *
 * <pre>{@code
 * ReportJson json = ReportJson.of(new ObjectMapper());
 * ObjectNode body = json.report(query, stats.query(query));
 * }</pre>
 *
 * Thread-safe if the mapper is (an {@link ObjectMapper} is, once configured).
 */
public final class ReportJson {
  private final ObjectMapper mapper;

  private ReportJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** A renderer whose nodes come from {@code mapper}. */
  public static ReportJson of(ObjectMapper mapper) {
    return new ReportJson(Objects.requireNonNull(mapper, "mapper"));
  }

  /**
   * The report as the usage API answers it: range, zone, granularity, filters (taken from {@code
   * query}), totals, buckets, one zero-filled series per group and the distribution per model.
   *
   * <p>{@code bucketsStarted} is how many buckets had begun at {@code asOf}: those after it lie in
   * the future (a chart ends its lines there), and the last started one is still running when it
   * ends after {@code asOf} (the next bucket's start, or {@code to} for the last bucket).
   *
   * <p>Latency ({@link #latency(LatencySummary)}) is given for the whole report, each series and
   * each point, null where no call had one. In a latency view ({@code view=p95_duration} and the
   * like) {@code values} are milliseconds, null for a bucket without latency, and a series' {@code
   * sum} is the same percentile over the whole range (merged, never averaged), null when none.
   */
  public ObjectNode report(UsageQuery query, UsageReport r) {
    ObjectNode root = mapper.createObjectNode();
    root.put("from", r.from().toString());
    root.put("to", r.to().toString());
    root.put("firstDay", LocalDate.ofInstant(r.from(), r.zone()).toString());
    root.put("lastDay", LocalDate.ofInstant(r.to().minusNanos(1), r.zone()).toString());
    root.put("today", LocalDate.ofInstant(r.asOf(), r.zone()).toString());
    root.put("zone", r.zone().getId());
    root.put("granularity", r.granularity().name());
    root.put("groupBy", r.groupBy().name());
    root.put("view", r.view().name());
    root.put("asOf", r.asOf().toString());
    // Usage before this instant is past retention: the report counts only what is left.
    root.put(
        "incompleteBefore", r.incompleteBefore() == null ? null : r.incompleteBefore().toString());
    ObjectNode filters = root.putObject("filters");
    filters.put("tenant", query.tenant());
    filters.put("apiKey", query.apiKeys().isEmpty() ? null : query.apiKeys().iterator().next());
    filters.put("model", query.models().isEmpty() ? null : query.models().iterator().next());
    root.set("totals", totals(r.totals()));
    ArrayNode buckets = root.putArray("buckets");
    int started = 0;
    for (Instant b : r.buckets()) {
      buckets.add(b.toString());
      if (!b.isAfter(r.asOf())) started++;
    }
    // Buckets from this index on begin after asOf: their zeros mean "not yet", not "no usage".
    root.put("bucketsStarted", started);
    ArrayNode series = root.putArray("series");
    for (TrendSeries s : r.series()) {
      ObjectNode n = series.addObject();
      n.put("label", s.label());
      n.put("apiKey", s.apiKey());
      n.put("model", s.model());
      long sum = 0;
      SeriesView view = r.view();
      boolean unknownIsNull = view.isPeak() || view.isLatency();
      ArrayNode values = n.putArray("values");
      ArrayNode points = n.putArray("points");
      for (TrendPoint p : s.points()) {
        // A peak view's value is a rate: unknown ones are null, and "sum" is the largest. A latency
        // view's value is a percentile in ms, null where the bucket has none.
        if (unknownIsNull && p.value() < 0) values.addNull();
        else values.add(p.value());
        sum = view.isPeak() ? Math.max(sum, p.value()) : sum + p.value();
        ObjectNode pn = points.addObject();
        pn.put("start", p.start().toString());
        pn.put("calls", p.calls());
        pn.put("inputTokens", p.inputTokens());
        pn.put("outputTokens", p.outputTokens());
        pn.put("value", p.value());
        peak(pn, "peakCallsPerMinute", p.peakCallsPerMinute());
        peak(pn, "peakTokensPerMinute", p.peakTokensPerMinute());
        if (p.cost() != null) pn.put("cost", p.cost().toPlainString());
        pn.set("latency", latency(p.latency()));
      }
      if (view.isLatency()) {
        // Percentiles do not add up: the series' own percentile over the range stands for "sum".
        long overall = view.of(s.latencySummary());
        if (overall < 0) n.putNull("sum");
        else n.put("sum", overall);
      } else {
        n.put("sum", sum);
      }
      n.set("peaks", peaks(s.peaks()));
      n.set("latency", latency(s.latencySummary()));
      BigDecimal cost = s.cost();
      if (r.cost() != null) {
        n.put("cost", cost == null ? null : cost.toPlainString());
        n.put(
            "costDisplay",
            cost == null ? null : CostReport.display(cost, r.cost().currency()).toPlainString());
      }
    }
    root.set("peaks", peaks(r.peaks()));
    root.set("latency", latency(r.latencySummary()));
    Diagnosis diagnosis = Diagnosis.of(r);
    root.set("diagnosis", findings(r, diagnosis.findings(Diagnosis.Kind.SPIKE_WITH_SLOWDOWN)));
    root.set("slowdowns", findings(r, diagnosis.findings(Diagnosis.Kind.SLOWDOWN)));
    ArrayNode distribution = root.putArray("distribution");
    for (ModelShare m : r.distribution()) {
      ObjectNode n = distribution.addObject();
      n.put("model", m.model());
      n.set("totals", totals(m.totals()));
      n.put("tokenShare", m.tokenShare());
      n.put("callShare", m.callShare());
      if (r.cost() != null) {
        n.put("cost", m.cost() == null ? null : m.cost().toPlainString());
        n.put(
            "costDisplay",
            m.cost() == null
                ? null
                : CostReport.display(m.cost(), r.cost().currency()).toPlainString());
        n.put("costShare", m.costShare());
      }
    }
    CostReport cost = r.cost();
    if (cost != null) root.set("cost", cost(cost));
    return root;
  }

  /**
   * Diagnosis findings ({@link Diagnosis#of(UsageReport)}, default thresholds): per finding its
   * bucket ({@code start}, {@code bucket} index), group ({@code apiKey}, {@code model}, {@code
   * label}), {@code kind}, and the figures that show it: calls and tokens against the group's
   * medians, p95 duration against the median p95, and both ratios.
   */
  public ArrayNode findings(UsageReport r, List<Diagnosis.Finding> findings) {
    ArrayNode out = mapper.createArrayNode();
    for (Diagnosis.Finding f : findings) {
      ObjectNode n = out.addObject();
      n.put("start", f.start().toString());
      n.put("bucket", r.buckets().indexOf(f.start()));
      n.put("apiKey", f.apiKey());
      n.put("model", f.model());
      n.put("label", f.label());
      n.put("kind", f.kind() == Diagnosis.Kind.SLOWDOWN ? "slowdown" : "spike with slowdown");
      n.put("calls", f.calls());
      n.put("medianCalls", f.medianCalls());
      n.put("tokens", f.tokens());
      n.put("medianTokens", f.medianTokens());
      n.put("p95Millis", f.p95Millis());
      n.put("medianP95Millis", f.medianP95Millis());
      n.put("usageRatio", f.usageRatio());
      n.put("latencyRatio", f.latencyRatio());
    }
    return out;
  }

  /**
   * The cost part of a priced report: {@code currency}, {@code total} (exact), {@code totalDisplay}
   * (half-even to the currency's minor units, {@code minorDigits} of them), the cost per bucket,
   * the unpriced usage per model with its reasons (never a cost of 0), the models whose price
   * ignores a tier, and the price versions used.
   */
  public ObjectNode cost(CostReport cost) {
    ObjectNode n = mapper.createObjectNode();
    n.put("currency", cost.currency().getCurrencyCode());
    n.put("minorDigits", Math.max(0, cost.currency().getDefaultFractionDigits()));
    n.put("total", cost.total().toPlainString());
    n.put("totalDisplay", cost.displayTotal().toPlainString());
    ArrayNode buckets = n.putArray("buckets");
    for (BigDecimal b : cost.buckets()) buckets.add(b.toPlainString());
    ArrayNode unpriced = n.putArray("unpriced");
    for (Map.Entry<String, UsageTotals> e : cost.unpricedModels().entrySet()) {
      ObjectNode u = unpriced.addObject();
      u.put("model", e.getKey());
      u.set("totals", totals(e.getValue()));
      ArrayNode reasons = u.putArray("reasons");
      cost.unpriced().stream()
          .filter(x -> x.model().equals(e.getKey()))
          .map(x -> x.reason())
          .distinct()
          .forEach(reasons::add);
    }
    ObjectNode tiers = n.putObject("tiersIgnored");
    for (Map.Entry<String, Set<String>> e : cost.tiersIgnored().entrySet()) {
      ArrayNode a = tiers.putArray(e.getKey());
      e.getValue().forEach(a::add);
    }
    ArrayNode versions = n.putArray("versions");
    for (PriceVersion v : cost.versionsUsed()) {
      ObjectNode o = versions.addObject();
      o.put("entry", v.entry());
      o.put("tenant", v.tenant());
      o.put("effectiveFrom", v.effectiveFrom().toString());
      o.put("label", v.label());
    }
    return n;
  }

  /**
   * Peak rates: {@code {"callsPerMinute", "tokensPerMinute", "accuracy"}}, the rates null when
   * unknown, accuracy {@code EXACT}, {@code UPPER_BOUND} or {@code UNKNOWN}.
   */
  public ObjectNode peaks(Peaks p) {
    ObjectNode n = mapper.createObjectNode();
    peak(n, "callsPerMinute", p.callsPerMinute());
    peak(n, "tokensPerMinute", p.tokensPerMinute());
    n.put("accuracy", p.accuracy().name());
    return n;
  }

  /**
   * Latency figures, or a JSON null when no call had a latency: {@code {"duration": {...},
   * "timeToFirstToken": {...}, "outputTokensPerSecond": 42.5}}, each of the two (null when none was
   * recorded) as {@code {"count", "meanMillis", "p50Millis", "p90Millis", "p95Millis", "p99Millis",
   * "maxMillis"}}: a count of calls and milliseconds, percentiles within the histogram's precision.
   * {@code outputTokensPerSecond} is null when no streamed call spent time after its first token.
   */
  public JsonNode latency(LatencySummary l) {
    if (!l.isKnown()) return mapper.nullNode();
    ObjectNode n = mapper.createObjectNode();
    n.set("duration", stats(l.duration()));
    n.set("timeToFirstToken", stats(l.timeToFirstToken()));
    double tps = l.outputTokensPerSecond();
    if (Double.isFinite(tps)) n.put("outputTokensPerSecond", tps);
    else n.putNull("outputTokensPerSecond");
    return n;
  }

  private JsonNode stats(LatencyStats s) {
    if (s.count() == 0) return mapper.nullNode();
    ObjectNode n = mapper.createObjectNode();
    n.put("count", s.count());
    n.put("meanMillis", s.meanMillis());
    n.put("p50Millis", s.p50Millis());
    n.put("p90Millis", s.p90Millis());
    n.put("p95Millis", s.p95Millis());
    n.put("p99Millis", s.p99Millis());
    n.put("maxMillis", s.maxMillis());
    return n;
  }

  private static void peak(ObjectNode n, String field, long value) {
    if (value < 0) n.putNull(field);
    else n.put(field, value);
  }

  /**
   * A planning report: the periods, each period's totals and peaks, and one row per model (or API
   * key), ranked, the rows whose usage stopped last ({@code status} {@code GONE}). Changes are
   * ratios (0.25 = 25% more), null where there was nothing before.
   */
  public ObjectNode planning(PlanningReport r) {
    ObjectNode root = mapper.createObjectNode();
    root.put("zone", r.zone().getId());
    root.put("groupBy", r.groupBy().name());
    root.put("previousFrom", r.previousFrom().toString());
    root.put("currentFrom", r.currentFrom().toString());
    root.put("currentTo", r.currentTo().toString());
    root.put("previousFirstDay", LocalDate.ofInstant(r.previousFrom(), r.zone()).toString());
    root.put("currentFirstDay", LocalDate.ofInstant(r.currentFrom(), r.zone()).toString());
    root.put(
        "currentLastDay", LocalDate.ofInstant(r.currentTo().minusNanos(1), r.zone()).toString());
    root.put("asOf", r.asOf().toString());
    root.set("previous", period(r.previous()));
    root.set("current", period(r.current()));
    ArrayNode rows = root.putArray("rows");
    for (PlanningReport.Row row : r.rows()) {
      ObjectNode n = rows.addObject();
      n.put("name", row.name());
      n.put("rank", row.rank());
      n.put("status", row.status().name());
      n.set("previous", period(row.previous()));
      n.set("current", period(row.current()));
      n.put("tokensChange", row.tokensChange());
      n.put("callsChange", row.callsChange());
      n.put("tokenShare", row.tokenShare());
    }
    return root;
  }

  private ObjectNode period(PlanningReport.PeriodUsage u) {
    ObjectNode n = mapper.createObjectNode();
    n.put("calls", u.calls());
    n.put("tokens", u.tokens());
    n.set("peaks", peaks(u.peaks()));
    return n;
  }

  /**
   * Calls, errors and every token count (cached-read and cache-creation tokens are parts of input,
   * reasoning tokens part of output), with the K-token sums as decimal strings.
   */
  public ObjectNode totals(UsageTotals t) {
    ObjectNode n = mapper.createObjectNode();
    n.put("calls", t.calls());
    n.put("errors", t.errors());
    n.put("inputTokens", t.inputTokens());
    n.put("outputTokens", t.outputTokens());
    n.put("totalTokens", t.totalTokens());
    n.put("cachedInputTokens", t.cachedInputTokens());
    n.put("cacheCreationInputTokens", t.cacheCreationInputTokens());
    n.put("reasoningTokens", t.reasoningTokens());
    n.put("totalKTokens", t.totalKTokens().toPlainString());
    n.put("inputKTokens", t.inputKTokens().toPlainString());
    n.put("outputKTokens", t.outputKTokens().toPlainString());
    return n;
  }

  /**
   * The body of a refused request: {@code {"error": "bad_request", "field": ..., "value": ...,
   * "message": ...}}.
   */
  public ObjectNode error(String field, @Nullable String value, String message) {
    ObjectNode n = mapper.createObjectNode();
    n.put("error", "bad_request");
    n.put("field", field);
    n.put("value", value);
    n.put("message", message);
    return n;
  }

  /** The body of a refused request, from the exception that refused it. */
  public ObjectNode error(BadRequestException e) {
    return error(e.field(), e.value(), String.valueOf(e.getMessage()));
  }

  /**
   * The body of a query the store could not answer (served with HTTP 503): {@code {"error":
   * "store_unavailable", "message": ...}}.
   */
  public ObjectNode storeUnavailable(UsageStoreException e) {
    ObjectNode n = mapper.createObjectNode();
    n.put("error", "store_unavailable");
    n.put("message", e.getMessage());
    return n;
  }
}
