package dev.usagestats.micrometer;

import static dev.usagestats.UsageSeries.NO_LATENCY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.Outcome;
import dev.usagestats.UsageSeries;
import dev.usagestats.UsageStats;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LatencyMetersTest {
  /** The GenAI conventions' bounds in seconds, written out as the conventions list them. */
  private static final double[] BOUNDS = {
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92
  };

  private static UsageStats engine(MicrometerUsageListener listener) {
    return UsageStats.builder().flushInterval(Duration.ZERO).listener(listener).build();
  }

  private static Timer timer(SimpleMeterRegistry registry, String name, String model, String err) {
    var search = registry.get(name).tag("gen_ai.request.model", model);
    if (err != null) search = search.tag("error.type", err);
    return search.timer();
  }

  /** Cumulative count of values at or below each bound: the reference a histogram must match. */
  private static long[] reference(List<Long> nanos) {
    long[] expected = new long[BOUNDS.length];
    for (int i = 0; i < BOUNDS.length; i++) {
      long bound = Math.round(BOUNDS[i] * 1e9);
      expected[i] = nanos.stream().filter(n -> n <= bound).count();
    }
    return expected;
  }

  private static long[] counts(Timer timer) {
    CountAtBucket[] buckets = timer.takeSnapshot().histogramCounts();
    assertThat(buckets).hasSize(BOUNDS.length);
    long[] counts = new long[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      assertThat(buckets[i].bucket(TimeUnit.SECONDS)).isEqualTo(BOUNDS[i]);
      counts[i] = (long) buckets[i].count();
    }
    return counts;
  }

  @Test
  void duration_bucketCountsMatchRecordedLatencies() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<Long> ok = new ArrayList<>();
    List<Long> failed = new ArrayList<>();
    List<Long> firstChunk = new ArrayList<>();
    Random random = new Random(7);
    try (UsageStats stats = engine(MicrometerUsageListener.builder(registry).build())) {
      // Exactly on the bounds (a bucket is "at or below"), just above them, and past the last.
      List<Long> durations = new ArrayList<>();
      for (double b : BOUNDS) {
        durations.add(Math.round(b * 1e9));
        durations.add(Math.round(b * 1e9) + 1);
      }
      durations.add(TimeUnit.SECONDS.toNanos(600));
      durations.add(0L);
      for (int i = 0; i < 5_000; i++) durations.add((long) (random.nextDouble() * 100e9));
      for (int i = 0; i < durations.size(); i++) {
        long d = durations.get(i);
        boolean error = i % 7 == 3;
        long ttft = i % 3 == 0 ? d / (1 + i % 5) : NO_LATENCY;
        stats.record(
            "acme",
            "key-1",
            "gpt-4o",
            10,
            20,
            0,
            0,
            0,
            error ? Outcome.ERROR : Outcome.SUCCESS,
            d,
            ttft);
        (error ? failed : ok).add(d);
        if (ttft != NO_LATENCY) firstChunk.add(ttft);
      }
    }
    Timer okTimer = timer(registry, MicrometerUsageListener.OPERATION_DURATION, "gpt-4o", "none");
    Timer errTimer =
        timer(registry, MicrometerUsageListener.OPERATION_DURATION, "gpt-4o", "_OTHER");
    Timer ttfc = timer(registry, MicrometerUsageListener.TIME_TO_FIRST_CHUNK, "gpt-4o", null);

    assertThat(okTimer.count()).isEqualTo(ok.size());
    assertThat(counts(okTimer)).containsExactly(reference(ok));
    assertThat(okTimer.totalTime(TimeUnit.NANOSECONDS))
        .isEqualTo((double) ok.stream().mapToLong(Long::longValue).sum());
    assertThat(errTimer.count()).isEqualTo(failed.size());
    assertThat(counts(errTimer)).containsExactly(reference(failed));
    assertThat(ttfc.count()).isEqualTo(firstChunk.size());
    assertThat(counts(ttfc)).containsExactly(reference(firstChunk));
    assertThat(ttfc.getId().getTag("error.type")).isNull();
  }

  @Test
  void unknownLatency_recordsNothingInTheHistograms() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (UsageStats stats = engine(MicrometerUsageListener.builder(registry).build())) {
      stats.record("acme", "key-1", "gpt-4o", 10, 20);
      stats.record("acme", "key-1", "gpt-4o", 10, 20, 0, 0, 0, Outcome.ERROR);
      stats.record(
          "acme", "key-1", "gpt-4o", 10, 20, 0, 0, 0, Outcome.SUCCESS, NO_LATENCY, NO_LATENCY);
      assertThat(registry.find(MicrometerUsageListener.OPERATION_DURATION).meters()).isEmpty();
      assertThat(registry.find(MicrometerUsageListener.TIME_TO_FIRST_CHUNK).meters()).isEmpty();

      // A duration without a first chunk (not streamed): only the duration histogram.
      stats.record(
          "acme", "key-1", "gpt-4o", 10, 20, 0, 0, 0, Outcome.SUCCESS, 5_000_000L, NO_LATENCY);
      assertThat(
              timer(registry, MicrometerUsageListener.OPERATION_DURATION, "gpt-4o", "none").count())
          .isEqualTo(1);
      assertThat(registry.find(MicrometerUsageListener.TIME_TO_FIRST_CHUNK).meters()).isEmpty();
      assertThat(registry.find(MicrometerUsageListener.CALLS).counters())
          .extracting(c -> c.count())
          .containsExactlyInAnyOrder(3.0, 1.0);
    }
  }

  @Test
  void handle_latencyReachesTheTimers() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (UsageStats stats = engine(MicrometerUsageListener.builder(registry).build())) {
      UsageSeries series = stats.series("acme", "key-1", "claude-sonnet-4-5");
      series.record(10, 20, Duration.ofMillis(300));
      series.record(10, 20, 0, 0, 0, Outcome.ERROR, 90_000_000_000L, 50_000_000L);
    }
    Timer ok =
        timer(registry, MicrometerUsageListener.OPERATION_DURATION, "claude-sonnet-4-5", "none");
    Timer err =
        timer(registry, MicrometerUsageListener.OPERATION_DURATION, "claude-sonnet-4-5", "_OTHER");
    assertThat(ok.count()).isEqualTo(1);
    assertThat(ok.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(300.0);
    assertThat(err.count()).isEqualTo(1);
    assertThat(err.max(TimeUnit.SECONDS)).isEqualTo(90.0);
    assertThat(counts(err)[BOUNDS.length - 1]).as("90 s is past 81.92 s: +Inf only").isZero();
    assertThat(ok.getId().getTag(MicrometerUsageListener.PROVIDER_TAG)).isEqualTo("anthropic");
  }

  @Test
  void meters_resolvedOncePerSeries_countStableAfterManyRecords() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicInteger added = new AtomicInteger();
    registry.config().onMeterAdded(m -> added.incrementAndGet());
    try (UsageStats stats = engine(MicrometerUsageListener.builder(registry).build())) {
      for (String model : new String[] {"gpt-4o", "claude-sonnet-4-5"}) {
        stats.record("acme", "k", model, 1, 1, 0, 0, 0, Outcome.SUCCESS, 1_000_000, 500_000);
        stats.record("acme", "k", model, 1, 1, 0, 0, 0, Outcome.ERROR, 1_000_000, NO_LATENCY);
      }
      int meters = registry.getMeters().size();
      int registrations = added.get();
      // Six counters and three timers per series, and the simple registry's gauge per bucket.
      assertThat(meters).isEqualTo(2 * 9 + 2 * 3 * BOUNDS.length);
      for (int i = 0; i < 20_000; i++) {
        stats.record(
            "acme",
            "k",
            i % 2 == 0 ? "gpt-4o" : "claude-sonnet-4-5",
            1,
            1,
            0,
            0,
            0,
            i % 5 == 0 ? Outcome.ERROR : Outcome.SUCCESS,
            1_000_000L + i,
            i % 3 == 0 ? 1_000L : NO_LATENCY);
      }
      assertThat(registry.getMeters()).hasSize(meters);
      assertThat(added.get()).isEqualTo(registrations);
      assertThat(
              timer(registry, MicrometerUsageListener.OPERATION_DURATION, "gpt-4o", "none").count())
          .isEqualTo(1 + 8_000);
    }
  }

  @Test
  void failingRegistration_countedAndNotRetriedPerCall() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicInteger attempts = new AtomicInteger();
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                if (id.getName().equals(MicrometerUsageListener.OPERATION_DURATION)) {
                  attempts.incrementAndGet();
                  throw new IllegalStateException("registry refuses timers");
                }
                return id;
              }
            });
    MicrometerUsageListener listener = MicrometerUsageListener.builder(registry).build();
    try (UsageStats stats = engine(listener)) {
      for (int i = 0; i < 100; i++) {
        stats.record("acme", "k", "gpt-4o", 1, 1, 0, 0, 0, Outcome.SUCCESS, 1_000_000, NO_LATENCY);
      }
      assertThat(stats.stats().listenerFailures()).isZero();
    }
    assertThat(attempts.get()).isEqualTo(1);
    assertThat(listener.failures()).isEqualTo(1);
    assertThat(registry.find(MicrometerUsageListener.CALLS).counter().count()).isEqualTo(100);
  }

  @Test
  void prometheusScrape_durationHistogramInSecondsWithOneTagKeySet() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (UsageStats stats = engine(MicrometerUsageListener.builder(registry).build())) {
      stats.record("acme", "k", "gpt-4o", 1, 1, 0, 0, 0, Outcome.SUCCESS, 15_000_000, 10_000_000);
      stats.record("acme", "k", "gpt-4o", 1, 1, 0, 0, 0, Outcome.ERROR, 100_000_000_000L, -1);
    }
    String scrape = registry.scrape();
    String tags =
        "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\","
            + "gen_ai_request_model=\"gpt-4o\",tenant=\"acme\"";
    assertThat(scrape)
        .contains(
            "gen_ai_client_operation_duration_seconds_bucket{error_type=\"none\","
                + tags
                + ",le=\"0.01\"} 0")
        .contains(
            "gen_ai_client_operation_duration_seconds_bucket{error_type=\"none\","
                + tags
                + ",le=\"0.02\"} 1")
        // The failed call's histogram is exported too: both carry error_type, so Prometheus
        // accepts them under one name.
        .contains(
            "gen_ai_client_operation_duration_seconds_bucket{error_type=\"_OTHER\","
                + tags
                + ",le=\"81.92\"} 0")
        .contains(
            "gen_ai_client_operation_duration_seconds_count{error_type=\"_OTHER\"," + tags + "} 1")
        .contains(
            "gen_ai_client_operation_time_to_first_chunk_seconds_bucket{"
                + tags
                + ",le=\"0.01\"} 1")
        .contains(
            "gen_ai_client_token_usage_tokens_total{gen_ai_operation_name=\"chat\","
                + "gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4o\","
                + "gen_ai_token_type=\"input\",tenant=\"acme\"} 2.0");
  }

  @Test
  void meterFilter_dropsErrorTypeNoneForOtlp() {
    // The README's recipe for OpenTelemetry backends, where error.type is absent on success.
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                if (!"none".equals(id.getTag("error.type"))) return id;
                List<io.micrometer.core.instrument.Tag> kept = new ArrayList<>(id.getTags());
                kept.removeIf(t -> t.getKey().equals("error.type"));
                return id.replaceTags(Tags.of(kept));
              }
            });
    try (UsageStats stats = engine(MicrometerUsageListener.builder(registry).build())) {
      stats.record("acme", "k", "gpt-4o", 1, 1, 0, 0, 0, Outcome.SUCCESS, 15_000_000, -1);
      stats.record("acme", "k", "gpt-4o", 1, 1, 0, 0, 0, Outcome.ERROR, 15_000_000, -1);
    }
    List<Timer> timers =
        new ArrayList<>(registry.find(MicrometerUsageListener.OPERATION_DURATION).timers());
    assertThat(timers).hasSize(2);
    assertThat(timers)
        .extracting(t -> t.getId().getTag("error.type"))
        .containsExactlyInAnyOrder(null, "_OTHER");
  }
}
