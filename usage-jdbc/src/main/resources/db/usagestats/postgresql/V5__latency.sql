-- usagestats schema version 5 for PostgreSQL 15+: latency histograms, in a table of their own.
-- Histograms cannot be added by an SQL upsert, so latency rows are appended, one per
-- (bucket_start, series_hash, grain) and part: part_id is the first 16 bytes of SHA-256 over the
-- flush batch id (UTF-8), or random for a row compaction wrote. A batch inserts its rows in the
-- transaction of its ledger row, so a retried batch adds nothing twice. Reads merge the rows of a
-- bucket; compaction folds the rows of a series in a quarter hour into one.
-- duration_histogram and first_token_histogram hold LatencyHistogram.encode() (NULL: no value);
-- streamed_output_tokens and generation_millis are sums over the calls with a time to first token.
-- Only calls recorded with latency have rows: rollup rows written before this version have none,
-- and read with empty latency.
-- ${prefix} is replaced by the configured table prefix (default usage_).
-- Self-contained (it creates its own table), and every statement may run again without harm.
CREATE TABLE IF NOT EXISTS ${prefix}latency (
  bucket_start BIGINT NOT NULL,
  series_hash BYTEA NOT NULL,
  grain SMALLINT NOT NULL,
  part_id BYTEA NOT NULL,
  tenant VARCHAR(256) NOT NULL,
  api_key VARCHAR(256) NOT NULL,
  model VARCHAR(256) NOT NULL,
  duration_histogram BYTEA NULL,
  first_token_histogram BYTEA NULL,
  streamed_output_tokens BIGINT NOT NULL,
  generation_millis BIGINT NOT NULL,
  PRIMARY KEY (bucket_start, series_hash, grain, part_id)
);
CREATE INDEX IF NOT EXISTS ${prefix}latency_tenant ON ${prefix}latency (tenant, bucket_start);
CREATE INDEX IF NOT EXISTS ${prefix}latency_grain ON ${prefix}latency (grain, bucket_start);
INSERT INTO ${prefix}schema_version (version, description) VALUES (5, 'latency')
  ON CONFLICT (version) DO NOTHING;
