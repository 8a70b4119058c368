-- usagestats rollups and flush ledger for MariaDB 10.11+ / MySQL 8 (InnoDB, utf8mb4, binary NO PAD collation
-- without trailing-space padding, so names compare exactly as stored).
-- ${prefix} is replaced by the configured table prefix (default usage_).
-- bucket_start: epoch seconds (UTC) of the bucket's first instant; grain: bucket length in minutes (1 or 15).
-- series_hash: first 16 bytes of SHA-256(tenant NUL api_key NUL model), UTF-8.
CREATE TABLE IF NOT EXISTS ${prefix}rollup (
  bucket_start BIGINT NOT NULL,
  series_hash BINARY(16) NOT NULL,
  grain SMALLINT NOT NULL,
  tenant VARCHAR(256) NOT NULL,
  api_key VARCHAR(256) NOT NULL,
  model VARCHAR(256) NOT NULL,
  calls BIGINT NOT NULL,
  errors BIGINT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cached_input_tokens BIGINT NOT NULL,
  reasoning_tokens BIGINT NOT NULL,
  PRIMARY KEY (bucket_start, series_hash, grain),
  INDEX ${prefix}rollup_tenant (tenant, bucket_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
CREATE TABLE IF NOT EXISTS ${prefix}ledger (
  batch_id VARCHAR(128) NOT NULL PRIMARY KEY,
  node_id VARCHAR(256) NOT NULL,
  applied_at BIGINT NOT NULL,
  INDEX ${prefix}ledger_applied (applied_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
