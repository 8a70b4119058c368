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
  private volatile Series[] all = new Series[16];
  private volatile int count;
  private volatile boolean full;
  private volatile @Nullable Series overflowSeries;

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
    return all;
  }

  private int regularCount() {
    return count - (overflowSeries == null ? 0 : 1);
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
    int id = count;
    Series s = new Series(key, id, stripes, Arrays.copyOf(ls, n));
    Series[] a = all;
    if (id == a.length) a = Arrays.copyOf(a, a.length * 2);
    a[id] = s;
    all = a;
    count = id + 1;
    return s;
  }
}
