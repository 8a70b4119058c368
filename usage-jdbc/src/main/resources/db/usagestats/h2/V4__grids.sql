-- usagestats schema version 4 for H2 2.x: hour and day rows beside the 15-minute rows.
-- The grid table lists which coarse rows the store keeps: grain 60 (hour rows) or 1440 (day rows),
-- and anchor, the second after each UTC hour or day at which their spans start (0: UTC's own; New
-- York's winter days start at 05:00 UTC, 18000). Such a row holds the sums of the 15-minute rows
-- of its span; stores add grids (and build their rows) on start, for their reportZones.
-- The row (0, 0) is the lock that keeps grids and 15-minute rows in step: writers of 15-minute
-- rows lock it, a grid's registration updates it (added_at counts registrations).
-- The index on (grain, bucket_start) lets a read fetch one grain's rows of a span directly.
-- ${prefix} is replaced by the configured table prefix (default usage_).
-- Every statement may run again without harm, so an interrupted upgrade can simply be rerun.
CREATE TABLE IF NOT EXISTS ${prefix}grid (
  grain SMALLINT NOT NULL,
  anchor INTEGER NOT NULL,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (grain, anchor)
);
INSERT INTO ${prefix}grid (grain, anchor, added_at) SELECT 0, 0, 0
  WHERE NOT EXISTS (SELECT 1 FROM ${prefix}grid WHERE grain = 0 AND anchor = 0);
CREATE INDEX IF NOT EXISTS ${prefix}rollup_grain ON ${prefix}rollup (grain, bucket_start);
INSERT INTO ${prefix}schema_version (version, description) SELECT 4, 'grids'
  WHERE NOT EXISTS (SELECT 1 FROM ${prefix}schema_version WHERE version = 4);
