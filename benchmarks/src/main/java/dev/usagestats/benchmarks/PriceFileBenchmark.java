package dev.usagestats.benchmarks;

import dev.usagestats.prices.LoadedPrices;
import dev.usagestats.prices.PriceFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The time to load LiteLLM's whole price map (1.4 MB, 2,986 entries) into a price book: parse,
 * check every price, build. The file is {@code shared/data/litellm-model-prices-2026-08-01.json},
 * found above the working directory, or the path in the system property {@code usagestats.litellm}.
 *
 * <p>Run (from the repository root, after {@code mvn -B -pl benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar PriceFileBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class PriceFileBenchmark {
  static final String FILE = "litellm-model-prices-2026-08-01.json";

  private Path path;

  @Setup
  public void setUp() {
    String given = System.getProperty("usagestats.litellm");
    if (given != null) {
      path = Path.of(given);
    } else {
      for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
        Path p = dir.resolve("shared").resolve("data").resolve(FILE);
        if (Files.isRegularFile(p)) {
          path = p;
          break;
        }
      }
    }
    if (path == null || !Files.isRegularFile(path)) {
      throw new IllegalStateException(
          "shared/data/"
              + FILE
              + " not found above the working directory; set -Dusagestats.litellm");
    }
    LoadedPrices check = load();
    System.out.printf(
        "%nloaded %d entries, skipped %d, %d with ignored tiers%n",
        check.book().entries().size(), check.skipped().size(), check.tiersIgnored().size());
  }

  @Benchmark
  public LoadedPrices load() {
    return PriceFiles.loadLiteLlm(path);
  }
}
