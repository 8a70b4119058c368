package dev.usagestats.examples;

import dev.usagestats.Outcome;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageStats;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A small catalog and seeded events that tests record into a {@link UsageStats}. */
final class TestData {
  static final String DEEPSEEK = "public/deepseek-r1";
  static final String QWEN = "public/qwen3-235b";
  static final String GLM = "public/glm-4.5";
  static final DemoKey PROD =
      DemoKey.fromSecret(
          "sk-test-prod-1234567890abcdef", "Prod", "acme", 10, Map.of(DEEPSEEK, 0.5, QWEN, 0.5));
  static final DemoKey LAB =
      DemoKey.fromSecret(
          "sk-test-lab-fedcba0987654321", "Lab", "initech", 10, Map.of(DEEPSEEK, 0.5, GLM, 0.5));
  static final List<String> MODELS = List.of(DEEPSEEK, QWEN, GLM);

  private TestData() {}

  static DemoCatalog catalog() {
    Map<String, String> models = new LinkedHashMap<>();
    models.put(DEEPSEEK, "#7c3aed");
    models.put(QWEN, "#0ea5e9");
    models.put(GLM, "#f59e0b");
    return new DemoCatalog(List.of(PROD, LAB), models);
  }

  /**
   * Records {@code count} events spread over the {@code span} before {@code now}, into both the
   * engine and the reference.
   */
  static void record(
      UsageStats stats, Reference ref, Instant now, Duration span, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<DemoKey> keys = List.of(PROD, LAB);
    for (int i = 0; i < count; i++) {
      DemoKey key = keys.get(random.nextInt(keys.size()));
      List<String> models = key.modelWeights().keySet().stream().sorted().toList();
      String model = models.get(random.nextInt(models.size()));
      Instant ts = now.minusMillis(1 + random.nextLong(span.toMillis()));
      long in = random.nextLong(1, 5_000);
      long out = random.nextLong(0, 2_000);
      long cached = random.nextLong(0, in + 1);
      UsageEvent e =
          new UsageEvent(
              ts,
              key.tenant(),
              key.id(),
              model,
              in,
              out,
              cached,
              random.nextInt(4) == 0 ? random.nextLong(0, in - cached + 1) : 0,
              random.nextLong(0, out + 1),
              random.nextInt(20) == 0 ? Outcome.ERROR : Outcome.SUCCESS);
      stats.record(e);
      ref.add(e);
    }
  }
}
