package dev.usagestats.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.Outcome;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageStats;
import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Latency in the usage JSON, checked against figures computed by hand from the raw durations
 * (nearest-rank percentiles), within the histogram's stated precision: never below the exact value,
 * at most 1/128 (or 1 ms) above it.
 */
class ReportJsonLatencyTest {
  private static final Instant NOW = Instant.parse("2026-11-20T10:30:00Z");
  private static final Instant NINE = Instant.parse("2026-11-20T09:10:00Z");
  private final ReportJson json = ReportJson.of(new ObjectMapper());
  private TestClock clock;
  private UsageStats stats;

  @BeforeEach
  void record() {
    clock = TestClock.of(NOW);
    stats = UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build();
    // m1, 09:00 hour: 100 ms (streamed: first token at 50 ms, 300 tokens out) and 200 ms.
    stats.record(event(NINE, "m1", 300, 100, 50L));
    stats.record(event(NINE, "m1", 10, 200, null));
    // m1, 10:00 hour: 1,000 ms (streamed: first token at 200 ms, 400 tokens out) and 3,000 ms.
    stats.record(event(NOW, "m1", 400, 1_000, 200L));
    stats.record(event(NOW, "m1", 10, 3_000, null));
    // m2: one call without latency.
    stats.record("acme", "key-a", "m2", 50, 5);
  }

  @AfterEach
  void close() {
    stats.close();
  }

  @Test
  void report_latency_overallPerSeriesAndPerPoint() {
    JsonNode r = report(Map.of("days", "1"));

    JsonNode overall = r.get("latency");
    // Durations 100, 200, 1000, 3000: p50 is the 2nd, p90 to max the 4th; mean 1075.
    assertStats(overall.get("duration"), 4, 1075, 200, 3000, 3000, 3000, 3000);
    // Times to first token 50, 200: p50 the 1st, the rest the 2nd; mean 125.
    assertStats(overall.get("timeToFirstToken"), 2, 125, 50, 200, 200, 200, 200);
    // 300 + 400 tokens after the first one, over (100 - 50) + (1000 - 200) = 850 ms.
    assertThat(overall.get("outputTokensPerSecond").asDouble())
        .isCloseTo(700 * 1000.0 / 850, org.assertj.core.data.Offset.offset(1e-9));

    JsonNode m1 = series(r, "m1");
    assertStats(m1.get("latency").get("duration"), 4, 1075, 200, 3000, 3000, 3000, 3000);
    JsonNode nine = m1.get("points").get(9).get("latency");
    assertStats(nine.get("duration"), 2, 150, 100, 200, 200, 200, 200);
    assertStats(nine.get("timeToFirstToken"), 1, 50, 50, 50, 50, 50, 50);
    assertThat(nine.get("outputTokensPerSecond").asDouble()).isEqualTo(300 * 1000.0 / 50);
    JsonNode ten = m1.get("points").get(10).get("latency");
    assertStats(ten.get("duration"), 2, 2000, 1000, 3000, 3000, 3000, 3000);
    assertThat(m1.get("points").get(8).get("latency").isNull()).as("no calls at 08:00").isTrue();

    JsonNode m2 = series(r, "m2");
    assertThat(m2.get("latency").isNull()).as("m2 recorded no latency").isTrue();
    assertThat(m2.get("points").get(10).get("latency").isNull()).isTrue();
    assertThat(m2.get("points").get(10).get("calls").asLong()).isEqualTo(1);
  }

  @Test
  void report_noStreamedCall_timeToFirstTokenAndRateNull() {
    stats.record(event(NOW, "m3", 10, 500, null));
    JsonNode m3 = report(Map.of("days", "1", "model", "m3")).get("latency");

    assertStats(m3.get("duration"), 1, 500, 500, 500, 500, 500, 500);
    assertThat(m3.get("timeToFirstToken").isNull()).isTrue();
    assertThat(m3.get("outputTokensPerSecond").isNull()).isTrue();
  }

  @Test
  void report_p95DurationView_valuesInMillisNullWithoutLatencySumIsTheRangesP95() {
    JsonNode r = report(Map.of("days", "1", "view", "p95_duration"));

    assertThat(r.get("view").asText()).isEqualTo("P95_DURATION");
    JsonNode m1 = series(r, "m1");
    JsonNode values = m1.get("values");
    assertThat(values).hasSize(24);
    assertWithin(values.get(9).asLong(), 200);
    assertWithin(values.get(10).asLong(), 3000);
    for (int h : new int[] {0, 8, 11, 23}) {
      assertThat(values.get(h).isNull()).as("hour %d has no calls", h).isTrue();
    }
    // Not the sum of the buckets' p95s: the p95 of all four durations.
    assertWithin(m1.get("sum").asLong(), 3000);
    JsonNode m2 = series(r, "m2");
    assertThat(m2.get("values").get(10).isNull()).as("m2's call has no latency").isTrue();
    assertThat(m2.get("sum").isNull()).isTrue();
  }

  @Test
  void report_p50AndTimeToFirstTokenViews_pickTheirPercentile() {
    JsonNode p50 = series(report(Map.of("days", "1", "view", "p50_duration")), "m1");
    assertWithin(p50.get("values").get(9).asLong(), 100);
    assertWithin(p50.get("values").get(10).asLong(), 1000);
    assertWithin(p50.get("sum").asLong(), 200);

    JsonNode ttft = series(report(Map.of("days", "1", "view", "p95_time_to_first_token")), "m1");
    assertWithin(ttft.get("values").get(9).asLong(), 50);
    assertWithin(ttft.get("values").get(10).asLong(), 200);
    assertWithin(ttft.get("sum").asLong(), 200);
  }

  private JsonNode report(Map<String, String> params) {
    UsageQuery q = UsageRequest.toQuery(params, clock, ZoneOffset.UTC);
    return json.report(q, UsageRequest.answer(stats, q, params));
  }

  private static JsonNode series(JsonNode report, String model) {
    for (JsonNode s : report.get("series")) {
      if (s.get("model").asText().equals(model)) return s;
    }
    throw new AssertionError("no series " + model + " in " + report.get("series"));
  }

  private static UsageEvent event(
      Instant ts, String model, long output, long durationMillis, @Nullable Long ttftMillis) {
    return UsageEvent.builder()
        .timestamp(ts)
        .tenant("acme")
        .apiKey("key-a")
        .model(model)
        .inputTokens(100)
        .outputTokens(output)
        .outcome(Outcome.SUCCESS)
        .duration(Duration.ofMillis(durationMillis))
        .timeToFirstToken(ttftMillis == null ? null : Duration.ofMillis(ttftMillis))
        .build();
  }

  /** count exact; mean within 1%; p50, p90, p95, p99, max within the histogram's precision. */
  private static void assertStats(JsonNode n, long count, double mean, long... exact) {
    assertThat(n.get("count").asLong()).isEqualTo(count);
    assertThat(n.get("meanMillis").asDouble())
        .isCloseTo(mean, org.assertj.core.data.Percentage.withPercentage(1));
    String[] fields = {"p50Millis", "p90Millis", "p95Millis", "p99Millis", "maxMillis"};
    assertThat(exact).hasSize(fields.length);
    for (int i = 0; i < fields.length; i++) {
      assertThat(n.get(fields[i]).isIntegralNumber()).as(fields[i]).isTrue();
      assertWithin(n.get(fields[i]).asLong(), exact[i]);
    }
    assertThat(Arrays.stream(fields).map(n::get)).doesNotContainNull();
  }

  /** Never below the exact value, at most 1/128 of it (or 1 ms) above. */
  private static void assertWithin(long actual, long exact) {
    assertThat(actual).isBetween(exact, exact + Math.max(1, exact / 128));
  }
}
