package dev.usagestats.examples;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven through chromedriver, for the browser tests. Chromium and
 * chromedriver are found at {@code CHROME_BIN} and {@code CHROMEDRIVER}, else at {@code
 * /usr/bin/chromium} and {@code /usr/bin/chromedriver}; when one is missing the test is skipped,
 * except under {@code CI=true}, where it fails.
 */
final class HeadlessChromium implements AutoCloseable {
  private final ChromeDriver driver;
  private final Path profile;

  private HeadlessChromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Starts a browser with a fresh profile, or skips (fails under CI) without the binaries. */
  static HeadlessChromium start(String profilePrefix, Duration scriptTimeout) throws IOException {
    Path chromium = executable("CHROME_BIN", "/usr/bin/chromium");
    Path chromedriver = executable("CHROMEDRIVER", "/usr/bin/chromedriver");
    if (chromium == null || chromedriver == null) {
      String why =
          "Chromium and chromedriver are needed (apt-get install -y chromium chromium-driver):"
              + " chromium="
              + chromium
              + ", chromedriver="
              + chromedriver;
      if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(why);
      assumeTrue(false, why);
    }
    Path profile = Files.createTempDirectory(profilePrefix);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1100",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver.toFile())
            .usingAnyFreePort()
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(scriptTimeout);
    return new HeadlessChromium(driver, profile);
  }

  ChromeDriver driver() {
    return driver;
  }

  /** Quits the browser and deletes its profile. */
  @Override
  public void close() throws IOException {
    driver.quit();
    try (var paths = Files.walk(profile)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  private static Path executable(String env, String fallback) {
    String configured = System.getenv(env);
    Path p = Paths.get(configured == null || configured.isBlank() ? fallback : configured);
    return Files.isExecutable(p) ? p : null;
  }
}
