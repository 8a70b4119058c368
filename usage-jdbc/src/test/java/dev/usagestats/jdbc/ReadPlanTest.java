package dev.usagestats.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The read plan tiles every bucket exactly with the fewest rows the grids allow, checked against a
 * plain cover of quarter hours; and the grids a zone gives.
 */
class ReadPlanTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  private static final ZoneId KTM = ZoneId.of("Asia/Kathmandu");
  private static final ZoneId NY = ZoneId.of("America/New_York");
  private static final ZoneId LORD_HOWE = ZoneId.of("Australia/Lord_Howe");

  /** Tiles as (start, quarter hours), in order. */
  private static List<long[]> tiles(long[] bounds, List<Grid> grids) {
    ReadPlan p = ReadPlan.of(bounds, grids);
    assertThat(p).isNotNull();
    List<long[]> out = new ArrayList<>();
    for (long q : p.quarters) out.add(new long[] {q, 1});
    for (int i = 0; i < p.quarterRanges.length; i += 2) {
      for (long q = p.quarterRanges[i]; q < p.quarterRanges[i + 1]; q += 900) {
        out.add(new long[] {q, 1});
      }
    }
    for (long h : p.hours) out.add(new long[] {h, 4});
    for (long d : p.days) out.add(new long[] {d, 96});
    out.sort((x, y) -> Long.compare(x[0], y[0]));
    return out;
  }

  /**
   * Checks that the tiles cover [bounds[0], bounds[n]) once, none crosses a bound, every hour or
   * day tile starts on a grid; returns how many tiles each bucket took.
   */
  private static int[] check(long[] bounds, List<Grid> grids) {
    List<long[]> tiles = tiles(bounds, grids);
    int[] perBucket = new int[bounds.length - 1];
    long at = bounds[0];
    int b = 0;
    for (long[] t : tiles) {
      assertThat(t[0]).as("tiles are consecutive").isEqualTo(at);
      long end = t[0] + t[1] * 900;
      while (bounds[b + 1] <= t[0]) b++;
      assertThat(end).as("a tile stays inside its bucket").isLessThanOrEqualTo(bounds[b + 1]);
      if (t[1] > 1) {
        int minutes = (int) t[1] * 15;
        assertThat(grids.stream().anyMatch(g -> g.minutes() == minutes && g.startsAt(t[0])))
            .as("a coarse tile lies on a grid")
            .isTrue();
      }
      perBucket[b]++;
      at = end;
    }
    assertThat(at).isEqualTo(bounds[bounds.length - 1]);
    return perBucket;
  }

  private static long[] localDays(ZoneId zone, LocalDate first, int days) {
    long[] b = new long[days + 1];
    for (int i = 0; i <= days; i++) b[i] = first.plusDays(i).atStartOfDay(zone).toEpochSecond();
    return b;
  }

  private static List<Grid> grids(ZoneId... zones) {
    Set<Grid> out = new TreeSet<>(Grid.UTC);
    for (ZoneId z : zones) out.addAll(Grid.of(z, T0));
    return List.copyOf(out);
  }

  @Test
  void of_kathmanduDaysOnUtcGrids_hourRowsAndQuartersAtTheEdges() {
    int[] n = check(localDays(KTM, LocalDate.of(2026, 3, 2), 7), Grid.UTC);
    // 18:15 to 18:15 UTC: 18:15, 18:30, 18:45, 23 hours, 18:00
    assertThat(n).containsOnly(27);
  }

  @Test
  void of_kathmanduDaysOnItsGrids_oneRowPerDay() {
    assertThat(check(localDays(KTM, LocalDate.of(2026, 3, 2), 7), grids(KTM))).containsOnly(1);
    // its hours alone: 24 rows on the quarter-past grid
    List<Grid> hours = List.of(new Grid(Grid.HOUR, 0), new Grid(Grid.HOUR, 900));
    assertThat(check(localDays(KTM, LocalDate.of(2026, 3, 2), 3), hours)).containsOnly(24);
  }

  @Test
  void of_newYorkAroundDst_dayRowsWhereTheDayIs24Hours() {
    // 2026-03-08 is 23 hours long, 2026-11-01 25 hours
    assertThat(check(localDays(NY, LocalDate.of(2026, 3, 7), 3), grids(NY)))
        .containsExactly(1, 23, 1);
    assertThat(check(localDays(NY, LocalDate.of(2026, 10, 31), 3), grids(NY)))
        .containsExactly(1, 2, 1);
    assertThat(check(localDays(NY, LocalDate.of(2026, 3, 7), 3), Grid.UTC))
        .containsExactly(24, 23, 24);
  }

  @Test
  void of_lordHoweHalfHourDst_exactAroundTheShift() {
    // 2026-04-05: +11:00 to +10:30, a 24.5-hour day; 2026-10-04 a 23.5-hour one
    for (LocalDate d : List.of(LocalDate.of(2026, 4, 4), LocalDate.of(2026, 10, 3))) {
      check(localDays(LORD_HOWE, d, 3), Grid.UTC);
      int[] n = check(localDays(LORD_HOWE, d, 3), grids(LORD_HOWE));
      assertThat(n[0]).isEqualTo(1);
      assertThat(n[2]).isEqualTo(1);
    }
  }

  @Test
  void of_weekAndMonthBuckets_takeDayRowsInside() {
    long[] month = {
      LocalDate.of(2026, 3, 1).atStartOfDay(NY).toEpochSecond(),
      LocalDate.of(2026, 4, 1).atStartOfDay(NY).toEpochSecond()
    };
    // March holds the 23-hour day; the 05:00 grid runs until it, the 04:00 grid after
    assertThat(check(month, grids(NY))[0]).isLessThanOrEqualTo(31 + 24);
  }

  @Test
  void of_coarseFrom_noHourOrDayRowStartsBeforeIt() {
    long s = T0.getEpochSecond();
    // three UTC days as one bucket, coarse rows from 12:15 on the first day
    long coarseFrom = s + 12 * 3600 + 900;
    ReadPlan p = ReadPlan.of(new long[] {s, s + 3 * 86_400}, Grid.UTC, coarseFrom);
    assertThat(p).isNotNull();
    // 12:00 to 12:15 and before: 49 quarters; then 12:15 to 13:00: 3 quarters; then hours to
    // midnight (11), then two day rows
    long quarterTiles = p.quarters.length;
    for (int i = 0; i < p.quarterRanges.length; i += 2) {
      quarterTiles += (p.quarterRanges[i + 1] - p.quarterRanges[i]) / 900;
    }
    assertThat(quarterTiles).isEqualTo(49 + 3);
    long[] hours = new long[11];
    for (int h = 0; h < 11; h++) hours[h] = s + (13 + h) * 3600L;
    assertThat(p.hours).containsExactly(hours);
    assertThat(p.days).containsExactly(s + 86_400, s + 2 * 86_400);
    // without it, three day rows
    assertThat(ReadPlan.of(new long[] {s, s + 3 * 86_400}, Grid.UTC).days).hasSize(3);
  }

  @Test
  void of_boundsOffQuarterHours_noPlan() {
    long s = T0.getEpochSecond();
    assertThat(ReadPlan.of(new long[] {s, s + 60, s + 120}, Grid.UTC)).isNull();
    assertThat(ReadPlan.of(new long[] {s, s + 900L * (ReadPlan.MAX_QUARTERS + 1)}, Grid.UTC))
        .isNull();
  }

  @Test
  void of_randomBoundsAndGrids_tilesExactly() {
    Random rnd = new Random(11);
    List<Grid> all = new ArrayList<>();
    for (int a = 0; a < 3600; a += 900) all.add(new Grid(Grid.HOUR, a));
    for (int a = 0; a < 86_400; a += 900) all.add(new Grid(Grid.DAY, a));
    for (int round = 0; round < 300; round++) {
      List<Grid> grids = new ArrayList<>();
      for (Grid g : all) if (rnd.nextInt(g.minutes() == Grid.HOUR ? 2 : 20) == 0) grids.add(g);
      int n = 1 + rnd.nextInt(12);
      long[] bounds = new long[n + 1];
      bounds[0] = T0.getEpochSecond() + 900L * rnd.nextInt(200);
      for (int i = 1; i <= n; i++) {
        bounds[i] = bounds[i - 1] + 900L * (1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 400));
      }
      check(bounds, grids);
    }
  }

  @Test
  void gridOf_zones_theirHoursAndDays() {
    assertThat(Grid.of(NY, T0))
        .containsExactly(
            new Grid(Grid.HOUR, 0), new Grid(Grid.DAY, 4 * 3600), new Grid(Grid.DAY, 5 * 3600));
    assertThat(Grid.of(KTM, T0))
        .containsExactly(new Grid(Grid.HOUR, 900), new Grid(Grid.DAY, 18 * 3600 + 900));
    assertThat(Grid.of(ZoneOffset.UTC, T0)).containsExactlyElementsOf(Grid.UTC);
    assertThat(Grid.of(ZoneId.of("Pacific/Chatham"), T0))
        .contains(new Grid(Grid.HOUR, 900), new Grid(Grid.DAY, 10 * 3600 + 900));
  }

  @Test
  void gridOf_offsetOffQuarterHours_refusedNamingIt() {
    assertThatThrownBy(() -> Grid.of(ZoneOffset.ofHoursMinutes(5, 7), T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reportZones must have offsets on 15-minute steps: +05:07 has +05:07");
  }

  @Test
  void grid_badFields_refused() {
    assertThatThrownBy(() -> new Grid(30, 0)).hasMessage("grid minutes must be 60 or 1440: 30");
    assertThatThrownBy(() -> new Grid(Grid.HOUR, 3600))
        .hasMessage("grid anchor must be a multiple of 900 in [0, 3600): 3600");
    assertThatThrownBy(() -> new Grid(Grid.DAY, 60))
        .hasMessage("grid anchor must be a multiple of 900 in [0, 86400): 60");
  }

  @Test
  void grid_floor_negativeSecondsToo() {
    Grid ny = new Grid(Grid.DAY, 5 * 3600);
    assertThat(ny.floor(5 * 3600)).isEqualTo(5 * 3600);
    assertThat(ny.floor(5 * 3600 - 1)).isEqualTo(5 * 3600 - 86_400);
    assertThat(ny.floor(-1)).isEqualTo(5 * 3600 - 86_400);
    assertThat(ny.startsAt(5 * 3600 - 86_400)).isTrue();
  }
}
