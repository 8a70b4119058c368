package dev.usagestats.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.Granularity;
import dev.usagestats.GroupBy;
import dev.usagestats.PlanningQuery;
import dev.usagestats.PlanningReport;
import dev.usagestats.SeriesView;
import dev.usagestats.TrendSeries;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Planning view of the Usage Statistics page in headless Chromium: this week against last week
 * per model (a model that stopped and one that started included), sortable, by month too, and the
 * peak TPM per model per day, each figure equal to the engine's planning report and peak view.
 */
class PlanningPageBrowserTest {
  private static final Instant NOW = Instant.parse("2026-11-20T10:30:00Z");
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String RETIRED = "public/retired-7b";
  private static final String FRESH = "public/fresh-32b";

  private static TestClock clock;
  private static UsageStats stats;
  private static DemoServer server;
  private static WebDriver driver;
  private static HeadlessChromium browser;

  @BeforeAll
  static void start() throws IOException {
    browser = HeadlessChromium.start("planning-page-chromium", WAIT);
    driver = browser.driver();
    clock = TestClock.of(NOW.minus(Duration.ofDays(14)));
    stats =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .retention(Duration.ofDays(70))
            .build();
    // 8 weeks of traffic, bursts of a few calls in one minute now and then; one model stops 10
    // days ago, one starts 3 days ago.
    java.util.Random rnd = new java.util.Random(5);
    clock.set(NOW.minus(Duration.ofDays(56)));
    String[] models = {TestData.DEEPSEEK, TestData.QWEN, TestData.GLM, RETIRED, FRESH};
    while (clock.instant().isBefore(NOW)) {
      clock.advance(Duration.ofSeconds(30 + rnd.nextInt(900)));
      Instant t = clock.instant();
      String model = models[rnd.nextInt(models.length)];
      if (model.equals(RETIRED) && t.isAfter(NOW.minus(Duration.ofDays(10)))) continue;
      if (model.equals(FRESH) && t.isBefore(NOW.minus(Duration.ofDays(3)))) continue;
      int burst = rnd.nextInt(10) == 0 ? 2 + rnd.nextInt(6) : 1;
      for (int i = 0; i < burst; i++) {
        stats.record("acme", "key-" + rnd.nextInt(3), model, rnd.nextInt(4_000), rnd.nextInt(800));
      }
    }
    clock.set(NOW);
    server = DemoServer.builder(stats).clock(clock).catalog(TestData.catalog()).port(0).start();
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) server.close();
    if (stats != null) stats.close();
    if (browser != null) browser.close();
  }

  @Test
  void planning_weekAndMonthInKathmandu_showTheEnginesPlan() throws IOException {
    ZoneId zone = ZoneId.of("Asia/Kathmandu");
    driver.get(server.uri() + "?zone=Asia/Kathmandu#planning");
    waitUntilLoaded();
    assertThat(driver.findElement(By.id("planning")).getAttribute("data-zone"))
        .isEqualTo(zone.getId());

    PlanningReport week = stats.plan(PlanningQuery.builder().zone(zone).build());
    assertThat(week.rows()).extracting(PlanningReport.Row::name).contains(RETIRED, FRESH);
    assertThat(week.gone()).extracting(PlanningReport.Row::name).containsExactly(RETIRED);
    assertTableShows(week);
    assertThat(text("planning-peak-tpm"))
        .isEqualTo(number(week.current().peaks().tokensPerMinute()));
    assertThat(text("planning-peak-rpm"))
        .isEqualTo(number(week.current().peaks().callsPerMinute()));
    assertThat(row(FRESH).findElements(By.tagName("td")).get(4).getText()).isEqualTo("new");
    assertThat(row(RETIRED).getAttribute("data-status")).isEqualTo("GONE");

    // sorted by peak TPM, largest first
    driver.findElement(By.cssSelector("#planning-table th[data-sort=tpm]")).click();
    List<String> byTpm =
        week.rows().stream()
            .sorted(
                Comparator.comparingLong(
                        (PlanningReport.Row r) -> -r.current().peaks().tokensPerMinute())
                    .thenComparing(r -> week.rows().indexOf(r)))
            .map(PlanningReport.Row::name)
            .toList();
    assertThat(names()).isEqualTo(byTpm);

    // the peak TPM per model per day: one line per model, its largest day the engine's
    UsageReport peaks =
        stats.query(
            UsageQuery.builder()
                .zone(zone)
                .days(LocalDate.ofInstant(NOW, zone).minusDays(55), LocalDate.ofInstant(NOW, zone))
                .granularity(Granularity.DAY)
                .groupBy(GroupBy.MODEL)
                .view(SeriesView.PEAK_TOKENS_PER_MINUTE)
                .build());
    List<WebElement> lines = driver.findElements(By.cssSelector("#peak-chart polyline"));
    assertThat(lines).hasSize(peaks.series().size());
    for (TrendSeries s : peaks.series()) {
      WebElement line =
          driver.findElement(
              By.cssSelector("#peak-chart polyline[data-series='" + s.label() + "']"));
      assertThat(line.getAttribute("data-max"))
          .isEqualTo(String.valueOf(s.peaks().tokensPerMinute()));
    }

    // the existing trend, as peak TPM: each model's line peaks where the engine says
    String loads = driver.findElement(By.tagName("body")).getAttribute("data-loads");
    driver.findElement(By.cssSelector(".view-switch [data-view=PEAK_TOKENS_PER_MINUTE]")).click();
    new WebDriverWait(driver, WAIT)
        .until(
            d -> {
              String now = d.findElement(By.tagName("body")).getAttribute("data-loads");
              return !now.equals(loads)
                  && "ready".equals(d.findElement(By.tagName("body")).getAttribute("data-state"));
            });
    LocalDate today = LocalDate.ofInstant(NOW, zone);
    UsageReport trend =
        stats.query(
            UsageQuery.builder()
                .zone(zone)
                .days(today.minusDays(13), today)
                .groupBy(GroupBy.MODEL)
                .view(SeriesView.PEAK_TOKENS_PER_MINUTE)
                .build());
    for (TrendSeries s : trend.series()) {
      assertThat(
              driver
                  .findElement(By.cssSelector("#chart polyline[data-series='" + s.label() + "']"))
                  .getAttribute("data-sum"))
          .isEqualTo(String.valueOf(s.peaks().tokensPerMinute()));
    }
    assertThat(driver.findElement(By.id("chart-unit")).getText()).contains("TPM");

    driver.findElement(By.cssSelector("#planning .period-switch [data-period=month]")).click();
    waitUntilLoaded();
    PlanningReport month =
        stats.plan(PlanningQuery.builder().zone(zone).period(PlanningQuery.Period.MONTH).build());
    driver.findElement(By.cssSelector("#planning-table th[data-sort=rank]")).click();
    assertTableShows(month);
    Files.createDirectories(Paths.get("target"));
    Files.write(
        Paths.get("target", "planning-page.png"),
        ((org.openqa.selenium.TakesScreenshot) driver)
            .getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
  }

  private static void assertTableShows(PlanningReport plan) {
    assertThat(names()).isEqualTo(plan.rows().stream().map(PlanningReport.Row::name).toList());
    for (PlanningReport.Row r : plan.rows()) {
      List<WebElement> cells = row(r.name()).findElements(By.tagName("td"));
      assertThat(cells.get(0).getText()).isEqualTo(r.rank() == 0 ? "–" : String.valueOf(r.rank()));
      assertThat(cells.get(2).getAttribute("data-value"))
          .isEqualTo(String.valueOf(r.current().tokens()));
      assertThat(cells.get(3).getAttribute("data-value"))
          .isEqualTo(String.valueOf(r.previous().tokens()));
      if (r.tokensChange() != null && r.status() != PlanningReport.Status.NEW) {
        assertThat(Double.parseDouble(cells.get(4).getAttribute("data-value")))
            .isEqualTo(r.tokensChange());
        assertThat(cells.get(4).getText())
            .startsWith(r.tokensChange() > 0 ? "▲" : r.tokensChange() < 0 ? "▼" : "=");
      }
      assertThat(cells.get(5).getText()).isEqualTo(number(r.current().peaks().tokensPerMinute()));
      assertThat(cells.get(5).getAttribute("data-accuracy"))
          .isEqualTo(r.current().peaks().accuracy().name());
      assertThat(cells.get(6).getText()).isEqualTo(number(r.current().peaks().callsPerMinute()));
      assertThat(Double.parseDouble(cells.get(7).getAttribute("data-value")))
          .isEqualTo(r.tokenShare());
      assertThat(cells.get(8).findElement(By.tagName("svg")).getAttribute("data-points"))
          .isEqualTo("56");
    }
  }

  private static String number(long n) {
    return String.format(java.util.Locale.US, "%,d", n);
  }

  private static String text(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  private static WebElement row(String name) {
    return driver.findElement(By.cssSelector("#planning-table tbody tr[data-name='" + name + "']"));
  }

  private static List<String> names() {
    List<String> out = new ArrayList<>();
    for (WebElement tr : driver.findElements(By.cssSelector("#planning-table tbody tr"))) {
      out.add(tr.getAttribute("data-name"));
    }
    return out;
  }

  private static void waitUntilLoaded() {
    new WebDriverWait(driver, WAIT)
        .until(
            d ->
                "true".equals(d.findElement(By.id("planning")).getAttribute("data-loaded"))
                    && !d.findElements(By.cssSelector("#planning-table tbody tr")).isEmpty());
  }
}
