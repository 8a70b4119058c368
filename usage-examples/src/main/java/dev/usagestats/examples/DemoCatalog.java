package dev.usagestats.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The API keys and models the demo knows, with a display form for each key and a chart color for
 * each model. The page lists these; usage of keys or models not listed here is still reported.
 *
 * @param keys the API keys, in display order
 * @param models model name to chart color ({@code #rrggbb}), in display order
 */
public record DemoCatalog(List<DemoKey> keys, Map<String, String> models) {

  /** Checks the fields and copies them, keeping the order of the models. */
  public DemoCatalog {
    keys = List.copyOf(keys);
    Objects.requireNonNull(models, "models");
    models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models));
    for (DemoKey key : keys) {
      for (String model : key.modelWeights().keySet()) {
        if (!models.containsKey(model)) {
          throw new IllegalArgumentException(
              "model of key " + key.name() + " must be in the catalog: " + model);
        }
      }
    }
  }

  /** The key with this id, if the catalog has it. */
  public Optional<DemoKey> key(String id) {
    return keys.stream().filter(k -> k.id().equals(id)).findFirst();
  }

  /**
   * The demo's fake tenants, keys and models. The secrets are made up; only their fingerprints and
   * redacted forms leave this method.
   */
  public static DemoCatalog standard() {
    Map<String, String> models = new LinkedHashMap<>();
    models.put("public/deepseek-r1", "#7c3aed");
    models.put("public/qwen3-235b", "#0ea5e9");
    models.put("public/glm-4.5", "#f59e0b");
    models.put("public/kimi-k2", "#10b981");
    List<DemoKey> keys = new ArrayList<>();
    keys.add(
        DemoKey.fromSecret(
            "sk-demo-acme-prod-7Hq2xP9LmN4vR8tK",
            "Acme production",
            "acme",
            240,
            Map.of("public/deepseek-r1", 0.5, "public/qwen3-235b", 0.3, "public/glm-4.5", 0.2)));
    keys.add(
        DemoKey.fromSecret(
            "sk-demo-acme-stage-Qw3eRt5yUi7oP1aZ",
            "Acme staging",
            "acme",
            40,
            Map.of("public/deepseek-r1", 0.4, "public/kimi-k2", 0.6)));
    keys.add(
        DemoKey.fromSecret(
            "sk-demo-globex-chat-Zx8cVb6nMl4kJh2G",
            "Globex chatbot",
            "globex",
            180,
            Map.of("public/glm-4.5", 0.55, "public/qwen3-235b", 0.45)));
    keys.add(
        DemoKey.fromSecret(
            "sk-demo-globex-batch-Aa1sSd2fFg3hHj4K",
            "Globex batch",
            "globex",
            90,
            Map.of("public/qwen3-235b", 0.7, "public/kimi-k2", 0.3)));
    keys.add(
        DemoKey.fromSecret(
            "sk-demo-initech-lab-Pp0oOi9uUy8tTr7E",
            "Initech research",
            "initech",
            60,
            Map.of("public/deepseek-r1", 0.8, "public/glm-4.5", 0.2)));
    return new DemoCatalog(keys, models);
  }
}
