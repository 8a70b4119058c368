package dev.usagestats.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * usage-micrometer is an adapter: it uses usage-core's API only, never its {@code internal}
 * package, which is not public API (a module-info will forbid it; until then this test does).
 */
class NoInternalImportsTest {
  @Test
  void mainSources_importNothingFromCoreInternals() throws IOException {
    Path main = Paths.get("src", "main", "java");
    List<Path> sources;
    try (Stream<Path> files = Files.walk(main)) {
      sources = files.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertThat(sources).isNotEmpty();
    for (Path source : sources) {
      assertThat(Files.readString(source))
          .as(source.toString())
          .doesNotContain("usagestats.internal");
    }
  }
}
