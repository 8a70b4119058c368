package dev.usagestats.benchmarks;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A UTC clock that a daemon thread refreshes about once a millisecond, so that reading it is one
 * volatile load instead of a {@code clock_gettime} call. Diagnostic only: it measures what the
 * engine's record path would cost if it did not read the system clock per event (see {@code
 * BENCHMARKS.md}).
 */
final class TickerClock extends Clock implements AutoCloseable {
  private volatile long millis = System.currentTimeMillis();
  private volatile boolean running = true;
  private final Thread ticker;

  TickerClock() {
    ticker =
        new Thread(
            () -> {
              while (running) {
                millis = System.currentTimeMillis();
                try {
                  Thread.sleep(1);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "ticker-clock");
    ticker.setDaemon(true);
    ticker.start();
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

  @Override
  public void close() {
    running = false;
    ticker.interrupt();
  }
}
