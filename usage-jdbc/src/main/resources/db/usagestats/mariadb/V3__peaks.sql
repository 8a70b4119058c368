-- usagestats schema version 3 for MariaDB 10.11+: peak rates in the rollups.
-- peak_calls and peak_tokens are the most calls, and the most input plus output tokens, in any one
-- UTC minute of a row's span. A minute row (grain 1) leaves them NULL: its peak is its own sums. A
-- 15-minute row holds the largest of its minutes'; NULL there means unknown (rows compacted before
-- this version, or kept per quarter hour while the store fell behind), and reports say so.
-- ${prefix} is replaced by the configured table prefix (default usage_).
-- Every statement may run again without harm (MariaDB commits each DDL statement on its own, so an
-- interrupted upgrade is finished by running it again). MySQL 8 has no ADD COLUMN IF NOT EXISTS:
-- there, drop "IF NOT EXISTS" from the ALTER TABLE statements and run the script once.
ALTER TABLE ${prefix}rollup ADD COLUMN IF NOT EXISTS peak_calls BIGINT NULL;
ALTER TABLE ${prefix}rollup ADD COLUMN IF NOT EXISTS peak_tokens BIGINT NULL;
INSERT IGNORE INTO ${prefix}schema_version (version, description) VALUES (3, 'peaks');
