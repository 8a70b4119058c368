package dev.usagestats.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Finds a series by its three names without building a key object: open addressing over an array
 * read without locks. Inserts take this object's monitor; a resize publishes a new array. Series
 * are never removed. Thread-safe; {@link #get} is lock-free and allocation-free.
 *
 * <p>{@link #get} is the record-by-name hot path, kept small so that C2 inlines it into the caller:
 * it probes by hash and accepts a series whose names are the very instances passed (a host that
 * passes constants, or the strings it created the series with, never compares characters). Only
 * when the hash matches a series named by other, possibly equal, instances does it call {@link
 * #compare}, out of line, whose {@code String.equals} would make the hot method too large to
 * inline. Where callers pass equal copies, compare runs on every lookup and C2 may inline it into
 * get's own compilation, which then is not inlined: one call per lookup either way (see
 * benchmarks/BENCHMARKS.md).
 */
final class SeriesIndex {
  private volatile AtomicReferenceArray<Series> table = new AtomicReferenceArray<>(64);
  private int size;

  @Nullable Series get(String tenant, String apiKey, String model) {
    AtomicReferenceArray<Series> tab = table;
    int mask = tab.length() - 1;
    int h = Series.hash(tenant, apiKey, model);
    for (int i = h & mask; ; i = (i + 1) & mask) {
      Series s = tab.get(i);
      if (s == null) return null;
      if (s.hash == h) {
        if (s.isNamedBy(tenant, apiKey, model)) return s;
        return compare(tab, i, h, tenant, apiKey, model);
      }
    }
  }

  /**
   * The rest of {@link #get}'s probe from slot {@code i}, whose series has hash {@code h}: names
   * compared by {@code equals}, since equal names may arrive as other instances than the series
   * holds.
   */
  private static @Nullable Series compare(
      AtomicReferenceArray<Series> tab, int i, int h, String tenant, String apiKey, String model) {
    int mask = tab.length() - 1;
    for (; ; i = (i + 1) & mask) {
      Series s = tab.get(i);
      if (s == null) return null;
      if (s.matches(h, tenant, apiKey, model)) return s;
    }
  }

  /** Inserts a series whose names are not yet present. Caller holds no other lock order. */
  synchronized void put(Series series) {
    if ((size + 1) * 2 > table.length()) {
      AtomicReferenceArray<Series> old = table;
      AtomicReferenceArray<Series> bigger = new AtomicReferenceArray<>(old.length() * 2);
      for (int i = 0; i < old.length(); i++) {
        Series s = old.get(i);
        if (s != null) insert(bigger, s);
      }
      table = bigger;
    }
    insert(table, series);
    size++;
  }

  private static void insert(AtomicReferenceArray<Series> tab, Series s) {
    int mask = tab.length() - 1;
    int i = s.hash & mask;
    while (tab.get(i) != null) i = (i + 1) & mask;
    tab.set(i, s);
  }
}
