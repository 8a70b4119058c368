package dev.usagestats.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.event.EventRecordingLogger;
import org.slf4j.event.Level;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.SubstituteLogger;

class RateLimitedLogTest {
  private static final long MINUTE = 60_000_000_000L;

  private final Queue<SubstituteLoggingEvent> events = new ConcurrentLinkedQueue<>();
  private final AtomicLong now = new AtomicLong(-5); // nanoTime may be negative
  private final RateLimitedLog log =
      new RateLimitedLog(
          new EventRecordingLogger(new SubstituteLogger("test", events, false), events),
          MINUTE,
          now::get);

  @Test
  void warn_first_logsAtOnce() {
    IllegalStateException e = new IllegalStateException("backend gone");

    assertThat(log.warn("meter failed", e)).isTrue();

    assertThat(events).hasSize(1);
    SubstituteLoggingEvent event = events.peek();
    assertThat(event.getLevel()).isEqualTo(Level.WARN);
    assertThat(event.getMessage()).isEqualTo("meter failed");
    assertThat(event.getThrowable()).isSameAs(e);
  }

  @Test
  void warn_withinInterval_countedAndNamedInTheNextMessage() {
    RuntimeException e = new RuntimeException("x");
    assertThat(log.warn("first", e)).isTrue();
    for (int i = 0; i < 7; i++) {
      now.addAndGet(MINUTE / 10);
      assertThat(log.warn("again", e)).isFalse();
    }
    now.addAndGet(MINUTE - 7 * (MINUTE / 10));

    assertThat(log.warn("later", e)).isTrue();
    assertThat(log.warn("at once after", e)).isFalse();

    assertThat(texts()).containsExactly("first", "later (7 similar failures not logged)");
  }

  @Test
  void warn_manyThreads_oneLogsPerInterval() throws Exception {
    AtomicInteger logged = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  if (log.warn("failed", null)) logged.incrementAndGet();
                }
              }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) t.join();

    assertThat(logged).hasValue(1);
    now.addAndGet(MINUTE);
    assertThat(log.warn("failed", null)).isTrue();
    // Every failure is either logged or counted in a later line: a thread counting its failure
    // while the winner logs may land in the first line's count or the next one's.
    List<String> texts = texts();
    assertThat(texts).hasSize(2);
    assertThat(suppressedIn(texts.get(0)) + suppressedIn(texts.get(1))).isEqualTo(39_999);
  }

  private static long suppressedIn(String text) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("failed(?: \\((\\d+) similar failures not logged\\))?")
            .matcher(text);
    assertThat(m.matches()).as(text).isTrue();
    return m.group(1) == null ? 0 : Long.parseLong(m.group(1));
  }

  private List<String> texts() {
    return events.stream()
        .map(e -> MessageFormatter.basicArrayFormat(e.getMessage(), e.getArgumentArray()))
        .toList();
  }
}
