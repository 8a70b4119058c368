package dev.usagestats.benchmarks;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock that setup code moves by hand. Thread-safe. */
final class MutableClock extends Clock {
  private volatile long millis;

  MutableClock(Instant start) {
    this.millis = start.toEpochMilli();
  }

  void set(long epochMillis) {
    millis = epochMillis;
  }

  @Override
  public long millis() {
    return millis;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("withZone");
  }
}
