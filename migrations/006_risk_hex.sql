-- One row per cell for both risk kinds (risk_hex) instead of one row per cell
-- and kind (risk_cell). Why: a national run at resolution 7 wrote 930,000 rows
-- that carried every hexagon, its factor values and two geometries twice; the
-- COPY and the three index builds took 15 of a compute's 29 s. One row per
-- cell with one pre-projected geometry is 465,000 rows and less than half the
-- bytes (measured: COPY + indexes + ANALYZE 16 s -> 4 s), and a risk tile
-- reads one row per hexagon instead of pairing two.
--
-- risk_cell stays, as a view with the old shape (one row per cell and kind),
-- so the readers that work on one kind (cell explanations, rankings, the
-- workflows, exports) are unchanged. `geom` (EPSG:4326) is derived from the
-- stored Web Mercator polygon when a query asks for it (single cells, briefs).
-- Inserting into the view (test fixtures, tools) goes through a trigger that
-- fills the kind's columns of the cell's risk_hex row.

CREATE TABLE risk_hex (
    run_id         bigint NOT NULL REFERENCES risk_run (id) ON DELETE CASCADE,
    res            smallint NOT NULL,
    h3             bigint NOT NULL,
    kabupaten_code text,
    factor_values  real[] NOT NULL,              -- raw factor values, ordered as risk_factor.ord (shared by both kinds)
    tppo_score     double precision,             -- relative risk: exp of the summed log-contributions
    tppo_gi_z      double precision,
    tppo_gi_p      double precision,
    tppo_gi_bin    smallint CHECK (tppo_gi_bin BETWEEN -3 AND 3),
    tppo_contrib   real[],                       -- log-contribution of each factor to the score
    pmi_score      double precision,
    pmi_gi_z       double precision,
    pmi_gi_p       double precision,
    pmi_gi_bin     smallint CHECK (pmi_gi_bin BETWEEN -3 AND 3),
    pmi_contrib    real[],
    geom_3857      geometry(Polygon, 3857) NOT NULL,
    PRIMARY KEY (run_id, res, h3)
) PARTITION BY LIST (run_id);
CREATE INDEX risk_hex_geom3857_gix ON risk_hex USING gist (geom_3857);
CREATE INDEX risk_hex_kab_ix ON risk_hex (run_id, res, kabupaten_code);
CREATE TABLE risk_hex_default PARTITION OF risk_hex DEFAULT;

-- Existing complete runs move over (into the default partition: a one-off).
-- Runs that never completed had nothing a reader could see: their rows in
-- risk_run stay as the record of what happened.
INSERT INTO risk_hex (run_id, res, h3, kabupaten_code, factor_values,
                      tppo_score, tppo_gi_z, tppo_gi_p, tppo_gi_bin, tppo_contrib,
                      pmi_score, pmi_gi_z, pmi_gi_p, pmi_gi_bin, pmi_contrib, geom_3857)
SELECT coalesce(t.run_id, p.run_id), coalesce(t.res, p.res), coalesce(t.h3, p.h3),
       coalesce(t.kabupaten_code, p.kabupaten_code), coalesce(t.factor_values, p.factor_values),
       t.score, t.gi_z, t.gi_p, t.gi_bin, t.contrib,
       p.score, p.gi_z, p.gi_p, p.gi_bin, p.contrib, coalesce(t.geom_3857, p.geom_3857)
FROM (SELECT * FROM risk_cell WHERE kind = 'tppo') t
FULL JOIN (SELECT * FROM risk_cell WHERE kind = 'pmi') p ON p.run_id = t.run_id AND p.res = t.res AND p.h3 = t.h3
WHERE coalesce(t.run_id, p.run_id) IN (SELECT id FROM risk_run WHERE status = 'complete');

-- The old table with its partitions, and any detached cell table a dead
-- compute left behind.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT relname FROM pg_class WHERE relkind = 'r' AND relname ~ '^risk_cell_r[0-9]+$' LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I', t);
    END LOOP;
END $$;
DROP TABLE risk_cell CASCADE;

CREATE VIEW risk_cell AS
    SELECT run_id, 'tppo'::text AS kind, res, h3, tppo_score AS score, tppo_gi_z AS gi_z, tppo_gi_p AS gi_p,
           tppo_gi_bin AS gi_bin, kabupaten_code, factor_values, tppo_contrib AS contrib,
           ST_Transform(geom_3857, 4326)::geometry(Polygon, 4326) AS geom, geom_3857
    FROM risk_hex WHERE tppo_score IS NOT NULL
    UNION ALL
    SELECT run_id, 'pmi'::text AS kind, res, h3, pmi_score, pmi_gi_z, pmi_gi_p,
           pmi_gi_bin, kabupaten_code, factor_values, pmi_contrib,
           ST_Transform(geom_3857, 4326)::geometry(Polygon, 4326), geom_3857
    FROM risk_hex WHERE pmi_score IS NOT NULL;

-- INSERT INTO risk_cell (one kind of one cell) sets that kind's columns of the
-- cell's row, creating the row on its first kind.
CREATE FUNCTION waspada_risk_cell_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    g geometry := coalesce(NEW.geom_3857, ST_Transform(NEW.geom, 3857));
BEGIN
    IF NEW.kind = 'tppo' THEN
        INSERT INTO risk_hex (run_id, res, h3, kabupaten_code, factor_values,
                              tppo_score, tppo_gi_z, tppo_gi_p, tppo_gi_bin, tppo_contrib, geom_3857)
        VALUES (NEW.run_id, NEW.res, NEW.h3, NEW.kabupaten_code, NEW.factor_values,
                NEW.score, NEW.gi_z, NEW.gi_p, NEW.gi_bin, NEW.contrib, g)
        ON CONFLICT (run_id, res, h3) DO UPDATE SET
            tppo_score = EXCLUDED.tppo_score, tppo_gi_z = EXCLUDED.tppo_gi_z, tppo_gi_p = EXCLUDED.tppo_gi_p,
            tppo_gi_bin = EXCLUDED.tppo_gi_bin, tppo_contrib = EXCLUDED.tppo_contrib;
    ELSIF NEW.kind = 'pmi' THEN
        INSERT INTO risk_hex (run_id, res, h3, kabupaten_code, factor_values,
                              pmi_score, pmi_gi_z, pmi_gi_p, pmi_gi_bin, pmi_contrib, geom_3857)
        VALUES (NEW.run_id, NEW.res, NEW.h3, NEW.kabupaten_code, NEW.factor_values,
                NEW.score, NEW.gi_z, NEW.gi_p, NEW.gi_bin, NEW.contrib, g)
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

-- The compute's partition functions, now on risk_hex (same names and
-- protocol: create detached, COPY, index, analyze, attach in the completing
-- transaction; see 002_risk.sql).
CREATE OR REPLACE FUNCTION waspada_risk_cell_partition(run bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    t text := format('risk_hex_r%s', run);
BEGIN
    EXECUTE format('DROP TABLE IF EXISTS %I', t);
    EXECUTE format('CREATE TABLE %I (LIKE risk_hex INCLUDING DEFAULTS INCLUDING CONSTRAINTS, CHECK (run_id = %s))', t, run);
    RETURN t;
END $$;

CREATE OR REPLACE FUNCTION waspada_risk_cell_index(run bigint, which text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text := format('risk_hex_r%s', run);
BEGIN
    CASE which
    WHEN 'pkey'  THEN EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (run_id, res, h3)', t);
    WHEN 'geom'  THEN EXECUTE format('CREATE INDEX ON %I USING gist (geom_3857)', t);
    WHEN 'kab'   THEN EXECUTE format('CREATE INDEX ON %I (run_id, res, kabupaten_code)', t);
    -- The planner needs the columns queries filter on; the arrays and scores
    -- (a third of the ANALYZE time) it never estimates.
    WHEN 'stats' THEN EXECUTE format('ANALYZE %I (run_id, res, h3, kabupaten_code, geom_3857)', t);
    ELSE RAISE EXCEPTION 'unknown risk_hex index %', which;
    END CASE;
END $$;

CREATE OR REPLACE FUNCTION waspada_risk_cell_attach(run bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE risk_hex ATTACH PARTITION %I FOR VALUES IN (%s)', format('risk_hex_r%s', run), run);
END $$;

CREATE OR REPLACE FUNCTION waspada_risk_cell_drop(run bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TABLE IF EXISTS %I', format('risk_hex_r%s', run));
END $$;

CREATE OR REPLACE FUNCTION waspada_risk_prune(keep integer, current bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    r bigint;
    n integer := 0;
BEGIN
    FOR r IN
        SELECT id FROM risk_run WHERE id <> current
        EXCEPT
        SELECT id FROM (SELECT id FROM risk_run WHERE status = 'complete' ORDER BY id DESC LIMIT keep) k
    LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I', format('risk_hex_r%s', r));
        DELETE FROM risk_run WHERE id = r;
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
