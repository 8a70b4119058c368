package dev.usagestats;

/**
 * One model's part of a report: its totals and its share of all tokens and calls.
 *
 * @param model the model name
 * @param totals the model's totals over the report's range and filters
 * @param tokenShare the model's total tokens over all total tokens, 0 to 1 (0 when there are none)
 * @param callShare the model's calls over all calls, 0 to 1 (0 when there are none)
 */
public record ModelShare(String model, UsageTotals totals, double tokenShare, double callShare) {}
