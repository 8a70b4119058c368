package dev.usagestats.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageStats;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The demo as main() wires it: an H2 store, the Micrometer listener, /metrics. */
class DemoWiringTest {
  @Test
  void openStats_h2StoreAndPrometheusMetrics_agreeWithRecordedTraffic() throws Exception {
    System.setProperty("demo.jdbcUrl", "jdbc:h2:mem:demo-wiring;DB_CLOSE_DELAY=-1");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Clock clock = Clock.systemUTC();
    try (UsageStats stats = DemoServer.openStats(clock, registry);
        DemoServer server =
            DemoServer.builder(stats).clock(clock).port(0).metrics(registry::scrape).start()) {
      TrafficGenerator traffic = new TrafficGenerator(stats, clock, DemoCatalog.standard(), 7L);
      var history = traffic.backfill(Duration.ofDays(2));
      stats.flush();
      assertThat(stats.stats().pendingRows()).isZero();
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().calls())
          .isEqualTo(history.calls());

      HttpClient client = HttpClient.newHttpClient();
      JsonNode usage =
          new ObjectMapper()
              .readTree(
                  client
                      .send(
                          HttpRequest.newBuilder(server.uri().resolve("/api/usage")).build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body());
      assertThat(usage.path("totals").path("calls").asLong()).isEqualTo(history.calls());

      HttpResponse<String> metrics =
          client.send(
              HttpRequest.newBuilder(URI.create(server.uri() + "metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      long callsInMetrics =
          metrics
              .body()
              .lines()
              .filter(l -> l.startsWith("usagestats_calls_total{"))
              .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
              .sum();
      assertThat(callsInMetrics).isEqualTo(history.calls());
      assertThat(metrics.body()).contains("usagestats_flush_pending_rows");
    } finally {
      System.clearProperty("demo.jdbcUrl");
    }
  }

  /**
   * Over the demo's own store, ranges that were answered 200 with 8-18 MB bodies are refused with a
   * short 400 naming the limit; a year of days, which the page can ask for, is still answered.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "from=0001-01-01                | 400 | from        | at most 10,000",
        "days=14&granularity=minute     | 400 | granularity | at most 10,000",
        "days=366&granularity=hour      | 400 | granularity | at most 10,000",
        "from=-999999999-01-01          | 400 | from        | years 0001 to 9999",
        "to=%2B999999999-12-31          | 400 | to          | years 0001 to 9999",
        "from=0001-01-01&granularity=day| 400 | from        | 200000 DAY buckets",
        "days=366&granularity=day       | 200 |             |",
      })
  void usage_wideRangesOverTheStore_boundedAnswers(
      String query, int status, String field, String message) throws Exception {
    System.setProperty("demo.jdbcUrl", "jdbc:h2:mem:demo-wide;DB_CLOSE_DELAY=-1");
    Clock clock = Clock.systemUTC();
    try (UsageStats stats =
            DemoServer.openStats(clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        DemoServer server = DemoServer.builder(stats).clock(clock).port(0).start()) {
      if (stats.query(UsageQuery.lastTwoWeeks()).totals().calls() == 0) {
        new TrafficGenerator(stats, clock, DemoCatalog.standard(), 7L)
            .backfill(Duration.ofHours(6));
        stats.flush();
      }

      HttpResponse<String> res =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(server.uri() + "api/usage?" + query)).build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
      assertThat(res.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(res.body().length()).as("bytes").isLessThan(1_000_000);
      if (status == 400) {
        JsonNode body = new ObjectMapper().readTree(res.body());
        assertThat(body.get("error").asText()).isEqualTo("bad_request");
        assertThat(body.get("field").asText()).isEqualTo(field);
        assertThat(body.get("message").asText()).contains(message);
      }
    } finally {
      System.clearProperty("demo.jdbcUrl");
    }
  }
}
