package dev.usagestats.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.usagestats.ApiKeys;
import dev.usagestats.Outcome;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageSeries;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MicrometerUsageListenerTest {
  private static final String[] MODELS = {"public/deepseek-r1", "public/qwen3-235b", "glm-4.5"};
  private static final String[] KEYS = {
    ApiKeys.fingerprint("sk-proj-aaaaaaaaaaaaaaaaaaaa"),
    ApiKeys.fingerprint("sk-proj-bbbbbbbbbbbbbbbbbbbb")
  };

  /** What the test recorded, per model: {input, output, success calls, error calls}. */
  private static Map<String, long[]> recordFromThreads(UsageStats stats, int threads, int each)
      throws InterruptedException {
    Map<String, long[]> expected = new HashMap<>();
    for (String m : MODELS) expected.put(m, new long[4]);
    List<Thread> ts = new ArrayList<>();
    List<Map<String, long[]>> perThread = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Map<String, long[]> mine = new HashMap<>();
      for (String m : MODELS) mine.put(m, new long[4]);
      perThread.add(mine);
      int id = t;
      ts.add(
          new Thread(
              () -> {
                for (int i = 0; i < each; i++) {
                  String model = MODELS[(i + id) % MODELS.length];
                  long in = 1 + (i * 37L + id) % 5000;
                  long out = (i * 11L) % 900;
                  boolean error = i % 17 == 0;
                  stats.record(
                      "acme",
                      KEYS[i % KEYS.length],
                      model,
                      in,
                      out,
                      0,
                      0,
                      error ? Outcome.ERROR : Outcome.SUCCESS);
                  long[] e = mine.get(model);
                  e[0] += in;
                  e[1] += out;
                  e[error ? 3 : 2]++;
                }
              }));
    }
    ts.forEach(Thread::start);
    for (Thread t : ts) t.join();
    for (Map<String, long[]> mine : perThread) {
      mine.forEach(
          (m, v) -> {
            long[] e = expected.get(m);
            for (int i = 0; i < 4; i++) e[i] += v[i];
          });
    }
    return expected;
  }

  @Test
  void counters_manyThreads_exactPerModelAndTokenType() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (UsageStats stats =
        UsageStats.builder()
            .flushInterval(Duration.ZERO)
            .listener(MicrometerUsageListener.builder(registry).build())
            .build()) {
      Map<String, long[]> expected = recordFromThreads(stats, 4, 50_000);
      for (String model : MODELS) {
        long[] e = expected.get(model);
        assertThat(tokens(registry, model, "input")).as(model).isEqualTo(e[0]);
        assertThat(tokens(registry, model, "output")).as(model).isEqualTo(e[1]);
        assertThat(calls(registry, model, "success")).as(model).isEqualTo(e[2]);
        assertThat(calls(registry, model, "error")).as(model).isEqualTo(e[3]);
      }
      Counter c =
          registry
              .get(MicrometerUsageListener.TOKEN_USAGE)
              .tag("gen_ai.request.model", MODELS[0])
              .tag("gen_ai.token.type", "input")
              .counter();
      assertThat(c.getId().getBaseUnit()).isEqualTo("tokens");
      assertThat(c.getId().getTag("tenant")).isEqualTo("acme");
      assertThat(c.getId().getTag("gen_ai.operation.name")).isEqualTo("chat");
    }
  }

  @Test
  void prometheusScrape_namesTagsAndValuesExact() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (UsageStats stats =
        UsageStats.builder()
            .flushInterval(Duration.ZERO)
            .listener(MicrometerUsageListener.builder(registry).build())
            .build()) {
      Map<String, long[]> expected = recordFromThreads(stats, 3, 20_000);
      String scrape = registry.scrape();
      for (String model : MODELS) {
        long[] e = expected.get(model);
        assertThat(
                sample(
                    scrape,
                    "gen_ai_client_token_usage_tokens_total",
                    model,
                    "gen_ai_token_type=\"input\""))
            .as(model)
            .isEqualTo(e[0]);
        assertThat(
                sample(
                    scrape,
                    "gen_ai_client_token_usage_tokens_total",
                    model,
                    "gen_ai_token_type=\"output\""))
            .isEqualTo(e[1]);
        assertThat(sample(scrape, "usagestats_calls_total", model, "outcome=\"success\""))
            .isEqualTo(e[2]);
        assertThat(sample(scrape, "usagestats_calls_total", model, "outcome=\"error\""))
            .isEqualTo(e[3]);
      }
      assertThat(scrape).contains("# TYPE gen_ai_client_token_usage_tokens_total counter");
      for (String key : KEYS) assertThat(scrape).doesNotContain(key);
    }
  }

  /** The value of the one sample of {@code name} with the model tag and {@code label}. */
  private static long sample(String scrape, String name, String model, String label) {
    Pattern line =
        Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
    Matcher m = line.matcher(scrape);
    List<Double> found = new ArrayList<>();
    while (m.find()) {
      String labels = m.group(1);
      if (labels.contains("gen_ai_request_model=\"" + model + "\"") && labels.contains(label)) {
        found.add(Double.parseDouble(m.group(2)));
      }
    }
    assertThat(found).as(name + " " + model + " " + label).hasSize(1);
    return found.get(0).longValue();
  }

  @Test
  void distribution_recordsEachCallInOtelBuckets() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (UsageStats stats =
        UsageStats.builder()
            .flushInterval(Duration.ZERO)
            .listener(
                MicrometerUsageListener.builder(registry)
                    .tokenMeter(TokenMeter.DISTRIBUTION)
                    .build())
            .build()) {
      stats.record("t", "k", "m", 100, 3);
      stats.record("t", "k", "m", 5000, 20);
      DistributionSummary input =
          registry
              .get(MicrometerUsageListener.TOKEN_USAGE)
              .tag("gen_ai.token.type", "input")
              .summary();
      assertThat(input.count()).isEqualTo(2);
      assertThat(input.totalAmount()).isEqualTo(5100);
      assertThat(input.takeSnapshot().histogramCounts()).hasSize(14);
    }
  }

  @Test
  void overflow_engineCap_atMostCapPlusOneMeterSetsAndTotalsExact() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    int cap = 5;
    try (UsageStats stats =
        UsageStats.builder()
            .maxSeries(cap)
            .flushInterval(Duration.ZERO)
            .listener(MicrometerUsageListener.builder(registry).apiKeyTag(true).build())
            .build()) {
      long input = 0;
      for (int i = 0; i < 1_000; i++) {
        stats.record("t", "key-" + i, "model-" + (i % 40), i, 1);
        input += i;
      }
      assertThat(meterSets(registry)).hasSize(cap + 1);
      assertThat(sumTokens(registry, "input")).isEqualTo(input);
      assertThat(sumTokens(registry, "output")).isEqualTo(1_000);
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().inputTokens()).isEqualTo(input);
    }
  }

  @Test
  void overflow_listenerCap_atMostCapPlusOneMeterSetsAndTotalsExact() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (UsageStats stats =
        UsageStats.builder()
            .flushInterval(Duration.ZERO)
            .listener(MicrometerUsageListener.builder(registry).maxMeterSeries(3).build())
            .build()) {
      for (int i = 0; i < 100; i++) stats.record("t", "k", "model-" + i, 10, 2);
      Set<String> models = meterSets(registry);
      assertThat(models).hasSize(4).contains("__overflow__");
      assertThat(sumTokens(registry, "input")).isEqualTo(1_000);
      assertThat(calls(registry, "__overflow__", "success")).isEqualTo(97);
    }
  }

  @Test
  void tags_noApiKeyUnlessEnabled() {
    String secret = "sk-proj-9f8e7d6c5b4a39281706";
    String keyId = ApiKeys.fingerprint(secret);
    SimpleMeterRegistry off = new SimpleMeterRegistry();
    SimpleMeterRegistry on = new SimpleMeterRegistry();
    try (UsageStats stats =
        UsageStats.builder()
            .flushInterval(Duration.ZERO)
            .listener(MicrometerUsageListener.builder(off).build())
            .listener(MicrometerUsageListener.builder(on).apiKeyTag(true).build())
            .build()) {
      stats.record("acme", keyId, "m", 1, 1);
      for (Meter meter : off.getMeters()) {
        assertThat(meter.getId().getTags().toString()).doesNotContain(keyId).doesNotContain(secret);
        assertThat(meter.getId().getTag("api_key")).isNull();
      }
      for (Meter meter : on.getMeters()) {
        assertThat(meter.getId().getTag("api_key")).isEqualTo(keyId);
        assertThat(meter.getId().getTags().toString()).doesNotContain(secret);
      }
    }
  }

  @Test
  void failingMeters_neverReachCaller() {
    SimpleMeterRegistry registry =
        new SimpleMeterRegistry() {
          @Override
          protected Counter newCounter(Meter.Id id) {
            Counter real = super.newCounter(id);
            return new Counter() {
              @Override
              public void increment(double amount) {
                throw new IllegalStateException("backend gone");
              }

              @Override
              public double count() {
                return real.count();
              }

              @Override
              public Meter.Id getId() {
                return id;
              }
            };
          }
        };
    MicrometerUsageListener listener = MicrometerUsageListener.builder(registry).build();
    try (UsageStats stats =
        UsageStats.builder().flushInterval(Duration.ZERO).listener(listener).build()) {
      for (int i = 0; i < 100; i++) stats.record("t", "k", "m", 3, 4);
      assertThat(listener.failures()).isEqualTo(100);
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals())
          .isEqualTo(new UsageTotals(100, 0, 300, 400, 0, 0, 0));
    }
  }

  @Test
  void failingRegistry_neverReachesCaller() {
    SimpleMeterRegistry registry =
        new SimpleMeterRegistry() {
          @Override
          protected Counter newCounter(Meter.Id id) {
            throw new IllegalStateException("registry closed");
          }
        };
    MicrometerUsageListener listener = MicrometerUsageListener.builder(registry).build();
    try (UsageStats stats =
        UsageStats.builder().flushInterval(Duration.ZERO).listener(listener).build()) {
      stats.record("t", "k", "m", 3, 4);
      stats.record("t", "k", "m", 3, 4);
      assertThat(listener.failures()).isEqualTo(1);
      assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().calls()).isEqualTo(2);
    }
  }

  @Test
  void cacheTokens_manyThreads_exactPerModelInTheirOwnCounters() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MicrometerUsageListener listener = MicrometerUsageListener.builder(registry).build();
    try (UsageStats stats =
        UsageStats.builder().flushInterval(Duration.ZERO).listener(listener).build()) {
      // per model: {input, output, cache read, cache creation}
      Map<String, long[]> expected = new HashMap<>();
      List<Map<String, long[]>> perThread = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Map<String, long[]> mine = new HashMap<>();
        for (String m : MODELS) mine.put(m, new long[4]);
        perThread.add(mine);
        int id = t;
        threads.add(
            new Thread(
                () -> {
                  for (int i = 0; i < 20_000; i++) {
                    String model = MODELS[(i + id) % MODELS.length];
                    long in = 100 + (i * 37L + id) % 5000;
                    long out = (i * 11L) % 900;
                    long cacheRead = i % 3 == 0 ? in / 2 : 0;
                    long cacheCreation = i % 5 == 0 ? in * (2 + i % 7) / 100 : 0;
                    stats.record(
                        "acme",
                        KEYS[i % KEYS.length],
                        model,
                        in,
                        out,
                        cacheRead,
                        cacheCreation,
                        out / 4,
                        Outcome.SUCCESS);
                    long[] e = mine.get(model);
                    e[0] += in;
                    e[1] += out;
                    e[2] += cacheRead;
                    e[3] += cacheCreation;
                  }
                }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) t.join();
      for (String m : MODELS) {
        long[] sum = new long[4];
        for (Map<String, long[]> mine : perThread) {
          for (int i = 0; i < 4; i++) sum[i] += mine.get(m)[i];
        }
        expected.put(m, sum);
      }

      for (String model : MODELS) {
        long[] e = expected.get(model);
        assertThat(e[3]).as("the test writes to the cache").isPositive();
        assertThat(tokens(registry, model, "input")).as(model).isEqualTo(e[0]);
        assertThat(tokens(registry, model, "output")).as(model).isEqualTo(e[1]);
        assertThat(inputPart(registry, MicrometerUsageListener.CACHE_READ_INPUT, model))
            .as(model)
            .isEqualTo(e[2]);
        assertThat(inputPart(registry, MicrometerUsageListener.CACHE_CREATION_INPUT, model))
            .as(model)
            .isEqualTo(e[3]);
      }
      assertThat(listener.failures()).isZero();

      // The token meter keeps the conventions' two token types: its sum is input plus output.
      Set<String> types = new HashSet<>();
      for (Counter c : registry.find(MicrometerUsageListener.TOKEN_USAGE).counters()) {
        types.add(c.getId().getTag("gen_ai.token.type"));
      }
      assertThat(types).containsExactlyInAnyOrder("input", "output");
      UsageTotals totals = stats.query(UsageQuery.lastTwoWeeks()).totals();
      assertThat(sumTokens(registry, "input") + sumTokens(registry, "output"))
          .isEqualTo(totals.totalTokens());
      assertThat(sumCounters(registry, MicrometerUsageListener.CACHE_CREATION_INPUT))
          .isEqualTo(totals.cacheCreationInputTokens());
      assertThat(sumCounters(registry, MicrometerUsageListener.CACHE_READ_INPUT))
          .isEqualTo(totals.cachedInputTokens());

      Counter creation =
          registry
              .get(MicrometerUsageListener.CACHE_CREATION_INPUT)
              .tag("gen_ai.request.model", MODELS[0])
              .counter();
      assertThat(creation.getId().getBaseUnit()).isEqualTo("tokens");
      assertThat(creation.getId().getTag("tenant")).isEqualTo("acme");
      assertThat(creation.getId().getTag("gen_ai.operation.name")).isEqualTo("chat");
      assertThat(creation.getId().getTag("gen_ai.token.type")).isNull();
    }
  }

  @Test
  void cacheTokens_noCacheUse_countersExistAtZero() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (UsageStats stats =
        UsageStats.builder()
            .flushInterval(Duration.ZERO)
            .listener(MicrometerUsageListener.builder(registry).build())
            .build()) {
      stats.record("t", "k", "m", 1_000, 20);
      assertThat(inputPart(registry, MicrometerUsageListener.CACHE_READ_INPUT, "m")).isZero();
      assertThat(inputPart(registry, MicrometerUsageListener.CACHE_CREATION_INPUT, "m")).isZero();
      assertThat(tokens(registry, "m", "input")).isEqualTo(1_000);
    }
  }

  @Test
  void cacheTokens_distributionTokenMeter_partsStayCounters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (UsageStats stats =
        UsageStats.builder()
            .flushInterval(Duration.ZERO)
            .listener(
                MicrometerUsageListener.builder(registry)
                    .tokenMeter(TokenMeter.DISTRIBUTION)
                    .build())
            .build()) {
      stats.record("t", "k", "m", 10_000, 30, 6_000, 400, 0, Outcome.SUCCESS);
      stats.record("t", "k", "m", 2_000, 30, 0, 1_999, 0, Outcome.ERROR);
      stats.record("t", "k", "m", 500, 30, 500, 0, 0, Outcome.SUCCESS);
      assertThat(inputPart(registry, MicrometerUsageListener.CACHE_READ_INPUT, "m"))
          .isEqualTo(6_500);
      assertThat(inputPart(registry, MicrometerUsageListener.CACHE_CREATION_INPUT, "m"))
          .isEqualTo(2_399);
      assertThat(
              registry
                  .get(MicrometerUsageListener.TOKEN_USAGE)
                  .tag("gen_ai.token.type", "input")
                  .summary()
                  .totalAmount())
          .isEqualTo(12_500);
    }
  }

  @Test
  void cacheTokens_prometheusScrape_namesAndExactValues() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (UsageStats stats =
        UsageStats.builder()
            .flushInterval(Duration.ZERO)
            .listener(MicrometerUsageListener.builder(registry).build())
            .build()) {
      UsageSeries series = stats.series("acme", KEYS[0], MODELS[1]);
      for (int i = 0; i < 1_000; i++) {
        series.record(8_000 + i, 200, 4_000, 3 * i, 0, Outcome.SUCCESS);
      }
      String scrape = registry.scrape();
      assertThat(sample(scrape, "usagestats_input_cache_read_tokens_total", MODELS[1], "tenant"))
          .isEqualTo(4_000_000);
      assertThat(
              sample(scrape, "usagestats_input_cache_creation_tokens_total", MODELS[1], "tenant"))
          .isEqualTo(3L * 999 * 1_000 / 2);
      assertThat(
              sample(
                  scrape,
                  "gen_ai_client_token_usage_tokens_total",
                  MODELS[1],
                  "gen_ai_token_type=\"input\""))
          .isEqualTo(8_000L * 1_000 + 999 * 1_000 / 2);
      assertThat(scrape).contains("# TYPE usagestats_input_cache_creation_tokens_total counter");
    }
  }

  @Test
  void maxMeterSeries_zero_refused() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> MicrometerUsageListener.builder(new SimpleMeterRegistry()).maxMeterSeries(0))
        .withMessage("maxMeterSeries must be >= 1: 0");
  }

  @Test
  void operationName_blankNullOrControl_refused() {
    MicrometerUsageListener.Builder b = MicrometerUsageListener.builder(new SimpleMeterRegistry());
    assertThatIllegalArgumentException()
        .isThrownBy(() -> b.operationName(" "))
        .withMessage("operationName must not be blank: ' '");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> b.operationName("chat\n"))
        .withMessage("operationName must not contain control characters: U+000A at index 4");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> b.operationName("x".repeat(257)))
        .withMessageStartingWith("operationName must be at most 256 characters: 257 characters");
    assertThatNullPointerException()
        .isThrownBy(() -> b.operationName(null))
        .withMessage("operationName");
  }

  @Test
  void operationName_set_taggedOnEveryMeter() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (UsageStats stats =
        UsageStats.builder()
            .flushInterval(Duration.ZERO)
            .listener(
                MicrometerUsageListener.builder(registry).operationName("text_completion").build())
            .build()) {
      stats.record("t", "k", "m", 10, 2, 3, 4, 0, Outcome.SUCCESS);
      assertThat(registry.getMeters()).hasSize(6);
      for (Meter meter : registry.getMeters()) {
        assertThat(meter.getId().getTag("gen_ai.operation.name")).isEqualTo("text_completion");
      }
    }
  }

  private static long sumCounters(MeterRegistry registry, String name) {
    return (long) registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  private static long inputPart(MeterRegistry registry, String name, String model) {
    return (long) registry.get(name).tag("gen_ai.request.model", model).counter().count();
  }

  private static Set<String> meterSets(MeterRegistry registry) {
    Set<String> models = new HashSet<>();
    for (Counter c : registry.find(MicrometerUsageListener.TOKEN_USAGE).counters()) {
      models.add(c.getId().getTag("gen_ai.request.model"));
    }
    return models;
  }

  private static long sumTokens(MeterRegistry registry, String type) {
    return (long)
        registry
            .find(MicrometerUsageListener.TOKEN_USAGE)
            .tag("gen_ai.token.type", type)
            .counters()
            .stream()
            .mapToDouble(Counter::count)
            .sum();
  }

  private static long tokens(MeterRegistry registry, String model, String type) {
    return (long)
        registry
            .get(MicrometerUsageListener.TOKEN_USAGE)
            .tag("gen_ai.request.model", model)
            .tag("gen_ai.token.type", type)
            .counter()
            .count();
  }

  private static long calls(MeterRegistry registry, String model, String outcome) {
    return (long)
        registry
            .get(MicrometerUsageListener.CALLS)
            .tag("gen_ai.request.model", model)
            .tag("outcome", outcome)
            .counter()
            .count();
  }
}
