-- usagestats schema version 3 for PostgreSQL 15+: peak rates in the rollups.
-- peak_calls and peak_tokens are the most calls, and the most input plus output tokens, in any one
-- UTC minute of a row's span. A minute row (grain 1) leaves them NULL: its peak is its own sums. A
-- 15-minute row holds the largest of its minutes'; NULL there means unknown (rows compacted before
-- this version, or kept per quarter hour while the store fell behind), and reports say so.
-- ${prefix} is replaced by the configured table prefix (default usage_).
-- Every statement may run again without harm, so an interrupted upgrade can simply be rerun.
ALTER TABLE ${prefix}rollup ADD COLUMN IF NOT EXISTS peak_calls BIGINT NULL;
ALTER TABLE ${prefix}rollup ADD COLUMN IF NOT EXISTS peak_tokens BIGINT NULL;
INSERT INTO ${prefix}schema_version (version, description) VALUES (3, 'peaks')
  ON CONFLICT (version) DO NOTHING;
