package dev.usagestats.internal;

import dev.usagestats.ApiKeyPolicy;
import dev.usagestats.ApiKeys;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageListener;
import dev.usagestats.UsageListener.SeriesListener;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Every series the engine knows, by name and by id, with the cap that keeps their number bounded.
 *
 * <pre>
 * Assumptions and guarantees
 *
 * 1. Owns the series: creates each once (checking its names, and applying the API key policy to
 *    ids that look like secrets: refuse, fingerprint or allow), binds the listeners' per-series
 *    handles to it, never removes it. Ids are dense, 0 to count() - 1.
 * 2. Recording threads call find (lock-free, allocation-free) and, for a new series, create,
 *    which takes a short lock. Past maxSeries, create returns the one overflow series, so totals
 *    stay exact under a flood of names.
 * 3. Readers (drain, memory reads) take count() first and then array(): the array read after it
 *    holds at least that many series, fully built.
 * 4. Beside the regular series it keeps the peak aggregates (see PeakSums): one per model, created
 *    with the model's first series, and one for all usage. They are series like any other to the
 *    backends, never count towards maxSeries (there are at most maxSeries + 2 of them), and never
 *    record events.
 * </pre>
 */
final class SeriesTable {
  private final int maxSeries;
  private final ApiKeyPolicy apiKeyPolicy;
  private final int stripes;
  private final List<UsageListener> listeners;
  private final Health health;
  private final SeriesIndex index = new SeriesIndex();
  private final Object createLock = new Object();
  private volatile Series[] allSeries = new Series[16];
  private volatile int count;
  private volatile boolean full;
  private volatile @Nullable Series overflowSeries;
  private volatile int aggregates;
  private final Series all;

  SeriesTable(
      int maxSeries,
      ApiKeyPolicy apiKeyPolicy,
      int stripes,
      List<UsageListener> listeners,
      Health health) {
    this.maxSeries = maxSeries;
    this.apiKeyPolicy = apiKeyPolicy;
    this.stripes = stripes;
    this.listeners = List.copyOf(listeners);
    this.health = health;
    synchronized (createLock) {
      this.all = newAggregate(Checks.AGGREGATE);
    }
  }

  /** The aggregate of all usage: every series' minutes summed. */
  Series allAggregate() {
    return all;
  }

  /** Regular series created so far, the overflow series included, aggregates not. */
  int seriesCount() {
    return count - aggregates;
  }

  /** The series of these names if it exists; lock-free. */
  @Nullable Series find(String tenant, String apiKey, String model) {
    return index.get(tenant, apiKey, model);
  }

  /**
   * The series of these names, created if new, or the overflow series past the cap.
   *
   * @throws IllegalArgumentException if a name is invalid
   */
  Series findOrCreate(String tenant, String apiKey, String model) {
    Series s = index.get(tenant, apiKey, model);
    return s != null ? s : create(tenant, apiKey, model);
  }

  private Series create(String tenant, String apiKey, String model) {
    Checks.name("tenant", tenant);
    Checks.name("apiKey", apiKey);
    Checks.name("model", model);
    if (apiKeyPolicy != ApiKeyPolicy.ALLOW && ApiKeys.looksLikeSecret(apiKey)) {
      if (apiKeyPolicy == ApiKeyPolicy.REFUSE) {
        throw new IllegalArgumentException(
            "apiKey must be an id, not a secret: "
                + ApiKeys.redact(apiKey)
                + " looks like a provider secret; pass ApiKeys.fingerprint(secret), or set"
                + " UsageStats.Builder.apiKeyPolicy(FINGERPRINT) to have it done");
      }
      apiKey = ApiKeys.fingerprint(apiKey);
      Series s = index.get(tenant, apiKey, model);
      if (s != null) return s;
    }
    if (full) return overflow();
    synchronized (createLock) {
      Series s = index.get(tenant, apiKey, model);
      if (s != null) return s;
      if (regularCount() >= maxSeries) {
        full = true;
        return overflow();
      }
      s = newSeries(new SeriesKey(tenant, apiKey, model));
      index.put(s);
      return s;
    }
  }

  /** Series created so far, the overflow series included. Read before {@link #array()}. */
  int count() {
    return count;
  }

  /** The series by id; holds at least {@link #count()} series as read before. */
  Series[] array() {
    return allSeries;
  }

  private int regularCount() {
    return count - aggregates - (overflowSeries == null ? 0 : 1);
  }

  private Series overflow() {
    Series o = overflowSeries;
    if (o != null) return o;
    synchronized (createLock) {
      o = overflowSeries;
      if (o == null) {
        o = newSeries(SeriesKey.OVERFLOW_KEY);
        overflowSeries = o;
        Health.LOG.warn(
            "usage series cap maxSeries={} reached: further series are counted in the overflow"
                + " series",
            maxSeries);
      }
      return o;
    }
  }

  /** Caller holds createLock. */
  private Series newAggregate(String model) {
    SeriesKey key = new SeriesKey(Checks.AGGREGATE, Checks.AGGREGATE, model);
    Series s = index.get(key.tenant(), key.apiKey(), key.model());
    if (s != null) return s;
    s = add(new Series(key, count, 1, new SeriesListener[0], null));
    index.put(s);
    aggregates++;
    return s;
  }

  /** Caller holds createLock. */
  private Series add(Series s) {
    Series[] a = all();
    if (s.id == a.length) a = Arrays.copyOf(a, a.length * 2);
    a[s.id] = s;
    this.allSeries = a;
    count = s.id + 1;
    return s;
  }

  private Series[] all() {
    return allSeries;
  }

  /** Caller holds createLock. */
  private Series newSeries(SeriesKey key) {
    SeriesListener[] ls = new SeriesListener[listeners.size()];
    int n = 0;
    for (UsageListener l : listeners) {
      try {
        SeriesListener sl = l.forSeries(key);
        if (sl != null) ls[n++] = sl;
      } catch (Throwable t) {
        health.listenerFailed("usage listener failed to bind " + key, t);
      }
    }
    Series aggregate = newAggregate(key.model());
    return add(new Series(key, count, stripes, Arrays.copyOf(ls, n), aggregate));
  }
}
