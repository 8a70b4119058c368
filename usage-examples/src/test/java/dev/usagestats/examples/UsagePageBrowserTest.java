package dev.usagestats.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.GroupBy;
import dev.usagestats.SeriesView;
import dev.usagestats.TrendSeries;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import dev.usagestats.testing.TestClock;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * The Usage Statistics page in a real headless Chromium: what it shows must equal what the engine
 * answers for the same query. Skipped when Chromium or chromedriver is missing, except under {@code
 * CI=true}, where that is a failure.
 *
 * <p>Chromium and chromedriver are found as {@link HeadlessChromium} says: at {@code CHROME_BIN}
 * and {@code CHROMEDRIVER}, else at {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}
 * (Debian: {@code apt-get install -y chromium chromium-driver}).
 */
class UsagePageBrowserTest {
  private static final Instant NOW = Instant.parse("2026-11-20T10:30:00Z");
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** DeepSeek R1's price changes in the middle of the recorded history. */
  private static final Instant PRICE_CHANGE = Instant.parse("2026-11-14T18:15:00Z");

  private static TestClock clock;
  private static UsageStats stats;
  private static DemoServer server;
  private static WebDriver driver;
  private static HeadlessChromium browser;
  private static final Reference reference = new Reference();

  @BeforeAll
  static void start() throws IOException {
    browser = HeadlessChromium.start("usage-page-chromium", WAIT);
    driver = browser.driver();
    clock = TestClock.of(NOW);
    stats =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .retention(Duration.ofDays(62)) // "Last month" reaches back into October
            .priceBook(DemoPrices.book(PRICE_CHANGE))
            .build();
    TestData.record(stats, reference, NOW, Duration.ofDays(14), 2_000, 11);
    server = DemoServer.builder(stats).clock(clock).catalog(TestData.catalog()).port(0).start();
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) server.close();
    if (stats != null) stats.close();
    if (browser != null) browser.close();
  }

  @Test
  void page_filtersViewsRefreshAndDays_showTheEnginesNumbers() throws IOException {
    driver.get(server.uri().toString());
    waitUntilLoaded(0);

    // Default: all keys, all models, last two weeks in the browser's zone.
    ZoneId zone = ZoneId.of(driver.findElement(By.id("as-of")).getAttribute("data-zone"));
    LocalDate today = LocalDate.ofInstant(NOW, zone);
    UsageQuery.Builder twoWeeks = UsageQuery.builder().zone(zone).days(today.minusDays(13), today);
    assertPageShows(stats.query(twoWeeks.build()));
    assertThat(new Select(driver.findElement(By.id("range"))).getFirstSelectedOption().getText())
        .isEqualTo("Last 2 weeks");
    assertThat(driver.findElement(By.id("retention-notice")).isDisplayed())
        .as("memory holds all of the two weeks")
        .isFalse();
    UsageTotals recorded =
        reference.sum(
            today.minusDays(13).atStartOfDay(zone).toInstant(),
            today.plusDays(1).atStartOfDay(zone).toInstant(),
            Reference.all());
    assertThat(recorded.cacheCreationInputTokens())
        .as("the test data writes to the cache")
        .isPositive();
    assertThat(number("cache-creation-ktokens"))
        .isEqualTo(kTokens(recorded.cacheCreationInputTokens()));
    assertThat(number("cache-read-ktokens")).isEqualTo(kTokens(recorded.cachedInputTokens()));
    assertThat(optionTexts("api-key"))
        .containsExactly("All API Keys", "Prod (sk-...cdef)", "Lab (sk-...4321)");
    assertThat(optionTexts("model"))
        .containsExactly("All Models", TestData.DEEPSEEK, TestData.QWEN, TestData.GLM);

    // One model.
    act(() -> new Select(driver.findElement(By.id("model"))).selectByValue(TestData.DEEPSEEK));
    twoWeeks.model(TestData.DEEPSEEK);
    assertPageShows(stats.query(twoWeeks.build()));

    // One key as well.
    act(() -> new Select(driver.findElement(By.id("api-key"))).selectByValue(TestData.LAB.id()));
    twoWeeks.apiKey(TestData.LAB.id());
    UsageReport labDeepseek = stats.query(twoWeeks.build());
    assertPageShows(labDeepseek);
    assertThat(labDeepseek.series()).hasSize(1);

    // The Input view: the trend shows input tokens, the totals stay.
    act(() -> driver.findElement(By.cssSelector(".view-switch [data-view=INPUT]")).click());
    twoWeeks.view(SeriesView.INPUT);
    assertPageShows(stats.query(twoWeeks.build()));
    assertThat(driver.findElement(By.cssSelector(".view-switch .active")).getText())
        .isEqualTo("Input");

    // All keys again; more traffic arrives; Refresh shows it.
    act(() -> new Select(driver.findElement(By.id("api-key"))).selectByValue(""));
    UsageQuery.Builder deepseekInput =
        UsageQuery.builder()
            .zone(zone)
            .days(today.minusDays(13), today)
            .model(TestData.DEEPSEEK)
            .view(SeriesView.INPUT);
    UsageReport before = stats.query(deepseekInput.build());
    assertPageShows(before);
    stats.record(TestData.PROD.tenant(), TestData.PROD.id(), TestData.DEEPSEEK, 123_456, 7_890);
    clock.advance(Duration.ofSeconds(30));
    stats.record(TestData.LAB.tenant(), TestData.LAB.id(), TestData.DEEPSEEK, 1_000, 1);
    act(() -> driver.findElement(By.id("refresh")).click());
    UsageReport after = stats.query(deepseekInput.build());
    assertThat(after.totals().totalTokens())
        .isEqualTo(before.totals().totalTokens() + 123_456 + 7_890 + 1_000 + 1);
    assertPageShows(after);

    // Custom days: a single day.
    act(() -> new Select(driver.findElement(By.id("range"))).selectByValue("custom"));
    LocalDate day = today.minusDays(2);
    act(
        () ->
            ((JavascriptExecutor) driver)
                .executeScript(
                    "document.getElementById('first-day').value = arguments[0];"
                        + "const last = document.getElementById('last-day');"
                        + "last.value = arguments[0];"
                        + "last.dispatchEvent(new Event('change'));",
                    day.toString()));
    assertPageShows(
        stats.query(
            UsageQuery.builder()
                .zone(zone)
                .day(day)
                .model(TestData.DEEPSEEK)
                .view(SeriesView.INPUT)
                .build()));
    assertThat(driver.findElement(By.id("as-of")).getText()).startsWith(day + " (");
    assertThat(driver.getCurrentUrl()).contains("from=" + day).contains("to=" + day);

    screenshot();
  }

  /**
   * With a price book: the cost card shows the engine's cost (exact in its data, rounded half-even
   * on screen), "This month" and "Last month" ask for those days, the Cost view draws the cost per
   * bucket, the distribution shows each model's cost, and Export CSV downloads the engine's expense
   * report of the same filters.
   */
  @Test
  void page_costCardPresetsCostViewAndExport() throws Exception {
    driver.get(server.uri() + "?zone=Asia/Kathmandu");
    waitUntilLoaded(0);
    ZoneId zone = ZoneId.of("Asia/Kathmandu");
    LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
    UsageQuery.Builder q = UsageQuery.builder().zone(zone).days(today.minusDays(13), today);
    UsageReport twoWeeks = stats.query(q.build());
    assertThat(twoWeeks.cost().versionsUsed())
        .as("the history spans DeepSeek R1's price change")
        .anySatisfy(v -> assertThat(v.effectiveFrom()).isEqualTo(PRICE_CHANGE));
    assertCostShown(twoWeeks);

    act(() -> new Select(driver.findElement(By.id("range"))).selectByValue("month"));
    UsageReport month =
        stats.query(UsageQuery.builder().zone(zone).days(today.withDayOfMonth(1), today).build());
    assertPageShows(month);
    assertCostShown(month);
    assertThat(driver.getCurrentUrl())
        .contains("from=" + today.withDayOfMonth(1))
        .contains("to=" + today);

    act(() -> new Select(driver.findElement(By.id("range"))).selectByValue("lastmonth"));
    LocalDate firstOfMonth = today.withDayOfMonth(1);
    UsageReport lastMonth =
        stats.query(
            UsageQuery.builder()
                .zone(zone)
                .days(firstOfMonth.minusMonths(1), firstOfMonth.minusDays(1))
                .build());
    assertCostShown(lastMonth);
    assertThat(driver.findElement(By.id("as-of")).getText())
        .startsWith(firstOfMonth.minusMonths(1) + " – " + firstOfMonth.minusDays(1));

    act(() -> new Select(driver.findElement(By.id("range"))).selectByValue("month"));
    act(() -> driver.findElement(By.cssSelector(".view-switch [data-view=COST]")).click());
    UsageReport monthCost =
        stats.query(
            UsageQuery.builder()
                .zone(zone)
                .days(today.withDayOfMonth(1), today)
                .view(SeriesView.COST)
                .build());
    assertPageShows(monthCost); // the chart's sums are the points' values: cents
    assertThat(driver.findElement(By.id("chart-unit")).getText()).contains("cost (USD)");
    for (dev.usagestats.ModelShare m : monthCost.distribution()) {
      WebElement cell =
          driver.findElement(
              By.cssSelector("#distribution tr[data-model='" + m.model() + "'] td.cost"));
      assertThat(cell.getAttribute("data-exact")).isEqualTo(m.cost().toPlainString());
    }

    // Export CSV: the link asks for the page's filters; what it downloads is the engine's report.
    String href = driver.findElement(By.id("export-csv")).getAttribute("href");
    assertThat(href).contains("/api/expenses.csv?").contains("zone=Asia%2FKathmandu");
    java.net.http.HttpResponse<String> csv =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(href)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.headers().firstValue("Content-Disposition").orElse(""))
        .contains("attachment")
        .contains(".csv");
    List<List<String>> rows;
    try (com.fasterxml.jackson.databind.MappingIterator<List<String>> it =
        new com.fasterxml.jackson.dataformat.csv.CsvMapper()
            .enable(com.fasterxml.jackson.dataformat.csv.CsvParser.Feature.WRAP_AS_ARRAY)
            .readerForListOf(String.class)
            .readValues(csv.body())) {
      rows = it.readAll();
    }
    assertThat(rows.get(0)).isEqualTo(dev.usagestats.prices.ExpenseReport.COLUMNS);
    List<String> total = rows.get(rows.size() - 1);
    int kind = dev.usagestats.prices.ExpenseReport.COLUMNS.indexOf("kind");
    int cost = dev.usagestats.prices.ExpenseReport.COLUMNS.indexOf("cost");
    assertThat(total.get(kind)).isEqualTo("total");
    assertThat(new BigDecimal(total.get(cost))).isEqualByComparingTo(month.cost().total());
    Files.write(
        Paths.get("target", "usage-page-cost.png"),
        ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
  }

  private static void assertCostShown(UsageReport expected) {
    WebElement card = driver.findElement(By.id("cost-total"));
    assertThat(card.isDisplayed()).isTrue();
    assertThat(card.getAttribute("data-exact")).isEqualTo(expected.cost().total().toPlainString());
    assertThat(card.getText())
        .isEqualTo(
            "$" + String.format(java.util.Locale.US, "%,.2f", expected.cost().displayTotal()));
  }

  @Test
  void page_zoneAndDaysInUrl_kolkataDaysMatchTheEngine() {
    driver.get(server.uri() + "?zone=Asia/Kolkata&days=3&model=" + TestData.QWEN);
    waitUntilLoaded(0);

    ZoneId kolkata = ZoneId.of("Asia/Kolkata");
    LocalDate today = LocalDate.ofInstant(NOW, kolkata);
    assertPageShows(
        stats.query(
            UsageQuery.builder()
                .zone(kolkata)
                .days(today.minusDays(2), today)
                .model(TestData.QWEN)
                .build()));
    assertThat(driver.findElement(By.id("as-of")).getText())
        .startsWith(today.minusDays(2) + " – " + today + " (Asia/Kolkata)");
    assertThat(new Select(driver.findElement(By.id("range"))).getFirstSelectedOption().getText())
        .isEqualTo("Last 3 days");
  }

  /**
   * "Today" draws each line up to now: one point per hour begun in the page's zone (the running
   * hour's segment dashed), none for the hours still ahead, which the API reports as zeros.
   */
  @Test
  void page_today_linesEndAtTheCurrentHour() {
    for (String zoneParam : new String[] {"", "&zone=Asia/Kolkata"}) {
      driver.get(server.uri() + "?days=1" + zoneParam);
      waitUntilLoaded(0);

      assertThat(new Select(driver.findElement(By.id("range"))).getFirstSelectedOption().getText())
          .isEqualTo("Today");
      ZoneId zone = ZoneId.of(driver.findElement(By.id("as-of")).getAttribute("data-zone"));
      Instant now = clock.instant();
      Instant midnight = LocalDate.ofInstant(now, zone).atStartOfDay(zone).toInstant();
      int hoursBegun = (int) Duration.between(midnight, now).toHours() + 1;
      UsageReport today =
          stats.query(UsageQuery.builder().zone(zone).day(LocalDate.ofInstant(now, zone)).build());
      assertThat(today.buckets()).as(zone.getId()).hasSize(24);
      assertThat(hoursBegun).as(zone.getId()).isLessThan(24);
      List<WebElement> lines = driver.findElements(By.cssSelector("#chart polyline"));
      assertThat(lines).hasSize(today.series().size()).isNotEmpty();
      for (WebElement line : lines) {
        String series = line.getAttribute("data-series");
        assertThat(line.getAttribute("data-points")).as(series).isEqualTo("" + hoursBegun);
        assertThat(line.getAttribute("points").split(" "))
            .as(series + ": finished hours")
            .hasSize(hoursBegun - 1);
        assertThat(
                driver.findElements(By.cssSelector("#chart circle[data-series='" + series + "']")))
            .as(series + ": a dot per hour begun")
            .hasSize(hoursBegun);
        assertThat(
                driver.findElements(
                    By.cssSelector("#chart line.running[data-series='" + series + "']")))
            .as(series + ": the running hour, dashed")
            .hasSize(1);
      }
    }
  }

  /**
   * A range reaching back past what an engine keeps: the page says from when its figures are whole,
   * as the engine's report does, and shows the figures of what is left; for a range the engine
   * holds, it says nothing.
   */
  @Test
  void page_rangePastRetention_showsFromWhenTheFiguresAreWhole() throws IOException {
    TestClock c = TestClock.of(NOW.minus(Duration.ofDays(6)));
    try (UsageStats brief =
        UsageStats.builder()
            .clock(c)
            .flushInterval(Duration.ZERO)
            .retention(Duration.ofDays(2))
            .build()) {
      for (int h = 0; c.instant().isBefore(NOW); h++) {
        brief.record(
            UsageEvent.of(
                c.instant(), "acme", TestData.PROD.id(), TestData.MODELS.get(h % 3), 9, 4));
        c.advance(Duration.ofMinutes(50));
        if (h % 24 == 0) brief.flush();
      }
      brief.flush();
      DemoServer other =
          DemoServer.builder(brief).clock(c).catalog(TestData.catalog()).port(0).start();
      try {
        ZoneId kolkata = ZoneId.of("Asia/Kolkata");
        driver.get(other.uri() + "?zone=Asia/Kolkata&days=7");
        waitUntilLoaded(0);

        LocalDate today = LocalDate.ofInstant(c.instant(), kolkata);
        UsageReport expected =
            brief.query(UsageQuery.builder().zone(kolkata).days(today.minusDays(6), today).build());
        Instant kept = expected.incompleteBefore();
        assertThat(kept).isNotNull().isAfter(expected.from());
        WebElement notice = driver.findElement(By.id("retention-notice"));
        assertThat(notice.isDisplayed()).isTrue();
        assertThat(notice.getAttribute("data-incomplete-before")).isEqualTo(kept.toString());
        assertThat(notice.getText())
            .startsWith(
                "Data before "
                    + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(kept.atZone(kolkata))
                    + " is past retention");
        assertPageShows(expected);

        driver.get(other.uri() + "?zone=Asia/Kolkata&days=1");
        waitUntilLoaded(0);
        assertThat(driver.findElement(By.id("retention-notice")).isDisplayed()).isFalse();
      } finally {
        other.close();
      }
    }
  }

  @Test
  void page_badZoneInUrl_showsTheApiError() {
    driver.get(server.uri() + "?zone=Mars/Base");
    waitUntilLoaded(0);

    WebElement error = driver.findElement(By.id("error"));
    assertThat(error.isDisplayed()).isTrue();
    assertThat(error.getText()).contains("zone").contains("Mars/Base");
    assertThat(driver.findElement(By.tagName("body")).getAttribute("data-state"))
        .isEqualTo("error");
  }

  /** The cards show the report's totals, and the chart one line per series with its sum. */
  private static void assertPageShows(UsageReport expected) {
    UsageTotals t = expected.totals();
    assertThat(number("total-ktokens")).isEqualTo(t.totalKTokens().toPlainString());
    assertThat(number("input-ktokens")).isEqualTo(t.inputKTokens().toPlainString());
    assertThat(number("output-ktokens")).isEqualTo(t.outputKTokens().toPlainString());
    assertThat(driver.findElement(By.id("total-calls")).getText())
        .startsWith(String.format("%,d calls", t.calls()));
    assertThat(number("cache-read-ktokens")).isEqualTo(kTokens(t.cachedInputTokens()));
    assertThat(number("cache-creation-ktokens")).isEqualTo(kTokens(t.cacheCreationInputTokens()));
    long uncached = t.inputTokens() - t.cachedInputTokens() - t.cacheCreationInputTokens();
    assertThat(driver.findElement(By.id("cache-uncached")).getText().replace(",", ""))
        .isEqualTo(kTokens(uncached) + " K input uncached");

    Map<String, Long> sums = new HashMap<>();
    for (WebElement line : driver.findElements(By.cssSelector("#chart polyline"))) {
      sums.put(line.getAttribute("data-series"), Long.parseLong(line.getAttribute("data-sum")));
    }
    Map<String, Long> expectedSums = new HashMap<>();
    for (TrendSeries s : expected.series()) {
      expectedSums.put(s.label(), s.points().stream().mapToLong(p -> p.value()).sum());
    }
    assertThat(sums).isEqualTo(expectedSums);
    assertThat(expected.groupBy()).isEqualTo(GroupBy.MODEL);
    assertThat(driver.findElements(By.cssSelector("#distribution tbody tr[data-model]")))
        .hasSize(expected.distribution().size());
  }

  /** Runs an action that makes the page load a report, and waits for that load to finish. */
  private static void act(Runnable action) {
    int before = loads();
    action.run();
    waitUntilLoaded(before);
  }

  private static void waitUntilLoaded(int loadsBefore) {
    new WebDriverWait(driver, WAIT)
        .until(
            d -> {
              String state = d.findElement(By.tagName("body")).getAttribute("data-state");
              return loads() > loadsBefore && !"loading".equals(state);
            });
  }

  private static int loads() {
    String v = driver.findElement(By.tagName("body")).getAttribute("data-loads");
    return v == null ? 0 : Integer.parseInt(v);
  }

  /** A token count in K tokens, exact to the token: 1234567 as "1234.567". */
  private static String kTokens(long tokens) {
    return BigDecimal.valueOf(tokens, 3).toPlainString();
  }

  private static String number(String id) {
    return driver.findElement(By.id(id)).getText().replace(",", "");
  }

  private static List<String> optionTexts(String selectId) {
    return new Select(driver.findElement(By.id(selectId)))
        .getOptions().stream().map(WebElement::getText).toList();
  }

  private static void screenshot() throws IOException {
    Path target = Paths.get("target", "usage-page.png");
    Files.createDirectories(target.getParent());
    Files.write(target, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
  }
}
