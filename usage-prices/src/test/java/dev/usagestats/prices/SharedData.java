package dev.usagestats.prices;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's shared reference data ({@code shared/data}), found beside the repository or any
 * folder above the test's working directory, as the workplace and CI lay it out.
 */
final class SharedData {
  static final String LITELLM = "litellm-model-prices-2026-08-01.json";
  static final String LITELLM_SHA256 =
      "f3586896abe7b20218409b88d8f9b9afe85b85c0de386e8ec7a0f14ac7f790ba";

  private SharedData() {}

  static Path file(String name) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path p = dir.resolve("shared").resolve("data").resolve(name);
      if (Files.isRegularFile(p)) return p;
    }
    throw new IllegalStateException(
        "shared/data/" + name + " must lie beside the repository or a folder above it");
  }
}
