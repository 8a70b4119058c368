package dev.usagestats.internal;

import dev.usagestats.Outcome;
import dev.usagestats.SeriesKey;
import dev.usagestats.UsageListener.SeriesListener;
import dev.usagestats.UsageSeries;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One series' live cells: for each of the two phases, a few minute slots, each striped by thread.
 * Writers add into the active phase between {@link PhaseGate#enter} and {@link PhaseGate#exit}; the
 * drainer reads and zeroes the quiescent phase. Also the bound handle.
 */
final class Series implements UsageSeries {
  /** Minute slots per phase: the current minute, the one before, and one for a late event. */
  static final int SLOTS = 3;

  static final int CALLS = 0;
  static final int ERRORS = 1;
  static final int INPUT = 2;
  static final int OUTPUT = 3;
  static final int CACHED = 4;
  static final int REASONING = 5;
  static final int FIELDS = 6;

  // longs per (slot, stripe): two cache lines, so the six hot counters of neighbouring stripes
  // never
  // share a line wherever the array happens to start
  private static final int STRIDE = 16;
  private static final long EMPTY = Long.MIN_VALUE;

  final SeriesKey key;

  /** The names and their combined hash, held here so a lookup reads no other object first. */
  final int hash;

  private final String tenant;
  private final String apiKey;
  private final String model;
  final int id;
  final boolean overflow;
  final SeriesListener[] listeners;
  private final Engine engine;
  private final int stripes;
  private final AtomicLongArray slotMinutes = new AtomicLongArray(2 * SLOTS);
  private final AtomicLongArray cells;

  Series(Engine engine, SeriesKey key, int id, int stripes, SeriesListener[] listeners) {
    this.engine = engine;
    this.key = key;
    this.tenant = key.tenant();
    this.apiKey = key.apiKey();
    this.model = key.model();
    this.hash = SeriesIndex.hash(tenant, apiKey, model);
    this.id = id;
    this.overflow = key.isOverflow();
    this.stripes = stripes;
    this.listeners = listeners;
    this.cells = new AtomicLongArray(2 * SLOTS * stripes * STRIDE);
    for (int i = 0; i < 2 * SLOTS; i++) slotMinutes.set(i, EMPTY);
  }

  boolean matches(int hash, String tenant, String apiKey, String model) {
    return this.hash == hash
        && this.model.equals(model)
        && this.apiKey.equals(apiKey)
        && this.tenant.equals(tenant);
  }

  /**
   * Adds one event's counts into a minute slot of the given phase. Must run inside the gate.
   *
   * @return false if every slot of the phase holds another minute (the caller spills)
   */
  boolean add(
      int phase,
      int stripe,
      long minute,
      long errors,
      long input,
      long output,
      long cached,
      long reasoning) {
    int slot = slotFor(phase, minute);
    if (slot < 0) return false;
    int base = ((phase * SLOTS + slot) * stripes + stripe) * STRIDE;
    AtomicLongArray c = cells;
    c.getAndIncrement(base + CALLS);
    if (errors != 0) c.getAndAdd(base + ERRORS, errors);
    if (input != 0) c.getAndAdd(base + INPUT, input);
    if (output != 0) c.getAndAdd(base + OUTPUT, output);
    if (cached != 0) c.getAndAdd(base + CACHED, cached);
    if (reasoning != 0) c.getAndAdd(base + REASONING, reasoning);
    return true;
  }

  private int slotFor(int phase, long minute) {
    int first = phase * SLOTS;
    for (int i = first; i < first + SLOTS; i++) {
      long m = slotMinutes.get(i);
      if (m == minute) return i - first;
      if (m == EMPTY) {
        if (slotMinutes.compareAndSet(i, EMPTY, minute) || slotMinutes.get(i) == minute) {
          return i - first;
        }
      }
    }
    return -1;
  }

  /** Moves the quiescent phase's counts to the sink and zeroes them. Drainer only. */
  void drain(int phase, long[] scratch, DeltaSink sink) {
    for (int slot = 0; slot < SLOTS; slot++) {
      int si = phase * SLOTS + slot;
      long minute = slotMinutes.get(si);
      if (minute == EMPTY) continue;
      java.util.Arrays.fill(scratch, 0);
      for (int stripe = 0; stripe < stripes; stripe++) {
        int base = (si * stripes + stripe) * STRIDE;
        for (int f = 0; f < FIELDS; f++) {
          long v = cells.get(base + f);
          if (v != 0) {
            scratch[f] += v;
            cells.set(base + f, 0);
          }
        }
      }
      slotMinutes.set(si, EMPTY);
      sink.accept(this, minute * 60_000L, scratch);
    }
  }

  @Override
  public SeriesKey key() {
    return key;
  }

  @Override
  public void record(long inputTokens, long outputTokens) {
    engine.recordNow(this, inputTokens, outputTokens, 0, 0, Outcome.SUCCESS);
  }

  @Override
  public void record(
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long reasoningTokens,
      Outcome outcome) {
    engine.recordNow(this, inputTokens, outputTokens, cachedInputTokens, reasoningTokens, outcome);
  }

  @Override
  public String toString() {
    return "UsageSeries" + key;
  }

  /** Receives drained counts: one series, one minute (epoch millis), six fields. */
  interface DeltaSink {
    void accept(Series series, long minuteMillis, long[] fields);
  }
}
