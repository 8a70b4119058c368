package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The README's quick start, verbatim between the markers, so the README keeps compiling. */
class ReadmeQuickStartTest {
  @Test
  void quickStart_runs() {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      // --- README quick start ---
      ZoneId zone = ZoneId.of("Asia/Shanghai");
      try (UsageStats stats = UsageStats.builder().defaultZone(zone).build()) {
        // In the serving code: the API key *id*, never the secret.
        String keyId = ApiKeys.fingerprint("sk-proj-9f8e7d6c5b4a39281706");
        stats.record("acme", keyId, "public/deepseek-r1", 1200, 350);

        // Hot path for a known series: a bound handle skips the name lookup.
        UsageSeries r1 = stats.series("acme", keyId, "public/deepseek-r1");
        r1.record(800, 120, 300, 40, Outcome.SUCCESS); // input, output, cached input, reasoning

        // The Usage Statistics page: last 2 weeks, all keys, all models, one trend per model.
        UsageReport twoWeeks = stats.query(stats.newQuery().build());
        System.out.println(twoWeeks.totals().totalKTokens() + " K tokens");
        for (TrendSeries s : twoWeeks.series()) {
          System.out.println(s.label() + " " + s.points());
        }

        // One key, one model, a few days, input tokens per hour.
        UsageReport detail =
            stats.query(
                stats
                    .newQuery()
                    .apiKey(keyId)
                    .model("public/deepseek-r1")
                    .days(LocalDate.now(zone).minusDays(2), LocalDate.now(zone))
                    .granularity(Granularity.HOUR)
                    .view(SeriesView.INPUT)
                    .build());
        System.out.println(detail.totals());
      }
      // --- end ---
    } finally {
      System.setOut(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .startsWith("2.470 K tokens")
        .contains("UsageTotals[calls=2, errors=0, inputTokens=2000, outputTokens=470");
  }
}
