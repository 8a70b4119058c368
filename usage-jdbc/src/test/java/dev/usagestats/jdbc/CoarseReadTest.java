package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.Granularity;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageTotals;
import dev.usagestats.jdbc.Fixtures.Cell;
import dev.usagestats.jdbc.Fixtures.Reference;
import dev.usagestats.jdbc.Zones.At;
import dev.usagestats.jdbc.Zones.Sums;
import dev.usagestats.spi.Grain;
import dev.usagestats.spi.KeyDetail;
import dev.usagestats.spi.StoreRead;
import dev.usagestats.spi.UsageBatch;
import dev.usagestats.spi.UsageDelta;
import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The read plan over hour and day rows against the plan of 15-minute rows only, on every database:
 * for one zone of every distinct pattern of offsets and transitions in the tz database (+05:45,
 * +13:45, Lord Howe's 30-minute DST shift included), around its transitions and at random, at HOUR,
 * DAY, WEEK and MONTH, with random bounds on quarter hours, the two give identical rows (peaks
 * too), and both equal the reference model's sums. Half the zones have grids of their own, so reads
 * use day rows, hour rows on quarter-past grids, and UTC hour rows with 15-minute edges.
 */
class CoarseReadTest {
  /** Spring and autumn, when the zones of both hemispheres change their offsets. */
  static final Instant[][] WINDOWS = {
    {Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-05-01T00:00:00Z")},
    {Instant.parse("2026-09-20T00:00:00Z"), Instant.parse("2026-11-10T00:00:00Z")}
  };

  private static final SeriesKey[] KEYS = {
    new SeriesKey("acme", "key-a", "public/deepseek-r1"),
    new SeriesKey("acme", "key-b", "gpt-x"),
    new SeriesKey("globex", "key-c", "gpt-x")
  };

  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() {
    cleanup.forEach(Runnable::run);
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void read_everyZonePattern_coarsePlanEqualsQuarterPlanAndReference(Db db) {
    DataSource ds = db.dataSource();
    String prefix = Db.uniquePrefix();
    Instant end = WINDOWS[1][1];
    List<ZoneId> zones = Zones.distinctPatterns(WINDOWS[0][0], end);
    Random rnd = new Random(db.ordinal() * 31L + 5);
    List<ZoneId> gridded = new ArrayList<>(List.of(ZoneOffset.UTC));
    gridded.add(ZoneId.of("Asia/Kathmandu"));
    gridded.add(ZoneId.of("America/New_York"));
    gridded.add(ZoneId.of("Australia/Lord_Howe"));
    for (int i = 0; i < 6; i++) gridded.add(zones.get(rnd.nextInt(zones.size())));
    TestClock clock = TestClock.of(end.plus(Duration.ofDays(30)));
    JdbcUsageStore s =
        JdbcUsageStore.builder(ds)
            .tablePrefix(prefix)
            .createSchema(true)
            .clock(clock)
            .compactAfter(Duration.ofDays(2))
            .reportZones(gridded.toArray(ZoneId[]::new))
            .build();
    cleanup.add(
        () -> {
          s.close();
          try {
            Db.drop(ds, prefix);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });

    // a minute row of each series in every quarter hour of both windows, folded by compaction
    Reference ref = new Reference();
    List<UsageDelta> deltas = new ArrayList<>();
    for (Instant[] w : WINDOWS) {
      for (Instant q = w[0]; q.isBefore(w[1]); q = q.plusSeconds(900)) {
        for (SeriesKey k : KEYS) {
          Instant m = q.plusSeconds(60L * rnd.nextInt(15));
          UsageTotals t = totals(rnd);
          deltas.add(new UsageDelta(k, m, t));
          ref.add(k, m, t);
          if (deltas.size() == 5_000) deltas = append(s, deltas);
        }
      }
    }
    append(s, deltas);
    assertThat(s.compact()).isPositive();
    // then 15-minute deltas (the engine's, when it fell behind) and late minute rows, not folded
    Map<List<Object>, UsageTotals> late = new HashMap<>();
    for (int i = 0; i < 400; i++) {
      Instant[] w = WINDOWS[rnd.nextInt(2)];
      long quarters = Duration.between(w[0], w[1]).toSeconds() / 900;
      Instant q = w[0].plusSeconds(900 * (long) rnd.nextInt((int) quarters));
      SeriesKey k = KEYS[rnd.nextInt(KEYS.length)];
      UsageTotals t = totals(rnd);
      Grain grain = i % 2 == 0 ? Grain.QUARTER_HOUR : Grain.MINUTE;
      Instant at = grain == Grain.MINUTE ? q.plusSeconds(60L * rnd.nextInt(15)) : q;
      late.merge(List.of(k, at, grain), t, UsageTotals::plus); // one row per key, as the engine
      ref.add(k, at, t);
    }
    deltas = new ArrayList<>();
    for (Map.Entry<List<Object>, UsageTotals> e : late.entrySet()) {
      List<Object> id = e.getKey();
      deltas.add(
          new UsageDelta(
              (SeriesKey) id.get(0), (Instant) id.get(1), e.getValue(), (Grain) id.get(2)));
    }
    append(s, deltas);

    Granularity[] gs = {Granularity.HOUR, Granularity.DAY, Granularity.WEEK, Granularity.MONTH};
    int reads = 0;
    for (ZoneId z : zones) {
      List<Instant[]> ranges = new ArrayList<>();
      for (Instant[] w : WINDOWS) {
        for (Instant t : Zones.transitions(z, w[0], w[1])) {
          ranges.add(around(rnd, t, w));
        }
      }
      Instant[] w = WINDOWS[rnd.nextInt(2)];
      ranges.add(around(rnd, w[0].plus(Duration.between(w[0], w[1]).dividedBy(2)), w));
      for (Instant[] r : ranges) {
        Granularity g = gs[rnd.nextInt(gs.length)];
        if (g == Granularity.HOUR) r[1] = min(r[1], r[0].plus(Duration.ofDays(3)));
        List<Instant> bounds = Zones.bounds(z, g, r[0], r[1]);
        KeyDetail detail = rnd.nextInt(3) == 0 ? KeyDetail.MODEL : KeyDetail.SERIES;
        StoreRead read = Zones.read(bounds, z, g, detail);
        Map<At, Sums> coarse = Zones.rows(s.read(read));
        Map<At, Sums> fine = Zones.rows(s.readFine(read));
        assertThat(Zones.planIndependent(coarse))
            .as("%s %s %s to %s", z, g, r[0], r[1])
            .isEqualTo(Zones.planIndependent(fine));
        if (detail == KeyDetail.SERIES) {
          assertThat(totals(Zones.seriesRows(coarse), bounds))
              .as("%s %s", z, g)
              .isEqualTo(ref.sums(bounds));
        }
        reads++;
      }
    }
    assertThat(zones).hasSizeGreaterThan(50);
    assertThat(reads).isGreaterThan(zones.size());
  }

  private static UsageTotals totals(Random rnd) {
    long calls = 1 + rnd.nextInt(5);
    long in = rnd.nextInt(4000);
    long out = rnd.nextInt(800);
    return new UsageTotals(
        calls, rnd.nextInt(2), in, out, in / 4, rnd.nextInt(2) * in / 8, out / 3);
  }

  private static List<UsageDelta> append(JdbcUsageStore s, List<UsageDelta> deltas) {
    s.append(new UsageBatch(UUID.randomUUID().toString(), "n", deltas));
    return new ArrayList<>();
  }

  /** A range on quarter hours inside window {@code w}, from up to 3 days before t to 4 after. */
  private static Instant[] around(Random rnd, Instant t, Instant[] w) {
    Instant from = max(w[0], t.minusSeconds(900L * rnd.nextInt(3 * 96)));
    Instant to = min(w[1], t.plusSeconds(900L * (1 + rnd.nextInt(4 * 96))));
    from = Instant.ofEpochSecond(Math.floorDiv(from.getEpochSecond(), 900) * 900);
    to = Instant.ofEpochSecond(Math.floorDiv(to.getEpochSecond(), 900) * 900);
    if (!to.isAfter(from)) to = from.plusSeconds(900);
    return new Instant[] {from, to};
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** A read's totals keyed like the reference's sums. */
  private static Map<Cell, UsageTotals> totals(Map<At, Sums> rows, List<Instant> bounds) {
    Map<Cell, UsageTotals> out = new HashMap<>();
    rows.forEach(
        (at, sums) ->
            out.merge(
                new Cell(at.key(), bounds.get(at.bucket()).toEpochMilli()),
                sums.totals(),
                UsageTotals::plus));
    return out;
  }
}
