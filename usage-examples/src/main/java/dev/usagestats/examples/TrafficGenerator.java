package dev.usagestats.examples;

import dev.usagestats.Outcome;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageTotals;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Makes plausible model traffic for the demo: a daily rhythm, quieter weekends, a burst now and
 * then, and token counts shaped per model (reasoning models write long answers, some prompts hit
 * the cache, some models write a few percent of their input to the cache, about one call in a
 * hundred fails), and a latency for every call: a time to first token (queueing and reading the
 * prompt) plus the output at the model's speed, both spread log-normally, slower and with a longer
 * tail for the reasoning model, and slower still on the models a batch job shares while its burst
 * runs. Most interactive calls are streamed and record their time to first token; batch calls and
 * failed calls record their duration only.
 *
 * <p>{@link #backfill} writes history at past timestamps through {@link UsageStats#record(
 * UsageEvent)}; {@link #tick} records a second of live traffic at the clock's time. Both follow one
 * rate, a function of the local hour in the generator's zone (a working-day curve, lower on
 * weekends, a batch burst now and then), so live traffic continues the history's daily rhythm
 * instead of standing out as a spike. Both return the totals of what they recorded, so a caller can
 * check the engine against them. The same seed and clock give the same traffic.
 *
 * <p>Not thread-safe: call from one thread at a time (the demo calls it from one scheduler thread).
 */
public final class TrafficGenerator {
  private static final double SECONDS_PER_HOUR = 3600;
  private static final double MAX_LATENCY_MILLIS = 3_599_000;

  private final UsageStats stats;
  private final Clock clock;
  private final ZoneId zone;
  private final List<Pair> pairs;
  private final SplittableRandom random;
  // Latency draws come from a stream of their own, so the token counts of a seed stay as they were.
  private final SplittableRandom latencyRandom;
  private final Set<String> batchModels;

  /** One (key, model) pair and its share of the key's calls. */
  private record Pair(DemoKey key, String model, double weight, Shape shape, Speed speed) {
    boolean batch() {
      return key.name().contains("batch");
    }
  }

  /**
   * How fast a model answers: the median time to first token ({@code firstTokenMillis}, plus the
   * time to read the prompt's uncached input at {@code prefillTokensPerSecond}) and its log-normal
   * spread ({@code firstTokenSigma}), the median output speed after it and its spread. A batch
   * burst on the model multiplies the wait by {@link #BURST_WAIT} and divides the speed by {@link
   * #BURST_SPEED}: the batch job's calls queue in front of everyone's.
   */
  record Speed(
      double firstTokenMillis,
      double firstTokenSigma,
      double prefillTokensPerSecond,
      double tokensPerSecond,
      double speedSigma) {
    static final double BURST_WAIT = 3.0;
    static final double BURST_SPEED = 1.8;

    static Speed of(String model) {
      // A reasoning model thinks before it answers: a long, heavy-tailed wait and slow output.
      if (model.contains("deepseek-r1")) return new Speed(900, 0.8, 6_000, 28, 0.35);
      if (model.contains("qwen3")) return new Speed(450, 0.5, 8_000, 45, 0.25);
      if (model.contains("kimi")) return new Speed(550, 0.5, 8_000, 38, 0.25);
      return new Speed(300, 0.45, 10_000, 60, 0.25);
    }
  }

  /**
   * How a model's token counts look. {@code cacheChance} is the share of calls that read from the
   * prompt cache; {@code cacheWriteChance} the share that also write to it. Only APIs with explicit
   * prompt caching, such as Anthropic's, report cache writes (and bill them); in the demo qwen3 and
   * kimi stand for such models, the others cache implicitly and report reads only.
   */
  private record Shape(
      double meanInput,
      double meanOutput,
      double reasoningShare,
      double cacheChance,
      double cacheWriteChance) {
    static Shape of(String model) {
      if (model.contains("deepseek-r1")) return new Shape(1500, 1200, 0.6, 0.2, 0);
      if (model.contains("qwen3")) return new Shape(2200, 600, 0.2, 0.35, 0.25);
      if (model.contains("kimi")) return new Shape(3000, 500, 0.0, 0.5, 0.3);
      return new Shape(900, 400, 0.0, 0.1, 0);
    }
  }

  /**
   * A generator for the catalog's keys and models whose daily rhythm follows UTC hours.
   *
   * @param seed the random seed; the same seed and clock give the same traffic
   */
  public TrafficGenerator(UsageStats stats, Clock clock, DemoCatalog catalog, long seed) {
    this(stats, clock, catalog, seed, ZoneOffset.UTC);
  }

  /**
   * A generator for the catalog's keys and models whose daily rhythm follows the local hours of
   * {@code zone} (busy in its working day, quiet at night and on its weekends).
   *
   * @param seed the random seed; the same seed, clock and zone give the same traffic
   */
  public TrafficGenerator(
      UsageStats stats, Clock clock, DemoCatalog catalog, long seed, ZoneId zone) {
    this.stats = Objects.requireNonNull(stats, "stats");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.zone = Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(catalog, "catalog");
    this.random = new SplittableRandom(seed);
    this.latencyRandom = new SplittableRandom(~seed);
    List<Pair> list = new ArrayList<>();
    for (DemoKey key : catalog.keys()) {
      key.modelWeights().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(
              e ->
                  list.add(
                      new Pair(
                          key,
                          e.getKey(),
                          e.getValue(),
                          Shape.of(e.getKey()),
                          Speed.of(e.getKey()))));
    }
    this.pairs = List.copyOf(list);
    Set<String> shared = new TreeSet<>();
    for (Pair p : pairs) if (p.batch()) shared.add(p.model);
    this.batchModels = Set.copyOf(shared);
  }

  /**
   * Records history for {@code span} up to now: local hour by local hour, each event at its own
   * past timestamp.
   *
   * @param span how far back to start; must be shorter than the engine's retention
   * @return the totals of everything recorded
   */
  public UsageTotals backfill(Duration span) {
    if (span.isNegative()) throw new IllegalArgumentException("span must be >= 0: " + span);
    Instant now = clock.instant();
    Instant start = now.minus(span);
    UsageTotals recorded = UsageTotals.empty();
    for (Instant hour = start.atZone(zone).truncatedTo(ChronoUnit.HOURS).toInstant();
        hour.isBefore(now);
        hour = hour.plus(Duration.ofHours(1))) {
      for (Pair pair : pairs) {
        int calls = poisson(callsPerHour(pair, hour));
        for (int i = 0; i < calls; i++) {
          Instant ts = hour.plusMillis(random.nextLong(Duration.ofHours(1).toMillis()));
          if (ts.isBefore(start) || !ts.isBefore(now)) continue;
          recorded = recorded.plus(record(pair, ts));
        }
      }
    }
    return recorded;
  }

  /**
   * Records one second of live traffic, at the clock's current time, at the rate the backfill uses
   * for the current local hour (about 2 to 10 calls a minute in all); call it once a second.
   *
   * @return the totals of everything recorded
   */
  public UsageTotals tick() {
    Instant now = clock.instant();
    UsageTotals recorded = UsageTotals.empty();
    for (Pair pair : pairs) {
      int calls = poisson(callsPerHour(pair, now) / SECONDS_PER_HOUR);
      for (int i = 0; i < calls; i++) {
        recorded = recorded.plus(record(pair, now));
      }
    }
    return recorded;
  }

  private UsageTotals record(Pair pair, Instant ts) {
    Shape shape = pair.shape;
    long input = tokens(shape.meanInput);
    long output = tokens(shape.meanOutput);
    long cached =
        random.nextDouble() < shape.cacheChance ? input * random.nextInt(20, 90) / 100 : 0;
    // A cache write stores the prompt's new tail (a turn, a tool result) for the next call: a few
    // percent of the input, never more than the part not read from the cache.
    long cacheCreation =
        shape.cacheWriteChance > 0 && random.nextDouble() < shape.cacheWriteChance
            ? Math.min(input - cached, Math.max(1, input * random.nextInt(2, 9) / 100))
            : 0;
    long reasoning = Math.round(output * shape.reasoningShare * random.nextDouble(0.5, 1.0));
    Outcome outcome = random.nextInt(100) == 0 ? Outcome.ERROR : Outcome.SUCCESS;
    if (outcome == Outcome.ERROR) {
      output = 0;
      reasoning = 0;
    }
    boolean slow = batchModels.contains(pair.model) && burstHour(ts.atZone(zone));
    Speed speed = pair.speed;
    double wait = slow ? Speed.BURST_WAIT : 1;
    double firstToken =
        speed.firstTokenMillis * wait * logNormal(speed.firstTokenSigma)
            + (input - cached) * 1000.0 / speed.prefillTokensPerSecond;
    double duration;
    boolean streamed;
    if (outcome == Outcome.ERROR) {
      // A failed call ends before any output: a refusal at once, or a timeout after a long wait.
      duration = firstToken * latencyRandom.nextDouble(0.2, 3.0);
      streamed = false;
    } else {
      double tokensPerSecond =
          speed.tokensPerSecond / (slow ? Speed.BURST_SPEED : 1) * logNormal(speed.speedSigma);
      duration = firstToken + output * 1000.0 / tokensPerSecond;
      streamed = !pair.batch() && latencyRandom.nextInt(100) < 85;
    }
    long durationNanos = nanos(duration);
    stats.record(
        new UsageEvent(
            ts,
            pair.key.tenant(),
            pair.key.id(),
            pair.model,
            input,
            output,
            cached,
            cacheCreation,
            reasoning,
            outcome,
            Duration.ofNanos(durationNanos),
            streamed ? Duration.ofNanos(Math.min(durationNanos, nanos(firstToken))) : null));
    return new UsageTotals(
        1, outcome == Outcome.ERROR ? 1 : 0, input, output, cached, cacheCreation, reasoning);
  }

  /**
   * The mean calls per hour of a pair during the local hour holding {@code t}: the one rate the
   * backfill and the live ticks both follow, constant within a local hour.
   */
  private double callsPerHour(Pair pair, Instant t) {
    ZonedDateTime local = t.atZone(zone);
    return pair.key.callsPerHour() * pair.weight * load(local) * burst(pair, local);
  }

  /** The mean calls of the whole catalog during the local hour holding {@code t}. */
  double callsPerHour(Instant t) {
    return pairs.stream().mapToDouble(p -> callsPerHour(p, t)).sum();
  }

  /** Relative load of a local hour: a working-day curve, lower on weekends. */
  private static double load(ZonedDateTime local) {
    double daily = 0.25 + 0.75 * Math.max(0, Math.sin(Math.PI * (local.getHour() - 6) / 14));
    boolean weekend = local.getDayOfWeek().getValue() >= 6;
    return weekend ? daily * 0.45 : daily;
  }

  /** A batch job that runs three times as hard for a few local hours on one day in five. */
  private static double burst(Pair pair, ZonedDateTime local) {
    return pair.batch() && burstHour(local) ? 3.0 : 1.0;
  }

  /**
   * Whether the batch job's burst runs in this local hour (01:00 to 06:00 on one day in five); the
   * models it uses answer everyone slower then.
   */
  static boolean burstHour(ZonedDateTime local) {
    long day = local.toLocalDate().toEpochDay();
    int h = local.getHour();
    return day % 5 == 2 && h >= 1 && h < 6;
  }

  /** The models a batch key uses: the ones a burst slows down. */
  Set<String> batchModels() {
    return batchModels;
  }

  /** A log-normal factor with median 1. */
  private double logNormal(double sigma) {
    return Math.exp(latencyRandom.nextGaussian() * sigma);
  }

  /** Milliseconds as nanoseconds, at least 1 ms and below the hour a latency may take. */
  private static long nanos(double millis) {
    double ms = Math.max(1, Math.min(MAX_LATENCY_MILLIS, millis));
    return Math.round(ms * 1_000_000);
  }

  /** A log-normal token count around {@code mean}. */
  private long tokens(double mean) {
    double v = mean * Math.exp(random.nextGaussian() * 0.6 - 0.18);
    return Math.max(1, Math.min(200_000, Math.round(v)));
  }

  private int poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean > 30) {
      return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
    }
    double limit = Math.exp(-mean);
    double p = random.nextDouble();
    int k = 0;
    while (p > limit) {
      p *= random.nextDouble();
      k++;
    }
    return k;
  }
}
