-- usagestats schema version 2 for H2 2.x: the schema version table, and
-- cache_creation_input_tokens (the part of input tokens written to a prompt cache) in the rollups.
-- ${prefix} is replaced by the configured table prefix (default usage_).
-- Every statement may run again without harm, so an interrupted upgrade can simply be rerun.
CREATE TABLE IF NOT EXISTS ${prefix}schema_version (
  version INT NOT NULL PRIMARY KEY,
  description VARCHAR(256) NOT NULL,
  applied_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL
);
INSERT INTO ${prefix}schema_version (version, description) SELECT 1, 'rollups'
  WHERE NOT EXISTS (SELECT 1 FROM ${prefix}schema_version WHERE version = 1);
ALTER TABLE ${prefix}rollup ADD COLUMN IF NOT EXISTS cache_creation_input_tokens BIGINT DEFAULT 0 NOT NULL;
INSERT INTO ${prefix}schema_version (version, description) SELECT 2, 'cache creation tokens'
  WHERE NOT EXISTS (SELECT 1 FROM ${prefix}schema_version WHERE version = 2);
