package dev.usagestats.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usagestats.Diagnosis;
import dev.usagestats.GroupBy;
import dev.usagestats.LatencyStats;
import dev.usagestats.Outcome;
import dev.usagestats.TrendPoint;
import dev.usagestats.TrendSeries;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.testing.TestClock;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page's latency in headless Chromium: the p95 card and the latency chart's p50 and p95 per
 * bucket equal the engine's report for the same query (per model, and per API key when one model is
 * selected), the card also the p95 of the recorded durations; the diagnosis hook marks the buckets
 * a report lists. Skipped without Chromium, except under {@code CI=true} (see {@link
 * HeadlessChromium}).
 */
class LatencyPageBrowserTest {
  private static final Instant NOW = Instant.parse("2026-11-20T10:30:00Z");
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Map<String, Double> MEDIAN_MILLIS =
      Map.of(TestData.DEEPSEEK, 20_000.0, TestData.QWEN, 5_000.0, TestData.GLM, 1_500.0);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static UsageStats stats;
  private static DemoServer server;
  private static WebDriver driver;
  private static HeadlessChromium browser;

  /** Every recorded event, for the raw-value reference. */
  private static final List<UsageEvent> events = new ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    browser = HeadlessChromium.start("latency-page-chromium", WAIT);
    driver = browser.driver();
    TestClock clock = TestClock.of(NOW);
    stats = UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build();
    record(1_500, 3);
    plantSpikeWithSlowdown();
    server = DemoServer.builder(stats).clock(clock).catalog(TestData.catalog()).port(0).start();
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) server.close();
    if (stats != null) stats.close();
    if (browser != null) browser.close();
  }

  @Test
  void page_latencyCardAndChart_showTheEnginesPercentiles() throws IOException {
    driver.get(server.uri().toString());
    waitForLatency();
    ZoneId zone = ZoneId.of(driver.findElement(By.id("as-of")).getAttribute("data-zone"));
    LocalDate today = LocalDate.ofInstant(NOW, zone);
    UsageQuery.Builder twoWeeks = UsageQuery.builder().zone(zone).days(today.minusDays(13), today);

    UsageReport all = stats.query(twoWeeks.build());
    assertCardShows(all);
    assertThat(all.series()).hasSize(3);
    assertChartShows(all);
    assertThat(driver.findElement(By.id("latency-title")).getText()).isEqualTo("Latency by model");
    // Against the raw durations: the nearest-rank p95 of everything the range holds.
    Instant from = today.minusDays(13).atStartOfDay(zone).toInstant();
    List<Long> millis =
        events.stream()
            .filter(e -> e.duration() != null && !e.timestamp().isBefore(from))
            .map(e -> e.duration().toMillis())
            .sorted()
            .toList();
    long exact = millis.get((int) Math.ceil(0.95 * millis.size()) - 1);
    long shown =
        Long.parseLong(driver.findElement(By.id("latency-p95")).getAttribute("data-millis"));
    assertThat(shown).isBetween(exact, exact + Math.max(1, exact / 128));

    // One model: its latency per API key, and the card for that model only.
    act(() -> new Select(driver.findElement(By.id("model"))).selectByValue(TestData.DEEPSEEK));
    UsageReport deepseek = stats.query(twoWeeks.model(TestData.DEEPSEEK).build());
    assertCardShows(deepseek);
    UsageReport perKey =
        stats.query(twoWeeks.model(TestData.DEEPSEEK).groupBy(GroupBy.API_KEY).build());
    assertThat(perKey.series()).hasSize(2);
    assertChartShows(perKey);
    assertThat(driver.findElement(By.id("latency-title")).getText())
        .isEqualTo("Latency by API key");
    assertThat(driver.findElement(By.id("latency-legend")).getText()).contains("Prod", "Lab");
    assertThat(deepseek.latencySummary().duration().p95Millis())
        .as("the reasoning model is slower than all models together")
        .isGreaterThan(all.latencySummary().duration().p95Millis());

    Path target = Paths.get("target", "usage-page-latency.png");
    Files.createDirectories(target.getParent());
    Files.write(target, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    WebElement panel = driver.findElement(By.cssSelector("section[aria-label='Latency trend']"));
    ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView();", panel);
    Files.write(
        Paths.get("target", "usage-page-latency-chart.png"),
        panel.getScreenshotAs(OutputType.BYTES));
  }

  @Test
  void page_todayInKolkata_bucketsWithoutLatencyAreGaps() {
    driver.get(server.uri() + "?days=1&zone=Asia/Kolkata&model=" + TestData.GLM);
    waitForLatency();
    ZoneId kolkata = ZoneId.of("Asia/Kolkata");
    UsageQuery.Builder today =
        UsageQuery.builder().zone(kolkata).day(LocalDate.ofInstant(NOW, kolkata));

    assertCardShows(stats.query(today.model(TestData.GLM).build()));
    UsageReport perKey = stats.query(today.groupBy(GroupBy.API_KEY).build());
    assertChartShows(perKey);
    List<WebElement> lines = driver.findElements(By.cssSelector("#latency-chart g.latency-line"));
    assertThat(lines).isNotEmpty();
    String values = lines.get(0).getAttribute("data-values");
    assertThat(values).as("hours without latency are null, not 0").contains("null");
  }

  @Test
  void diagnosisHook_reportWithDiagnosis_marksItsBuckets() {
    driver.get(server.uri() + "?days=7");
    waitForLatency();

    Object marked =
        ((JavascriptExecutor) driver)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "fetch('/api/usage' + location.search).then((r) => r.json()).then((r) => {"
                    + "  r.diagnosis = [{start: r.buckets[2], label: 'public/qwen3-235b'},"
                    + "                 {bucket: 5}, {start: '1999-01-01T00:00:00Z'}];"
                    + "  document.dispatchEvent(new CustomEvent('usage:report', {detail: {report: r,"
                    + "    query: location.search.slice(1), colorOf: () => '#000',"
                    + "    formatInstant: (d) => d.toISOString()}}));"
                    + "  setTimeout(() => done([...document.querySelectorAll("
                    + "    '#latency-chart rect.diagnosis-mark')].map((e) => e.dataset.start)"
                    + "    .concat([r.buckets[2], r.buckets[5]])), 200);"
                    + "});");
    @SuppressWarnings("unchecked")
    List<String> starts = (List<String>) marked;
    assertThat(starts).hasSize(4);
    assertThat(starts.subList(0, 2))
        .as("a band per listed bucket; one outside the range is left out")
        .isEqualTo(starts.subList(2, 4));

    // The API's own diagnosis: the buckets the engine finds for the page's query, planted one
    // included.
    driver.navigate().refresh();
    waitForLatency();
    ZoneId zone = ZoneId.of(driver.findElement(By.id("as-of")).getAttribute("data-zone"));
    LocalDate today = LocalDate.ofInstant(NOW, zone);
    UsageReport week =
        stats.query(UsageQuery.builder().zone(zone).days(today.minusDays(6), today).build());
    List<String> expected =
        Diagnosis.of(week).findings(Diagnosis.Kind.SPIKE_WITH_SLOWDOWN).stream()
            .map(f -> f.start().toString())
            .distinct()
            .toList();
    assertThat(expected)
        .as("the planted spike")
        .contains(LocalDate.ofInstant(PLANTED, zone).atStartOfDay(zone).toInstant().toString());
    List<String> shown =
        driver.findElements(By.cssSelector("#latency-chart rect.diagnosis-mark")).stream()
            .map(e -> e.getAttribute("data-start"))
            .distinct()
            .toList();
    assertThat(shown).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static final Instant PLANTED = NOW.minus(Duration.ofDays(3));

  /** Three days ago, qwen takes 300 more calls than its usual ~36 a day, four times as slow. */
  private static void plantSpikeWithSlowdown() {
    SplittableRandom random = new SplittableRandom(9);
    for (int i = 0; i < 300; i++) {
      long ms =
          Math.round(4 * MEDIAN_MILLIS.get(TestData.QWEN) * Math.exp(random.nextGaussian() * 0.3));
      UsageEvent e =
          new UsageEvent(
              PLANTED.plusSeconds(random.nextInt(3600)),
              TestData.PROD.tenant(),
              TestData.PROD.id(),
              TestData.QWEN,
              1_000,
              500,
              0,
              0,
              0,
              Outcome.SUCCESS,
              Duration.ofMillis(ms),
              null);
      stats.record(e);
      events.add(e);
    }
  }

  /** The card: the report's p95 duration, in its data and on screen. */
  private static void assertCardShows(UsageReport expected) {
    LatencyStats d = expected.latencySummary().duration();
    assertThat(d.count()).isPositive();
    WebElement card = driver.findElement(By.id("latency-p95"));
    assertThat(card.getAttribute("data-millis")).isEqualTo(String.valueOf(d.p95Millis()));
    assertThat(card.getText()).isEqualTo(display(d.p95Millis()));
    assertThat(driver.findElement(By.id("latency-sub")).getText())
        .startsWith("p50 " + display(d.p50Millis()));
  }

  /** The chart: per series, its p50 and p95 per started bucket, null where it had no latency. */
  private static void assertChartShows(UsageReport expected) {
    List<WebElement> groups = driver.findElements(By.cssSelector("#latency-chart g.latency-line"));
    assertThat(groups).hasSize(expected.series().size() * 2);
    long started = expected.buckets().stream().filter(b -> !b.isAfter(expected.asOf())).count();
    for (TrendSeries s : expected.series()) {
      for (String pct : new String[] {"p50", "p95"}) {
        WebElement g =
            driver.findElement(
                By.cssSelector(
                    "#latency-chart g[data-series='"
                        + s.label()
                        + "'][data-percentile='"
                        + pct
                        + "']"));
        List<Long> shown = new ArrayList<>();
        for (JsonNode v : json(g.getAttribute("data-values")))
          shown.add(v.isNull() ? null : v.asLong());
        List<Long> want = new ArrayList<>();
        for (TrendPoint p : s.points().subList(0, (int) started)) {
          LatencyStats d = p.latency().duration();
          want.add(d.count() == 0 ? null : pct.equals("p50") ? d.p50Millis() : d.p95Millis());
        }
        assertThat(shown).as(s.label() + " " + pct).isEqualTo(want);
        assertThat(want).as(s.label() + " has latency").anyMatch(v -> v != null);
      }
    }
  }

  /** The page's rule: "850 ms" under a second, "12.3 s" under 100 s, "123 s" above. */
  private static String display(long millis) {
    if (millis < 1000) return String.format(Locale.US, "%,d ms", millis);
    BigDecimal s = BigDecimal.valueOf(millis, 3);
    int scale = s.compareTo(BigDecimal.valueOf(100)) < 0 ? 1 : 0;
    return String.format(Locale.US, "%,." + scale + "f s", s.setScale(scale, RoundingMode.HALF_UP))
        .replace(".0 s", " s");
  }

  private static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  /**
   * Records {@code count} calls over the 14 days before NOW: durations log-normal around each
   * model's median, one call in ten without latency, half of the rest streamed.
   */
  private static void record(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<DemoKey> keys = List.of(TestData.PROD, TestData.LAB);
    for (int i = 0; i < count; i++) {
      DemoKey key = keys.get(random.nextInt(keys.size()));
      List<String> models = key.modelWeights().keySet().stream().sorted().toList();
      String model = models.get(random.nextInt(models.size()));
      Instant ts = NOW.minusMillis(1 + random.nextLong(Duration.ofDays(14).toMillis()));
      boolean known = random.nextInt(10) != 0;
      long ms = Math.round(MEDIAN_MILLIS.get(model) * Math.exp(random.nextGaussian() * 0.6));
      Duration duration = known ? Duration.ofMillis(Math.min(ms, 3_000_000)) : null;
      Duration firstToken =
          known && random.nextBoolean()
              ? duration.multipliedBy(random.nextInt(5, 40)).dividedBy(100)
              : null;
      UsageEvent e =
          new UsageEvent(
              ts,
              key.tenant(),
              key.id(),
              model,
              random.nextLong(1, 5_000),
              random.nextLong(1, 2_000),
              0,
              0,
              0,
              Outcome.SUCCESS,
              duration,
              firstToken);
      stats.record(e);
      events.add(e);
    }
  }

  /** Runs an action that makes the page load a report, and waits for its latency chart. */
  private static void act(Runnable action) {
    String before = driver.findElement(By.id("latency-chart")).getAttribute("data-query");
    action.run();
    new WebDriverWait(driver, WAIT)
        .until(
            d -> {
              String now = d.findElement(By.id("latency-chart")).getAttribute("data-query");
              return now != null && !now.equals(before);
            });
    waitForLatency();
  }

  /** Waits until the latency chart is drawn for the query the page shows. */
  private static void waitForLatency() {
    new WebDriverWait(driver, WAIT)
        .until(
            d -> {
              WebElement box = d.findElement(By.id("latency-chart"));
              Object search =
                  ((JavascriptExecutor) d).executeScript("return location.search.slice(1);");
              return "ready".equals(box.getAttribute("data-state"))
                  && "ready".equals(d.findElement(By.tagName("body")).getAttribute("data-state"))
                  && String.valueOf(search).equals(box.getAttribute("data-query"));
            });
  }
}
