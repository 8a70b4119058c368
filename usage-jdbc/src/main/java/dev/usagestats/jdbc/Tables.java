package dev.usagestats.jdbc;

import dev.usagestats.spi.Measure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The names a store's SQL uses: its five tables (after the configured prefix), the rollup columns
 * in the one order every statement writes and reads them (the key and names first, then one column
 * per {@link Measure}, in {@link Measure#ordinal()} order), and the latency table's columns.
 *
 * <p>Built once per store by {@link JdbcUsageStore.Builder}; immutable, so shared freely between
 * threads.
 *
 * @param prefix the table prefix, already checked against {@code [A-Za-z_][A-Za-z0-9_]{0,47}}
 */
record Tables(String prefix) {
  /** The key and name columns of a rollup row, before the measures. */
  static final List<String> KEY_COLUMNS =
      List.of("bucket_start", "series_hash", "grain", "tenant", "api_key", "model");

  /**
   * The latency table's columns: the rollup key, the part ({@code part_id}), the names, the two
   * encoded histograms and the two sums. See {@link LatencyTable}.
   */
  static final List<String> LATENCY_COLUMNS =
      List.of(
          "bucket_start",
          "series_hash",
          "grain",
          "part_id",
          "tenant",
          "api_key",
          "model",
          "duration_histogram",
          "first_token_histogram",
          "streamed_output_tokens",
          "generation_millis");

  /** Every rollup column, key first, then the measures. */
  static final List<String> COLUMNS = columns();

  /** Index (0-based) of the first measure in {@link #COLUMNS}. */
  static final int FIRST_MEASURE = KEY_COLUMNS.size();

  /**
   * Every grain a rollup row may have, in minutes: minute rows, 15-minute rows, and the hour and
   * day rows of the grids ({@link Grid}).
   */
  static final List<Integer> GRAINS = List.of(1, 15, Grid.HOUR, Grid.DAY);

  /** The rollup table. */
  String rollup() {
    return prefix + "rollup";
  }

  /** The flush ledger table. */
  String ledger() {
    return prefix + "ledger";
  }

  /** The grid table (from schema version 4 on): which hour and day rows are kept. */
  String grid() {
    return prefix + "grid";
  }

  /** The latency table (from schema version 5 on). */
  String latency() {
    return prefix + "latency";
  }

  /**
   * The model sums' marker table (from schema version 6 on): from which second every series row is
   * summed in its model's rows.
   */
  String modelSums() {
    return prefix + "model_sums";
  }

  /** The schema version table (from schema version 2 on). */
  String version() {
    return prefix + "schema_version";
  }

  /** {@code a, b, c}: the names joined by commas, each after {@code qualifier} if not empty. */
  static String list(List<String> names, String qualifier) {
    StringBuilder sb = new StringBuilder();
    for (String n : names) {
      if (sb.length() > 0) sb.append(", ");
      sb.append(qualifier).append(n);
    }
    return sb.toString();
  }

  /** The measure columns. */
  static List<String> measureColumns() {
    return COLUMNS.subList(FIRST_MEASURE, COLUMNS.size());
  }

  private static List<String> columns() {
    List<String> c = new ArrayList<>(KEY_COLUMNS);
    for (Measure m : Measure.all()) c.add(m.column());
    return Collections.unmodifiableList(c);
  }
}
