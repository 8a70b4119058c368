package dev.usagestats.jdbc;

/**
 * The schema versions, oldest first: one script per version per dialect, in the folder {@link
 * Dialect#migrationFolder()} names, as {@code V<version>__<name>.sql}. Adding a measure is a new
 * constant here and its three scripts. Immutable.
 */
enum Migration {
  /** The first released schema: rollup and ledger tables. */
  V1("rollups"),
  /** The schema version table, and {@code cache_creation_input_tokens} in the rollups. */
  V2("cache_creation_tokens"),
  /** {@code peak_calls} and {@code peak_tokens} in the rollups (NULL: minute rows, or unknown). */
  V3("peaks"),
  /** The grid table (which hour and day rows are kept, and their lock), and an index by grain. */
  V4("grids");

  /** The version this library writes and reads. */
  static final int CURRENT = values().length;

  private final String name;

  Migration(String name) {
    this.name = name;
  }

  /** The version number: 1, 2, ... */
  int version() {
    return ordinal() + 1;
  }

  /** The script's class-path resource in a dialect's script folder. */
  String resource(String folder) {
    return folder + "/V" + version() + "__" + name + ".sql";
  }
}
