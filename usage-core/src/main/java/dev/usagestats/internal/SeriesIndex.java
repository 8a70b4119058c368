package dev.usagestats.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Finds a series by its three names without building a key object: open addressing over an array
 * read without locks. Inserts take this object's monitor; a resize publishes a new array. Series
 * are never removed. Thread-safe; {@link #get} is lock-free and allocation-free.
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
