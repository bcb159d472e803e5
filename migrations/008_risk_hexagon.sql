-- Hexagon geometry leaves the per-run cell table (risk_hex) for a table of
-- its own, risk_hexagon, one row per H3 cell ever used, written once.
--
-- Why: an H3 cell's hexagon depends only on its index, never on a run, yet
-- every national compute drew 465,000 hexagons in Go (1.8 s of CPU), had
-- PostGIS parse them in the COPY and built a GiST over them (1.3 s): about a
-- quarter of a compute's time, spent rewriting the same shapes each month.
-- Now a compute writes only the hexagons that are missing (all of them the
-- first time, none after), and a run's table holds the numbers alone.
--
-- Readers: risk_cell keeps its geom and geom_3857 columns, looked up here by
-- (res, h3) only when a query asks for them (single cells, briefs, GIS
-- clients); the risk tile query finds the tile's hexagons by this table's
-- GiST and joins the run's cells by primary key.

CREATE TABLE risk_hexagon (
    res       smallint NOT NULL,
    h3        bigint NOT NULL,
    geom_3857 geometry(Polygon, 3857) NOT NULL,
    PRIMARY KEY (res, h3)
) PARTITION BY LIST (res);
-- One partition per resolution the engine stores (analysis 5..9 and its
-- parents), so a tile at one resolution searches that resolution's GiST only:
-- a low-zoom tile must not walk the res-9 hexagons under it.
CREATE TABLE risk_hexagon_r5 PARTITION OF risk_hexagon FOR VALUES IN (5);
CREATE TABLE risk_hexagon_r6 PARTITION OF risk_hexagon FOR VALUES IN (6);
CREATE TABLE risk_hexagon_r7 PARTITION OF risk_hexagon FOR VALUES IN (7);
CREATE TABLE risk_hexagon_r8 PARTITION OF risk_hexagon FOR VALUES IN (8);
CREATE TABLE risk_hexagon_r9 PARTITION OF risk_hexagon FOR VALUES IN (9);

INSERT INTO risk_hexagon (res, h3, geom_3857)
SELECT DISTINCT ON (res, h3) res, h3, geom_3857 FROM risk_hex ORDER BY res, h3;
CREATE INDEX risk_hexagon_gix ON risk_hexagon USING gist (geom_3857);

-- The per-cell number arrays (factor values, each kind's contributions) are
-- stored packed: bytea of big-endian float32s, 4 bytes a value, in factor
-- order (risk_factor.ord), which is what float4send writes. As real[], the
-- COPY parsed 39 array elements a row one receive call at a time: half of
-- the server's COPY time (measured 2.9 s against 1.5 s a national run).
-- Programs read the packed columns (the *_f4 columns of risk_cell) and
-- unpack them themselves; for SQL users risk_cell still shows real[],
-- unpacked by waspada_f4_unpack when a query asks for it.
CREATE FUNCTION waspada_f4_pack(a real[]) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(float4send(v), ''::bytea ORDER BY i), ''::bytea)
    FROM unnest(a) WITH ORDINALITY u(v, i)
$$;

-- IEEE 754 single precision by hand (SQL has no cast from bits to real):
-- sign, 8-bit exponent, 23-bit fraction; exponent 0 is zero or subnormal,
-- 255 infinity or NaN. Every result is exact in double precision.
CREATE FUNCTION waspada_f4_unpack(b bytea) RETURNS real[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(CASE
               WHEN e = 255 AND m = 0 THEN CASE WHEN s = 1 THEN '-Infinity'::real ELSE 'Infinity'::real END
               WHEN e = 255 THEN 'NaN'::real
               WHEN e = 0 THEN (sg * m * power(2::float8, -149))::real
               ELSE (sg * (1 + m / 8388608.0::float8) * power(2::float8, e - 127))::real
           END ORDER BY i), '{}')
    FROM (SELECT i, (bits >> 31) & 1 AS s, CASE WHEN bits >> 31 = 1 THEN -1::float8 ELSE 1::float8 END AS sg,
                 (bits >> 23) & 255 AS e, bits & 8388607 AS m
          FROM (SELECT i, (get_byte(b, 4 * i)::bigint << 24) | (get_byte(b, 4 * i + 1) << 16)
                          | (get_byte(b, 4 * i + 2) << 8) | get_byte(b, 4 * i + 3) AS bits
                FROM generate_series(0, length(b) / 4 - 1) i) w) f
$$;

-- risk_cell with the geometry from risk_hexagon. The scalar subqueries (and
-- the unpacking) run only for queries that select those columns: the others
-- (scores, rankings, exports) read risk_hex alone, as before.
DROP VIEW risk_cell;
ALTER TABLE risk_hex DROP COLUMN geom_3857;
ALTER TABLE risk_hex
    ALTER COLUMN factor_values TYPE bytea USING waspada_f4_pack(factor_values),
    ALTER COLUMN tppo_contrib TYPE bytea USING waspada_f4_pack(tppo_contrib),
    ALTER COLUMN pmi_contrib TYPE bytea USING waspada_f4_pack(pmi_contrib);
COMMENT ON COLUMN risk_hex.factor_values IS 'raw factor values, big-endian float32 each, in risk_factor.ord order (waspada_f4_unpack)';
COMMENT ON COLUMN risk_hex.tppo_contrib IS 'log-contribution of each factor to tppo_score, big-endian float32 each (waspada_f4_unpack)';
COMMENT ON COLUMN risk_hex.pmi_contrib IS 'log-contribution of each factor to pmi_score, big-endian float32 each (waspada_f4_unpack)';
CREATE VIEW risk_cell AS
    SELECT run_id, 'tppo'::text AS kind, res, h3, tppo_score AS score, tppo_gi_z AS gi_z, tppo_gi_p AS gi_p,
           tppo_gi_bin AS gi_bin, kabupaten_code,
           waspada_f4_unpack(factor_values) AS factor_values, waspada_f4_unpack(tppo_contrib) AS contrib,
           (SELECT ST_Transform(g.geom_3857, 4326)::geometry(Polygon, 4326) FROM risk_hexagon g
             WHERE g.res = c.res AND g.h3 = c.h3) AS geom,
           (SELECT g.geom_3857 FROM risk_hexagon g WHERE g.res = c.res AND g.h3 = c.h3) AS geom_3857,
           factor_values AS factor_values_f4, tppo_contrib AS contrib_f4
    FROM risk_hex c WHERE tppo_score IS NOT NULL
    UNION ALL
    SELECT run_id, 'pmi'::text AS kind, res, h3, pmi_score, pmi_gi_z, pmi_gi_p,
           pmi_gi_bin, kabupaten_code,
           waspada_f4_unpack(factor_values), waspada_f4_unpack(pmi_contrib),
           (SELECT ST_Transform(g.geom_3857, 4326)::geometry(Polygon, 4326) FROM risk_hexagon g
             WHERE g.res = c.res AND g.h3 = c.h3),
           (SELECT g.geom_3857 FROM risk_hexagon g WHERE g.res = c.res AND g.h3 = c.h3),
           factor_values, pmi_contrib
    FROM risk_hex c WHERE pmi_score IS NOT NULL;

-- INSERT INTO risk_cell (test fixtures, tools) sets one kind's columns of the
-- cell's risk_hex row and records its hexagon when given and not yet known.
CREATE OR REPLACE FUNCTION waspada_risk_cell_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    g geometry := coalesce(NEW.geom_3857, ST_Transform(NEW.geom, 3857));
    fv bytea := coalesce(NEW.factor_values_f4, waspada_f4_pack(NEW.factor_values));
    cb bytea := coalesce(NEW.contrib_f4, waspada_f4_pack(NEW.contrib));
BEGIN
    IF g IS NOT NULL THEN
        INSERT INTO risk_hexagon (res, h3, geom_3857) VALUES (NEW.res, NEW.h3, g)
        ON CONFLICT (res, h3) DO NOTHING;
    END IF;
    IF NEW.kind = 'tppo' THEN
        INSERT INTO risk_hex (run_id, res, h3, kabupaten_code, factor_values,
                              tppo_score, tppo_gi_z, tppo_gi_p, tppo_gi_bin, tppo_contrib)
        VALUES (NEW.run_id, NEW.res, NEW.h3, NEW.kabupaten_code, fv,
                NEW.score, NEW.gi_z, NEW.gi_p, NEW.gi_bin, cb)
        ON CONFLICT (run_id, res, h3) DO UPDATE SET
            tppo_score = EXCLUDED.tppo_score, tppo_gi_z = EXCLUDED.tppo_gi_z, tppo_gi_p = EXCLUDED.tppo_gi_p,
            tppo_gi_bin = EXCLUDED.tppo_gi_bin, tppo_contrib = EXCLUDED.tppo_contrib;
    ELSIF NEW.kind = 'pmi' THEN
        INSERT INTO risk_hex (run_id, res, h3, kabupaten_code, factor_values,
                              pmi_score, pmi_gi_z, pmi_gi_p, pmi_gi_bin, pmi_contrib)
        VALUES (NEW.run_id, NEW.res, NEW.h3, NEW.kabupaten_code, fv,
                NEW.score, NEW.gi_z, NEW.gi_p, NEW.gi_bin, cb)
        ON CONFLICT (run_id, res, h3) DO UPDATE SET
            pmi_score = EXCLUDED.pmi_score, pmi_gi_z = EXCLUDED.pmi_gi_z, pmi_gi_p = EXCLUDED.pmi_gi_p,
            pmi_gi_bin = EXCLUDED.pmi_gi_bin, pmi_contrib = EXCLUDED.pmi_contrib;
    ELSE
        RAISE EXCEPTION 'risk_cell: unknown kind %', NEW.kind USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER risk_cell_insert INSTEAD OF INSERT ON risk_cell
    FOR EACH ROW EXECUTE FUNCTION waspada_risk_cell_insert();

-- The kabupaten index on the code alone: a partition holds one run, so
-- run_id in it sorted nothing, and res leaves a kabupaten's rows few enough
-- to filter (under 1,000 a kabupaten at resolution 7). Half the build time.
DROP INDEX risk_hex_kab_ix;
CREATE INDEX risk_hex_kab_ix ON risk_hex (kabupaten_code);

-- A run's table has two indexes now; 'geom' is gone with the column.
CREATE OR REPLACE FUNCTION waspada_risk_cell_index(run bigint, which text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text := format('risk_hex_r%s', run);
BEGIN
    CASE which
    WHEN 'pkey'  THEN EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (run_id, res, h3)', t);
    WHEN 'kab'   THEN EXECUTE format('CREATE INDEX ON %I (kabupaten_code)', t);
    -- The planner needs the columns queries filter on; the arrays and scores
    -- (a third of the ANALYZE time) it never estimates.
    WHEN 'stats' THEN EXECUTE format('ANALYZE %I (run_id, res, h3, kabupaten_code)', t);
    ELSE RAISE EXCEPTION 'unknown risk_hex index %', which;
    END CASE;
END $$;

-- Which of a resolution's cells have no hexagon yet: the compute sends the
-- grid's cells and writes hexagons for the ones returned.
CREATE FUNCTION waspada_risk_hexagon_missing(r smallint, cells bigint[]) RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
    SELECT c FROM unnest(cells) c
    WHERE NOT EXISTS (SELECT 1 FROM risk_hexagon g WHERE g.res = r AND g.h3 = c)
$$;

-- The first hexagons of a resolution (a database's first compute: 394,000
-- at resolution 7 nationally) are loaded into a table of their own, indexed
-- there in one pass, and swapped in for the empty partition: inserting them
-- one by one into the partition's GiST took three times as long.
CREATE FUNCTION waspada_risk_hexagon_stage(r smallint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    t text := format('risk_hexagon_r%s_load', r);
BEGIN
    EXECUTE format('DROP TABLE IF EXISTS %I', t);
    EXECUTE format('CREATE TABLE %I (LIKE risk_hexagon INCLUDING DEFAULTS INCLUDING CONSTRAINTS, CHECK (res = %s))', t, r);
    RETURN t;
END $$;

CREATE FUNCTION waspada_risk_hexagon_publish(r smallint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text := format('risk_hexagon_r%s_load', r);
    p text := format('risk_hexagon_r%s', r);
BEGIN
    EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (res, h3)', t);
    EXECUTE format('CREATE INDEX ON %I USING gist (geom_3857)', t);
    -- Partitions are named by resolution; the empty one goes, the loaded one
    -- takes its name and place (its indexes become the partitioned ones').
    IF EXISTS (SELECT 1 FROM risk_hexagon WHERE res = r) THEN
        RAISE EXCEPTION 'hexagons at resolution % were written meanwhile', r;
    END IF;
    IF to_regclass(p) IS NOT NULL THEN
        EXECUTE format('ALTER TABLE risk_hexagon DETACH PARTITION %I', p);
        EXECUTE format('DROP TABLE %I', p);
    END IF;
    EXECUTE format('ALTER TABLE %I RENAME TO %I', t, p);
    EXECUTE format('ALTER TABLE risk_hexagon ATTACH PARTITION %I FOR VALUES IN (%s)', p, r);
    EXECUTE format('ANALYZE %I', p); -- the tile query's plan depends on it
END $$;

-- Whether every hexagon of a cached grid (all its resolutions) is in
-- risk_hexagon: set by the first compute on the grid, so later computes skip
-- the check. A new grid (changed boundaries) starts false.
ALTER TABLE risk_grid ADD COLUMN hexagons boolean NOT NULL DEFAULT false;

-- The grid's Gi* neighbour lists, every level (analysis resolution, then its
-- parents), keyed by format and ring count (nbr_key): 7 million neighbours
-- at resolution 7 nationally, a second of CPU to find, 35 MB to read back.
-- Stored uncompressed: pglz would cost more to undo than the read.
ALTER TABLE risk_grid ADD COLUMN nbr bytea, ADD COLUMN nbr_key text;
ALTER TABLE risk_grid ALTER COLUMN nbr SET STORAGE EXTERNAL;

-- Statistics for the new table and the rewritten columns: without them the
-- first risk tiles after this migration were planned blind (measured: 84
-- tiles/s cold, against 470 once analysed).
ANALYZE risk_hexagon;
ANALYZE risk_hex;
