package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Peaks while writers, flushes and queries run at once: every event falls in one UTC minute, which
 * the flusher drains in many parts, so each model's peak must end as the model's whole count in
 * that minute, and all usage's as the total. While it runs, no query may see a peak above what was
 * recorded, nor a model's peak that is not its minute's count so far.
 */
class PeakConcurrencyTest {
  private static final int WRITERS = 4;
  private static final int PER_WRITER = 250_000;

  @Test
  void peaks_minuteDrainedInManyPartsWhileQuerying_equalTheMinutesCounts() throws Exception {
    Instant minute = Instant.parse("2026-11-20T10:00:00Z");
    TestClock clock = TestClock.of(minute.plusSeconds(1));
    try (UsageStats stats =
        UsageStats.builder().clock(clock).flushInterval(Duration.ofMillis(2)).build()) {
      UsageQuery byModel =
          UsageQuery.builder()
              .from(minute.minus(Duration.ofHours(1)))
              .to(minute.plus(Duration.ofHours(1)))
              .granularity(Granularity.HOUR)
              .build();
      AtomicBoolean done = new AtomicBoolean();
      List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int id = w;
        writers.add(
            new Thread(
                () -> {
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  for (int i = 0; i < PER_WRITER; i++) {
                    stats.record("t", "key-" + (i % 5), "m-" + ((i + id) & 1), 3, 4);
                  }
                }));
      }
      Thread reader =
          new Thread(
              () -> {
                while (!done.get()) {
                  UsageReport r = stats.query(byModel);
                  for (TrendSeries s : r.series()) {
                    long calls = s.points().stream().mapToLong(TrendPoint::calls).sum();
                    if (s.peaks().callsPerMinute() != calls) {
                      problems.add(s.model() + ": peak " + s.peaks() + " calls " + calls);
                    }
                    if (s.peaks().tokensPerMinute() != 7 * calls) {
                      problems.add(s.model() + ": peak tokens " + s.peaks() + " calls " + calls);
                    }
                  }
                  if (r.peaks().callsPerMinute() != r.totals().calls()) {
                    problems.add("all: " + r.peaks() + " calls " + r.totals().calls());
                  }
                }
              });
      writers.forEach(Thread::start);
      reader.start();
      go.countDown();
      for (Thread t : writers) t.join();
      done.set(true);
      reader.join();
      stats.flush();
      UsageReport r = stats.query(byModel);
      long total = (long) WRITERS * PER_WRITER;
      assertThat(problems).isEmpty();
      assertThat(r.totals().calls()).isEqualTo(total);
      assertThat(r.peaks()).isEqualTo(new Peaks(total, 7 * total, PeakAccuracy.EXACT));
      assertThat(r.series()).hasSize(2);
      for (TrendSeries s : r.series()) {
        assertThat(s.peaks()).isEqualTo(new Peaks(total / 2, 7 * total / 2, PeakAccuracy.EXACT));
      }
    }
  }
}
