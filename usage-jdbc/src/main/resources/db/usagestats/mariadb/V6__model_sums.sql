-- usagestats schema version 6 for MariaDB 10.11+: model sums, the rows a report over all keys reads.
-- Beside each series' rows the store keeps, per model, a row of the sums of all that model's
-- series (tenant and api_key one space, model the model's name) and one of all usage (all three
-- one space), in every grain, written in the transaction of the series rows they sum: the store
-- forms them from each batch it appends (version 3's engines already sent them, for peaks). A
-- report with no tenant or API key filter, grouped by model or not at all, reads only them.
-- complete_from: the first second (epoch, UTC) from which every stored series row is summed in
-- them. A store created at this version holds them from the start; an upgraded one from two UTC
-- days after its first all-usage row (written by version 3's engines on), or, with none, from a day
-- after its newest row. Reads that start earlier read the series rows, as before. Rows written
-- outside append (a bulk import in SQL) must write the sums too, or move complete_from past them.
-- The model sums' series_hash is two zero bytes and the first 14 of the SHA-256, so a span's model
-- sums lie together in the primary key, by which InnoDB clusters the rows. The tenant index gains
-- the grain, (tenant, grain, bucket_start), so a read of the model sums (tenant one space) or of
-- one tenant takes exactly the rows of each grain its plan names; it replaces (tenant,
-- bucket_start), which every tenant read can take it for. MariaDB has no partial indexes.
-- ${prefix} is replaced by the configured table prefix (default usage_).
-- Every statement may run again without harm, so an interrupted upgrade can simply be rerun.
CREATE TABLE IF NOT EXISTS ${prefix}model_sums (
  id SMALLINT NOT NULL PRIMARY KEY,
  complete_from BIGINT NOT NULL
) ENGINE=InnoDB;
INSERT IGNORE INTO ${prefix}model_sums (id, complete_from)
  SELECT 0, CASE
    WHEN NOT EXISTS (SELECT 1 FROM ${prefix}rollup) THEN -4611686018427387904
    WHEN EXISTS (SELECT 1 FROM ${prefix}rollup WHERE tenant = ' ' AND api_key = ' ' AND model = ' ')
      THEN (SELECT (MIN(bucket_start) DIV 86400 + 2) * 86400 FROM ${prefix}rollup
        WHERE tenant = ' ' AND api_key = ' ' AND model = ' ')
    ELSE (SELECT MAX(bucket_start) + 86400 FROM ${prefix}rollup)
  END;
CREATE INDEX IF NOT EXISTS ${prefix}rollup_tenant_grain ON ${prefix}rollup (tenant, grain, bucket_start);
DROP INDEX IF EXISTS ${prefix}rollup_tenant ON ${prefix}rollup;
INSERT IGNORE INTO ${prefix}schema_version (version, description) VALUES (6, 'model sums');
