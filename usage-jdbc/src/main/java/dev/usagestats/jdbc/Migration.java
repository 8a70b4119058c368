package dev.usagestats.jdbc;

/**
 * The schema versions, oldest first: one script per version per dialect, in the folder {@link
 * Dialect#migrationFolder()} names, as {@code V<version>__<name>.sql}. Adding a measure is a new
 * constant here and its three scripts. Each constant states its number rather than counting its
 * place, so a step can be renumbered without touching the others; numbers only grow. Immutable.
 */
enum Migration {
  /** The first released schema: rollup and ledger tables. */
  V1(1, "rollups"),
  /** The schema version table, and {@code cache_creation_input_tokens} in the rollups. */
  V2(2, "cache_creation_tokens"),
  /** {@code peak_calls} and {@code peak_tokens} in the rollups (NULL: minute rows, or unknown). */
  V3(3, "peaks"),
  /** The grid table (which hour and day rows are kept, and their lock), and an index by grain. */
  V4(4, "grids"),
  /** The latency table: histograms of duration and time to first token, appended per batch. */
  V5(5, "latency"),
  /** The model sums' marker: from when every series row is summed in its model's rows. */
  V6(6, "model_sums");

  /** The version this library writes and reads: the newest step's. */
  static final int CURRENT = values()[values().length - 1].version;

  static {
    for (int i = 1; i < values().length; i++) {
      if (values()[i].version <= values()[i - 1].version) {
        throw new AssertionError("migration versions must grow: " + values()[i]);
      }
    }
  }

  private final int version;
  private final String name;

  Migration(int version, String name) {
    this.version = version;
    this.name = name;
  }

  /** The version number: 1, 2, ... */
  int version() {
    return version;
  }

  /** The script's class-path resource in a dialect's script folder. */
  String resource(String folder) {
    return folder + "/V" + version + "__" + name + ".sql";
  }

  /**
   * What to run to get from version {@code found} to {@link #CURRENT}: "V5 script", "V2 to V5
   * scripts".
   */
  static String stepsAfter(int found) {
    for (Migration m : values()) {
      if (m.version > found && m.version < CURRENT) {
        return "V" + m.version + " to V" + CURRENT + " scripts";
      }
    }
    return "V" + CURRENT + " script";
  }
}
