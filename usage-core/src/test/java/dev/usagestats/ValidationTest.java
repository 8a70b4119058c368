package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Each rule: its own test, the message names the field and the value, nothing is recorded. */
class ValidationTest {
  private final TestClock clock = TestClock.of(Instant.parse("2026-11-20T10:00:00Z"));
  private final UsageStats stats =
      UsageStats.builder().clock(clock).flushInterval(Duration.ZERO).build();
  private final UsageSeries handle = stats.series("t", "k", "m");

  @AfterEach
  void close() {
    stats.close();
  }

  private void assertRejected(
      Class<? extends RuntimeException> type, String message, Executable call) {
    long before = stats.stats().rejectedEvents();
    assertThatThrownBy(call::execute).isInstanceOf(type).hasMessage(message);
    assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals()).isEqualTo(UsageTotals.empty());
    assertThat(stats.stats().rejectedEvents()).isEqualTo(before + 1);
  }

  @Test
  void inputTokens_negative_rejected() {
    assertRejected(
        IllegalArgumentException.class,
        "inputTokens must be >= 0: -5",
        () -> stats.record("t", "k", "m", -5, 1));
  }

  @Test
  void outputTokens_negative_rejected() {
    assertRejected(
        IllegalArgumentException.class,
        "outputTokens must be >= 0: -1",
        () -> handle.record(1, -1));
  }

  @Test
  void cachedInputTokens_negative_rejected() {
    assertRejected(
        IllegalArgumentException.class,
        "cachedInputTokens must be >= 0: -2",
        () -> stats.record("t", "k", "m", 5, 1, -2, 0, Outcome.SUCCESS));
  }

  @Test
  void reasoningTokens_negative_rejected() {
    assertRejected(
        IllegalArgumentException.class,
        "reasoningTokens must be >= 0: -3",
        () -> handle.record(5, 1, 0, -3, Outcome.SUCCESS));
  }

  @Test
  void inputTokens_aboveMaximum_rejected() {
    assertRejected(
        IllegalArgumentException.class,
        "inputTokens must be <= 1099511627776: 1099511627777",
        () -> stats.record("t", "k", "m", (1L << 40) + 1, 1));
  }

  @Test
  void cachedInputTokens_aboveInput_rejected() {
    assertRejected(
        IllegalArgumentException.class,
        "cachedInputTokens must be <= inputTokens (10): 11",
        () -> stats.record("t", "k", "m", 10, 1, 11, 0, Outcome.SUCCESS));
  }

  @Test
  void reasoningTokens_aboveOutput_rejected() {
    assertRejected(
        IllegalArgumentException.class,
        "reasoningTokens must be <= outputTokens (4): 5",
        () -> handle.record(10, 4, 0, 5, Outcome.SUCCESS));
  }

  @Test
  void outcome_null_rejected() {
    assertRejected(
        NullPointerException.class, "outcome", () -> stats.record("t", "k", "m", 1, 1, 0, 0, null));
  }

  @Test
  void tenant_null_rejected() {
    assertRejected(NullPointerException.class, "tenant", () -> stats.record(null, "k", "m", 1, 1));
  }

  @Test
  void apiKey_null_rejected() {
    assertRejected(NullPointerException.class, "apiKey", () -> stats.record("t", null, "m", 1, 1));
  }

  @Test
  void model_null_rejected() {
    assertRejected(NullPointerException.class, "model", () -> stats.record("t", "k", null, 1, 1));
  }

  @Test
  void tenant_blank_rejected() {
    assertRejected(
        IllegalArgumentException.class,
        "tenant must not be blank: ' '",
        () -> stats.record(" ", "k", "m", 1, 1));
  }

  @Test
  void apiKey_blank_rejected() {
    assertRejected(
        IllegalArgumentException.class,
        "apiKey must not be blank: ''",
        () -> stats.record("t", "", "m", 1, 1));
  }

  @Test
  void model_overLong_rejected() {
    String name = "m".repeat(257);
    assertRejected(
        IllegalArgumentException.class,
        "model must be at most 256 characters: 257 characters starting '" + "m".repeat(32) + "'",
        () -> stats.record("t", "k", name, 1, 1));
  }

  @Test
  void model_256Characters_accepted() {
    stats.record("t", "k", "m".repeat(256), 1, 1);
    assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().calls()).isEqualTo(1);
  }

  @Test
  void apiKey_controlCharacter_rejected() {
    assertRejected(
        IllegalArgumentException.class,
        // An API key id appears in messages only redacted (ApiKeys.redact).
        "apiKey must not contain control characters: U+0000 at index 3 in '...'",
        () -> stats.record("t", "key\u0000x", "m", 1, 1));
  }

  @Test
  void model_reservedOverflowName_rejected() {
    assertRejected(
        IllegalArgumentException.class,
        "model must not be the reserved overflow name: __overflow__",
        () -> stats.record("t", "k", "__overflow__", 1, 1));
  }

  @Test
  void timestamp_tooFarInFuture_rejected() {
    Instant ts = clock.instant().plus(Duration.ofMinutes(5)).plusMillis(1);
    assertRejected(
        IllegalArgumentException.class,
        "timestamp must be at most PT5M after now (2026-11-20T10:00:00Z): 2026-11-20T10:05:00.001Z",
        () -> stats.record(UsageEvent.of(ts, "t", "k", "m", 1, 1)));
  }

  @Test
  void timestamp_withinFutureSkew_accepted() {
    stats.record(UsageEvent.of(clock.instant().plus(Duration.ofMinutes(5)), "t", "k", "m", 1, 1));
    assertThat(stats.query(UsageQuery.lastTwoWeeks()).totals().calls()).isEqualTo(1);
  }

  @Test
  void timestamp_olderThanRetention_rejected() {
    Instant ts = clock.instant().minus(Duration.ofDays(15)).minusMillis(1);
    assertRejected(
        IllegalArgumentException.class,
        "timestamp must be within retention PT360H of now (2026-11-20T10:00:00Z):"
            + " 2026-11-05T09:59:59.999Z",
        () -> stats.record(UsageEvent.of(ts, "t", "k", "m", 1, 1)));
  }

  @Test
  void event_negativeTokens_rejectedAtConstruction() {
    assertThatThrownBy(() -> UsageEvent.of(clock.instant(), "t", "k", "m", 1, -7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("outputTokens must be >= 0: -7");
  }

  @Test
  void query_fromNotBeforeTo_rejected() {
    Instant t = clock.instant();
    assertThatThrownBy(() -> UsageQuery.builder().from(t).to(t).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("from must be before to: from=" + t + ", to=" + t);
  }

  @Test
  void query_lastDayBeforeFirst_rejected() {
    assertThatThrownBy(
            () -> UsageQuery.builder().days(LocalDate.of(2026, 11, 2), LocalDate.of(2026, 11, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("last must not be before first: first=2026-11-02, last=2026-11-01");
  }

  @Test
  void query_fromInTheFuture_rejected() {
    Instant from = clock.instant().plusSeconds(3600);
    assertThatThrownBy(() -> stats.query(UsageQuery.builder().from(from).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("from must be before to: from=" + from);
  }

  @Test
  void query_minutesOlderThanMinuteRetention_rejected() {
    for (int h = 0; h < 20; h++) {
      clock.advance(Duration.ofHours(1));
      stats.record("t", "k", "m", 1, 1);
      stats.flush();
    }
    Instant from = clock.instant().minus(Duration.ofHours(12));
    assertThatThrownBy(
            () ->
                stats.query(
                    UsageQuery.builder()
                        .from(from)
                        .to(from.plusSeconds(600))
                        .granularity(Granularity.MINUTE)
                        .build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("from must be within minuteRetention PT3H")
        .hasMessageEndingWith(from.toString());
  }

  @Test
  void builder_maxSeriesZero_rejected() {
    assertThatThrownBy(() -> UsageStats.builder().maxSeries(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSeries must be >= 1: 0");
  }

  @Test
  void builder_negativeRetention_rejected() {
    assertThatThrownBy(() -> UsageStats.builder().retention(Duration.ofDays(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retention must be positive: PT-24H");
  }

  @Test
  void builder_minuteRetentionAboveRetention_rejectedAtBuild() {
    assertThatThrownBy(
            () ->
                UsageStats.builder()
                    .retention(Duration.ofHours(1))
                    .minuteRetention(Duration.ofHours(2))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "minuteRetention must not exceed retention: minuteRetention=PT2H, retention=PT1H");
  }

  @Test
  void query_afterClose_rejected() {
    stats.close();
    assertThatThrownBy(() -> stats.query(UsageQuery.lastTwoWeeks()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("usage stats are closed");
  }
}
