-- Place search (internal/api, query "search") matches names by substring at
-- every level; without an index that is a scan of 83,246 village names per
-- keystroke (~50 ms). Trigram indexes answer ILIKE '%text%' for three
-- characters and more. pg_trgm ships with PostgreSQL and is a trusted
-- extension: a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX desa_name_trgm_ix      ON desa      USING gin (name gin_trgm_ops);
CREATE INDEX kecamatan_name_trgm_ix ON kecamatan USING gin (name gin_trgm_ops);
CREATE INDEX kabupaten_name_trgm_ix ON kabupaten USING gin (name gin_trgm_ops);
-- The same search matches code prefixes ("21.71"); the primary keys cannot
-- serve LIKE 'x%' under a non-C collation, and without an index on both sides
-- of the OR the planner falls back to a scan.
CREATE INDEX desa_code_prefix_ix      ON desa      (code text_pattern_ops);
CREATE INDEX kecamatan_code_prefix_ix ON kecamatan (code text_pattern_ops);
CREATE INDEX kabupaten_code_prefix_ix ON kabupaten (code text_pattern_ops);
