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
}
