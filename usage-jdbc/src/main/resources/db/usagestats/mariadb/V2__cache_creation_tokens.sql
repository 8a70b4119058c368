-- usagestats schema version 2 for MariaDB 10.11+: the schema version table, and
-- cache_creation_input_tokens (the part of input tokens written to a prompt cache) in the rollups.
-- ${prefix} is replaced by the configured table prefix (default usage_).
-- Every statement may run again without harm (MariaDB commits each DDL statement on its own, so an
-- interrupted upgrade is finished by running it again). MySQL 8 has no ADD COLUMN IF NOT EXISTS:
-- there, drop "IF NOT EXISTS" from the ALTER TABLE and run the script once.
CREATE TABLE IF NOT EXISTS ${prefix}schema_version (
  version INT NOT NULL PRIMARY KEY,
  description VARCHAR(256) NOT NULL,
  applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
INSERT IGNORE INTO ${prefix}schema_version (version, description) VALUES (1, 'rollups');
ALTER TABLE ${prefix}rollup ADD COLUMN IF NOT EXISTS cache_creation_input_tokens BIGINT NOT NULL DEFAULT 0;
INSERT IGNORE INTO ${prefix}schema_version (version, description) VALUES (2, 'cache creation tokens');
