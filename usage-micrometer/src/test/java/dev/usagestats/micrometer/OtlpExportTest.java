package dev.usagestats.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.usagestats.Outcome;
import dev.usagestats.UsageStats;
import io.micrometer.core.instrument.Clock;
import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The route for OpenTelemetry users: this listener into Micrometer's OTLP registry, which posts
 * OTLP/HTTP protobuf to a collector. A collector on 127.0.0.1 (this test) decodes what arrives and
 * checks the GenAI semantic-convention names and attributes.
 */
class OtlpExportTest {
  private HttpServer collector;
  private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void startCollector() throws Exception {
    collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext(
        "/v1/metrics",
        exchange -> {
          received.add(exchange.getRequestBody().readAllBytes());
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    collector.start();
  }

  @AfterEach
  void stopCollector() {
    collector.stop(0);
  }

  private OtlpMeterRegistry registry() {
    return registry(Map.of());
  }

  private OtlpMeterRegistry registry(Map<String, String> extra) {
    Map<String, String> props = new HashMap<>(extra);
    props.put("otlp.url", "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/metrics");
    props.put("otlp.step", "PT1M");
    OtlpConfig config = props::get;
    return new OtlpMeterRegistry(config, Clock.SYSTEM);
  }

  /** Records two calls, closes the registry (its last publish) and decodes what arrived. */
  private List<Metric> export(TokenMeter tokenMeter) throws Exception {
    OtlpMeterRegistry registry = registry();
    try (UsageStats stats =
        UsageStats.builder()
            .flushInterval(Duration.ZERO)
            .listener(MicrometerUsageListener.builder(registry).tokenMeter(tokenMeter).build())
            .build()) {
      stats.record("acme", "key-1", "gpt-4o", 1200, 350, 1000, 0, 0, Outcome.SUCCESS);
      stats.record("acme", "key-1", "gpt-4o", 800, 120, 0, 0, 40, Outcome.SUCCESS);
    }
    return collect(registry);
  }

  private List<Metric> collect(OtlpMeterRegistry registry) throws Exception {
    registry.close();
    List<Metric> metrics = new ArrayList<>();
    byte[] body;
    while ((body = received.poll(metrics.isEmpty() ? 10 : 0, TimeUnit.SECONDS)) != null) {
      ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(body);
      request.getResourceMetricsList().stream()
          .flatMap(r -> r.getScopeMetricsList().stream())
          .flatMap(s -> s.getMetricsList().stream())
          .forEach(metrics::add);
    }
    return metrics;
  }

  private static Map<String, String> attributes(List<KeyValue> attributes) {
    return attributes.stream()
        .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue()));
  }

  private static Metric metric(List<Metric> metrics, String name) {
    return metrics.stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    name + " not exported; got " + metrics.stream().map(Metric::getName).toList()));
  }

  @Test
  void counter_arrivesAsMonotonicSumWithGenAiAttributes() throws Exception {
    Metric tokens = metric(export(TokenMeter.COUNTER), "gen_ai.client.token.usage");

    assertThat(tokens.hasSum()).isTrue();
    assertThat(tokens.getSum().getIsMonotonic()).isTrue();
    assertThat(tokens.getUnit()).isEqualTo("tokens");
    Map<String, Double> byType = new HashMap<>();
    for (NumberDataPoint p : tokens.getSum().getDataPointsList()) {
      Map<String, String> a = attributes(p.getAttributesList());
      assertThat(a)
          .containsEntry("gen_ai.request.model", "gpt-4o")
          .containsEntry("gen_ai.operation.name", "chat")
          .containsEntry("tenant", "acme")
          .doesNotContainKey("api_key");
      byType.put(a.get("gen_ai.token.type"), p.getAsDouble());
    }
    assertThat(byType).isEqualTo(Map.of("input", 2000.0, "output", 470.0));
  }

  @Test
  void distribution_arrivesAsHistogramWithTheConventionsBuckets() throws Exception {
    Metric tokens = metric(export(TokenMeter.DISTRIBUTION), "gen_ai.client.token.usage");

    assertThat(tokens.hasHistogram()).isTrue();
    Map<String, HistogramDataPoint> byType = new HashMap<>();
    for (HistogramDataPoint p : tokens.getHistogram().getDataPointsList()) {
      Map<String, String> a = attributes(p.getAttributesList());
      assertThat(a).containsEntry("gen_ai.request.model", "gpt-4o");
      byType.put(a.get("gen_ai.token.type"), p);
    }
    assertThat(byType).containsOnlyKeys("input", "output");
    assertThat(byType.get("input").getCount()).isEqualTo(2);
    assertThat(byType.get("input").getSum()).isEqualTo(2000.0);
    assertThat(byType.get("output").getSum()).isEqualTo(470.0);
    assertThat(byType.get("input").getExplicitBoundsList())
        .containsExactlyElementsOf(
            Arrays.stream(MicrometerUsageListener.TOKEN_BUCKETS).boxed().toList());
  }

  @Test
  void duration_inSeconds_arrivesAsHistogramWithTheConventionsBucketsAndAttributes()
      throws Exception {
    // Micrometer's OTLP registry sends timers in milliseconds unless told otherwise; the
    // conventions' unit is seconds (the README says to set otlp.baseTimeUnit).
    OtlpMeterRegistry registry = registry(Map.of("otlp.baseTimeUnit", "seconds"));
    try (UsageStats stats =
        UsageStats.builder()
            .flushInterval(Duration.ZERO)
            .listener(MicrometerUsageListener.builder(registry).build())
            .build()) {
      stats.record(
          "acme", "key-1", "gpt-4o", 10, 20, 0, 0, 0, Outcome.SUCCESS, 15_000_000L, 10_000_000L);
      stats.record("acme", "key-1", "gpt-4o", 10, 20, 0, 0, 0, Outcome.ERROR, 3_000_000_000L, -1);
    }
    List<Metric> metrics = collect(registry);
    Metric duration = metric(metrics, MicrometerUsageListener.OPERATION_DURATION);
    assertThat(duration.hasHistogram()).isTrue();
    // Micrometer names the unit "seconds", not UCUM's "s" the conventions give.
    assertThat(duration.getUnit()).isEqualTo("seconds");
    Map<String, HistogramDataPoint> byError = new HashMap<>();
    for (HistogramDataPoint p : duration.getHistogram().getDataPointsList()) {
      Map<String, String> a = attributes(p.getAttributesList());
      assertThat(a)
          .containsEntry("gen_ai.request.model", "gpt-4o")
          .containsEntry("gen_ai.provider.name", "openai")
          .containsEntry("gen_ai.operation.name", "chat");
      byError.put(a.get("error.type"), p);
    }
    assertThat(byError).containsOnlyKeys("none", "_OTHER");
    assertThat(byError.get("none").getExplicitBoundsList())
        .containsExactly(
            0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
    assertThat(byError.get("none").getSum()).isEqualTo(0.015);
    assertThat(byError.get("none").getBucketCountsList().subList(0, 3)).containsExactly(0L, 1L, 0L);
    assertThat(byError.get("_OTHER").getSum()).isEqualTo(3.0);
    Metric firstChunk = metric(metrics, MicrometerUsageListener.TIME_TO_FIRST_CHUNK);
    assertThat(firstChunk.getHistogram().getDataPointsList()).hasSize(1);
    assertThat(firstChunk.getHistogram().getDataPoints(0).getSum()).isEqualTo(0.01);
  }
}
