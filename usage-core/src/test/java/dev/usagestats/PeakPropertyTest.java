package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Peaks under dense traffic: many events per minute over a few hours, minutes drained in parts
 * (flushes land mid-minute), from memory or from a store, every granularity, zones with 30- and
 * 45-minute offsets. Each group's and the report's peaks must equal the reference's maximum over
 * per-minute sums where the report says EXACT, and be at least that where it says UPPER_BOUND.
 */
class PeakPropertyTest {
  static final List<ZoneId> ZONES =
      List.of(
          ZoneId.of("Asia/Kathmandu"),
          ZoneId.of("Asia/Kolkata"),
          ZoneId.of("Australia/Lord_Howe"),
          ZoneId.of("America/New_York"),
          ZoneId.of("UTC"));

  @Property(tries = 300)
  void peaks_equalMaxOfPerMinuteSums(
      @ForAll @IntRange(min = 0, max = 4) int zoneIndex,
      @ForAll @IntRange(min = 0, max = 4) int granularityIndex,
      @ForAll @IntRange(min = 1, max = 1500) int eventCount,
      @ForAll boolean withStore,
      @ForAll @LongRange long seed) {
    Random rnd = new Random(seed);
    ZoneId zone = ZONES.get(zoneIndex);
    Granularity g = Granularity.values()[granularityIndex];
    Instant start = Instant.parse("2026-03-07T22:00:00Z").plusSeconds(rnd.nextInt(86_400 * 3));
    TestClock clock = TestClock.of(start);
    ReferenceModel ref = new ReferenceModel();
    InMemoryStore store = new InMemoryStore();
    UsageStats.Builder builder =
        UsageStats.builder()
            .clock(clock)
            .flushInterval(Duration.ZERO)
            .minuteRetention(Duration.ofDays(15));
    if (withStore) builder.store(store);
    try (UsageStats stats = builder.build()) {
      for (int i = 0; i < eventCount; i++) {
        clock.advance(Duration.ofMillis(rnd.nextInt(15_000)));
        UsageEvent e = DifferentialPropertyTest.randomEvent(rnd, clock.instant());
        stats.record(e);
        ref.add(e);
        if (rnd.nextInt(20) == 0) stats.flush(); // a drain (and write) in mid-minute
      }
      stats.flush();
      for (int q = 0; q < 4; q++) {
        UsageQuery.Builder b = UsageQuery.builder().zone(zone).granularity(g);
        b.from(
            g == Granularity.MINUTE
                ? clock.instant().minus(Duration.ofMinutes(1 + rnd.nextInt(600)))
                : start.minus(Duration.ofHours(rnd.nextInt(3))));
        b.to(clock.instant().plus(Duration.ofMinutes(1 + rnd.nextInt(90))));
        String[] tenants = DifferentialPropertyTest.TENANTS;
        String[] keys = DifferentialPropertyTest.KEYS;
        String[] models = DifferentialPropertyTest.MODELS;
        if (rnd.nextInt(4) == 0) b.tenant(tenants[rnd.nextInt(tenants.length)]);
        if (rnd.nextInt(4) == 0) b.apiKey(keys[rnd.nextInt(keys.length)]);
        if (rnd.nextInt(3) == 0) b.model(models[rnd.nextInt(models.length)]);
        if (rnd.nextInt(5) == 0) b.model(models[rnd.nextInt(models.length)]);
        b.groupBy(GroupBy.values()[rnd.nextInt(GroupBy.values().length)]);
        // every view but COST, which needs a price book (DifferentialPropertyTest prices)
        SeriesView[] views =
            java.util.Arrays.stream(SeriesView.values())
                .filter(v -> v != SeriesView.COST && !v.isLatency())
                .toArray(SeriesView[]::new);
        b.view(views[rnd.nextInt(views.length)]);
        UsageQuery query = b.build();
        UsageReport r = stats.query(query);
        ReferenceModel.Expected want = ref.expect(query, query.from(), query.to(), g);
        assertThat(LatencyReference.withoutLatency(r.series())).isEqualTo(want.series());
        assertThat(r.peaks()).isEqualTo(want.peaks());
        long[] exact = ref.exactPeak(query, r.from(), r.to());
        if (r.peaks().accuracy() == PeakAccuracy.EXACT) {
          assertThat(r.peaks().callsPerMinute()).isEqualTo(exact[0]);
          assertThat(r.peaks().tokensPerMinute()).isEqualTo(exact[1]);
        } else {
          assertThat(r.peaks().accuracy()).isEqualTo(PeakAccuracy.UPPER_BOUND);
          assertThat(r.peaks().callsPerMinute()).isGreaterThanOrEqualTo(exact[0]);
          assertThat(r.peaks().tokensPerMinute()).isGreaterThanOrEqualTo(exact[1]);
        }
      }
    }
  }
}
