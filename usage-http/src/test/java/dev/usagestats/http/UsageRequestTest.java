package dev.usagestats.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.SeriesView;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UsageRequestTest {
  private static final Instant NOW = Instant.parse("2026-11-20T10:30:00Z");
  private static final TestClock CLOCK = TestClock.of(NOW);

  @Test
  void parameters_percentEncoded_decoded() {
    Map<String, String> p =
        UsageRequest.parameters("model=public%2Fdeepseek-r1&zone=Asia%2FKolkata&apiKey=all");

    assertThat(p)
        .containsExactly(
            Map.entry("model", "public/deepseek-r1"),
            Map.entry("zone", "Asia/Kolkata"),
            Map.entry("apiKey", "all"));
  }

  @Test
  void parameters_unknown_refusedNamingIt() {
    assertThatThrownBy(() -> UsageRequest.parameters("dayz=7"))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.field()).isEqualTo("dayz");
              assertThat(e.value()).isEqualTo("7");
              assertThat(e).hasMessageStartingWith("unknown parameter 'dayz'; known: apiKey, days");
            });
  }

  @Test
  void parameters_repeated_refused() {
    assertThatThrownBy(() -> UsageRequest.parameters("zone=UTC&zone=Europe/Berlin"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("zone must be given at most once");
  }

  @Test
  void toQuery_noParameters_lastTwoWeeksOfLocalDaysByModel() {
    UsageQuery q = UsageRequest.toQuery(Map.of(), CLOCK, ZoneId.of("Asia/Kolkata"));

    assertThat(q.zone()).isEqualTo(ZoneId.of("Asia/Kolkata"));
    assertThat(q.from()).isEqualTo(Instant.parse("2026-11-06T18:30:00Z"));
    assertThat(q.to()).isEqualTo(Instant.parse("2026-11-20T18:30:00Z"));
    assertThat(q.groupBy()).isEqualTo(GroupBy.MODEL);
    assertThat(q.view()).isEqualTo(SeriesView.TOTAL);
    assertThat(q.granularity()).isEqualTo(Granularity.AUTO);
    assertThat(q.apiKeys()).isEmpty();
  }

  @Test
  void toQuery_datesAndFilters_wholeLocalDaysOfOneKeyAndModel() {
    UsageQuery q =
        UsageRequest.toQuery(
            Map.of(
                "from", "2026-11-01",
                "to", "2026-11-02",
                "zone", "Asia/Kathmandu",
                "apiKey", "key-7f3a",
                "model", "public/glm-4.5",
                "tenant", "all",
                "granularity", "hour",
                "view", "output",
                "groupBy", "api_key_and_model"),
            CLOCK,
            ZoneOffset.UTC);

    assertThat(q.from()).isEqualTo(Instant.parse("2026-10-31T18:15:00Z"));
    assertThat(q.to()).isEqualTo(Instant.parse("2026-11-02T18:15:00Z"));
    assertThat(q.apiKeys()).isEqualTo(Set.of("key-7f3a"));
    assertThat(q.models()).isEqualTo(Set.of("public/glm-4.5"));
    assertThat(q.tenant()).isNull();
    assertThat(q.granularity()).isEqualTo(Granularity.HOUR);
    assertThat(q.view()).isEqualTo(SeriesView.OUTPUT);
    assertThat(q.groupBy()).isEqualTo(GroupBy.API_KEY_AND_MODEL);
  }

  @ParameterizedTest
  @CsvSource({
    "p50_duration, P50_DURATION",
    "P95_DURATION, P95_DURATION",
    "p99_duration, P99_DURATION",
    "p95_time_to_first_token, P95_TIME_TO_FIRST_TOKEN",
  })
  void toQuery_latencyView_accepted(String value, SeriesView expected) {
    UsageQuery q = UsageRequest.toQuery(Map.of("view", value), CLOCK, ZoneOffset.UTC);

    assertThat(q.view()).isEqualTo(expected);
    assertThat(q.view().isLatency()).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
    "zone, Mars/Base, zone must be a time zone id such as UTC or Europe/Berlin: 'Mars/Base'",
    "days, 0, days must be between 1 and 366: 0",
    "days, two, days must be a whole number: 'two'",
    "granularity, fortnight, 'granularity must be one of minute, hour, day, week, month, auto:"
        + " ''fortnight'''",
    "view, cached, 'view must be one of total, input, output, peak_tokens_per_minute,"
        + " peak_calls_per_minute, cost, p50_duration, p95_duration, p99_duration,"
        + " p95_time_to_first_token: ''cached'''",
    "from, yesterday, from must be a date like 2026-11-20 or an instant like"
        + " 2026-11-20T08:00:00Z: 'yesterday'",
  })
  void toQuery_malformed_refusedNamingParameterAndValue(String field, String value, String msg) {
    assertThatThrownBy(() -> UsageRequest.toQuery(Map.of(field, value), CLOCK, ZoneOffset.UTC))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.field()).isEqualTo(field);
              assertThat(e.value()).isEqualTo(value);
              assertThat(e).hasMessage(msg);
            });
  }

  @ParameterizedTest
  @CsvSource({
    "from, -999999999-01-01",
    "to, +999999999-12-31",
    "from, 0000-12-31",
    "to, 10000-01-01",
    "to, +999999999-12-31T00:00:00Z",
    "from, -999999999-01-01T00:00:00Z",
    "from, 0001-01-01T00:00:00+14:00",
  })
  void toQuery_outsideYearsOneTo9999_refusedNamingParameterAndValue(String field, String value) {
    assertThatThrownBy(() -> UsageRequest.toQuery(Map.of(field, value), CLOCK, ZoneOffset.UTC))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.field()).isEqualTo(field);
              assertThat(e.value()).isEqualTo(value);
              assertThat(e).hasMessageStartingWith(field).hasMessageContaining(value);
            });
  }

  @Test
  void toQuery_firstDayOfYearOneInAZoneAheadOfUtc_refusedNamingFrom() {
    Map<String, String> params = Map.of("from", "0001-01-01", "to", "0001-01-02");

    assertThatThrownBy(() -> UsageRequest.toQuery(params, CLOCK, ZoneOffset.ofHours(14)))
        .isInstanceOfSatisfying(
            BadRequestException.class, e -> assertThat(e.field()).isEqualTo("from"));
  }

  @ParameterizedTest
  @CsvSource({"days=%ZZ", "from=2026-11-01%", "zone=%2", "%G1=x"})
  void parameters_malformedPercentEncoding_refused(String raw) {
    assertThatThrownBy(() -> UsageRequest.parameters(raw))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.field()).isEqualTo("query");
              assertThat(e).hasMessageStartingWith("query must be percent-encoded");
            });
  }

  @Test
  void answer_morePointsThanTheCap_refusedNamingLimitAndHowToNarrow() {
    TestClock clock = TestClock.of(NOW);
    try (UsageStats stats =
        UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build()) {
      stats.record("acme", "key-a", "m1", 10, 5);
      stats.record("acme", "key-a", "m2", 10, 5);
      Map<String, String> params = Map.of("days", "3", "granularity", "hour");
      UsageQuery q = UsageRequest.toQuery(params, clock, ZoneOffset.UTC);

      assertThat(UsageRequest.answer(stats, q, params, 144).buckets()).hasSize(72);
      assertThatThrownBy(() -> UsageRequest.answer(stats, q, params, 143))
          .isInstanceOfSatisfying(
              BadRequestException.class,
              e -> {
                assertThat(e.field()).isEqualTo("granularity");
                assertThat(e.value()).isEqualTo("hour");
                assertThat(e)
                    .hasMessage(
                        "granularity=hour asks for 144 points (72 hour buckets x 2 series); an"
                            + " answer holds at most 143: choose a coarser granularity, a shorter"
                            + " range (days, from, to), or filter by model or apiKey, or"
                            + " groupBy=none");
              });
    }
  }

  @Test
  void answer_yearOneOnwardByMonth_refusedByTheCapNotAnsweredInMegabytes() {
    TestClock clock = TestClock.of(NOW);
    try (UsageStats stats =
        UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build()) {
      stats.record("acme", "key-a", "m1", 10, 5);
      Map<String, String> params = Map.of("from", "0001-01-01");
      UsageQuery q = UsageRequest.toQuery(params, clock, ZoneOffset.UTC);

      assertThatThrownBy(
              () -> UsageRequest.answer(stats, q, params, UsageRequest.DEFAULT_MAX_POINTS))
          .isInstanceOfSatisfying(
              BadRequestException.class,
              e -> {
                assertThat(e.field()).isEqualTo("from");
                assertThat(e).hasMessageContaining("at most 10,000");
              });
    }
  }

  @Test
  void toQuery_daysWithFrom_refused() {
    assertThatThrownBy(
            () ->
                UsageRequest.toQuery(
                    Map.of("days", "3", "from", "2026-11-01"), CLOCK, ZoneOffset.UTC))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("days must not be combined with from or to: days=3");
  }

  @Test
  void answer_beyondRetention_answersWhatIsLeftAndSaysFromWhen() {
    TestClock clock = TestClock.of(NOW.minus(Duration.ofDays(5)));
    try (UsageStats stats = fiveDaysOfHistory(clock)) {
      Map<String, String> params = Map.of("days", "30");
      UsageQuery q = UsageRequest.toQuery(params, clock, ZoneOffset.UTC);

      UsageReport r = UsageRequest.answer(stats, q, params);

      // memory keeps at least its 1 day; every hour from there on is counted
      Instant kept = r.incompleteBefore();
      assertThat(kept).isNotNull().isAfter(r.from());
      assertThat(kept).isBeforeOrEqualTo(clock.instant().minus(Duration.ofDays(1)));
      long hours = Duration.between(kept, clock.instant()).toHours();
      assertThat(r.totals().calls()).isEqualTo(hours);
      JsonNode json = ReportJson.of(new ObjectMapper()).report(q, r);
      assertThat(json.get("incompleteBefore").asText()).isEqualTo(kept.toString());
      // a range memory holds all of says nothing
      Map<String, String> oneDay = Map.of("days", "1");
      UsageQuery today = UsageRequest.toQuery(oneDay, clock, ZoneOffset.UTC);
      JsonNode whole =
          ReportJson.of(new ObjectMapper())
              .report(today, UsageRequest.answer(stats, today, oneDay));
      assertThat(whole.get("incompleteBefore").isNull()).isTrue();
    }
  }

  @Test
  void answer_minuteBucketsTooFarBack_refusedNamingGranularity() {
    TestClock clock = TestClock.of(NOW.minus(Duration.ofDays(5)));
    try (UsageStats stats = fiveDaysOfHistory(clock)) {
      Map<String, String> params = Map.of("days", "2", "granularity", "minute");
      UsageQuery q = UsageRequest.toQuery(params, clock, ZoneOffset.UTC);

      assertThatThrownBy(() -> UsageRequest.answer(stats, q, params))
          .isInstanceOfSatisfying(
              BadRequestException.class,
              e -> {
                assertThat(e.field()).isEqualTo("granularity");
                assertThat(e.value()).isEqualTo("minute");
              });
    }
  }

  /** An engine keeping 1 day, fed one call an hour for 5 days, so memory has let go of some. */
  private static UsageStats fiveDaysOfHistory(TestClock clock) {
    UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .retention(Duration.ofDays(1))
            .flushInterval(Duration.ZERO)
            .build();
    for (int h = 0; h < 5 * 24; h++) {
      stats.record("acme", "key-a", "m1", 10, 5);
      clock.advance(Duration.ofHours(1));
      stats.flush();
    }
    return stats;
  }
}
