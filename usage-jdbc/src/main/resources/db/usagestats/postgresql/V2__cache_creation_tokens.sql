-- usagestats schema version 2 for PostgreSQL 15+: the schema version table, and
-- cache_creation_input_tokens (the part of input tokens written to a prompt cache) in the rollups.
-- ${prefix} is replaced by the configured table prefix (default usage_).
-- Every statement may run again without harm, so an interrupted upgrade can simply be rerun.
CREATE TABLE IF NOT EXISTS ${prefix}schema_version (
  version INT NOT NULL PRIMARY KEY,
  description VARCHAR(256) NOT NULL,
  applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO ${prefix}schema_version (version, description) VALUES (1, 'rollups')
  ON CONFLICT (version) DO NOTHING;
ALTER TABLE ${prefix}rollup ADD COLUMN IF NOT EXISTS cache_creation_input_tokens BIGINT NOT NULL DEFAULT 0;
INSERT INTO ${prefix}schema_version (version, description) VALUES (2, 'cache creation tokens')
  ON CONFLICT (version) DO NOTHING;
