package dev.usagestats.examples;

import dev.usagestats.Outcome;
import dev.usagestats.UsageEvent;
import dev.usagestats.UsageTotals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The naive reference: a plain list of every event a test recorded, summed by a loop. The API and
 * the page must show exactly these numbers.
 */
final class Reference {
  private final List<UsageEvent> events = new ArrayList<>();

  void add(UsageEvent e) {
    events.add(e);
  }

  /** Totals of the events in {@code [from, to)} that match. */
  UsageTotals sum(Instant from, Instant to, Predicate<UsageEvent> filter) {
    UsageTotals t = UsageTotals.empty();
    for (UsageEvent e : events) {
      if (e.timestamp().isBefore(from) || !e.timestamp().isBefore(to) || !filter.test(e)) continue;
      t =
          t.plus(
              new UsageTotals(
                  1,
                  e.outcome() == Outcome.ERROR ? 1 : 0,
                  e.inputTokens(),
                  e.outputTokens(),
                  e.cachedInputTokens(),
                  e.cacheCreationInputTokens(),
                  e.reasoningTokens()));
    }
    return t;
  }

  static Predicate<UsageEvent> all() {
    return e -> true;
  }

  static Predicate<UsageEvent> model(String model) {
    return e -> e.model().equals(model);
  }

  static Predicate<UsageEvent> key(String apiKey) {
    return e -> e.apiKey().equals(apiKey);
  }
}
