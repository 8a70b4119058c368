package dev.usagestats.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.noop.NoopTimer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One series' latency histogram (a Micrometer {@link Timer} with the GenAI bucket bounds),
 * registered on its first recorded latency and held from then on.
 *
 * <p>Why on first use: each histogram is 17 series in a Prometheus scrape (14 buckets, +Inf, count,
 * sum, plus a max gauge). Registered with the series, every series would carry its duration, its
 * failed-call duration and its time-to-first-chunk histograms even when it never records latency,
 * never fails or never streams. Registered on first use, a series pays only for what it reports.
 *
 * <p>Assumptions and guarantees:
 *
 * <ol>
 *   <li>Any number of recording threads call {@link #record}; the registry is called at most once
 *       per instance (under this object's lock), and never again once the timer is held.
 *   <li>A registry that throws while registering is counted and logged through the owner; this
 *       histogram then holds a no-op timer, so a failing registry is not asked again per call.
 *   <li>After registration, {@link #record} is a volatile read and the timer's own record.
 * </ol>
 */
final class LatencyTimer {
  /** The OpenTelemetry GenAI bucket bounds for durations: 0.01 s doubling to 81.92 s. */
  static final Duration[] BUCKETS = buckets();

  private final MicrometerUsageListener owner;
  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final Tags tags;
  private volatile @Nullable Timer timer;

  LatencyTimer(
      MicrometerUsageListener owner,
      MeterRegistry registry,
      String name,
      String description,
      Tags tags) {
    this.owner = owner;
    this.registry = registry;
    this.name = name;
    this.description = description;
    this.tags = tags;
  }

  private static Duration[] buckets() {
    Duration[] b = new Duration[14];
    for (int i = 0; i < b.length; i++) b[i] = Duration.ofMillis(10L << i);
    return b;
  }

  /** Records a latency in nanoseconds. */
  void record(long nanos) {
    Timer t = timer;
    if (t == null) t = register();
    t.record(nanos, TimeUnit.NANOSECONDS);
  }

  private synchronized Timer register() {
    Timer t = timer;
    if (t != null) return t;
    try {
      t =
          Timer.builder(name)
              .description(description)
              .serviceLevelObjectives(BUCKETS)
              .tags(tags)
              .register(registry);
    } catch (RuntimeException e) {
      owner.failed("registering " + name, e);
      t = new NoopTimer(new Meter.Id(name, tags, null, description, Meter.Type.TIMER));
    }
    timer = t;
    return t;
  }
}
