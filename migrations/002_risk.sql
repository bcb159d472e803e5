-- Risk runs: each `waspada risk compute` writes one run. Readers (tiles, API) only
-- ever look at the newest run whose status is 'complete' (view risk_latest): a run
-- is written under status 'running' and flipped to 'complete' in the same
-- transaction that finishes it, so a reader never sees half a run.

-- btree_gist lets GiST indexes mix scalar and geometry columns.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE risk_run (
    id           bigserial PRIMARY KEY,
    status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'complete', 'failed')),
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    train_until  date NOT NULL,         -- incidents up to and including this day were used for the fit
    period       date NOT NULL,         -- the month the run describes (first day of month)
    resolution   smallint NOT NULL CHECK (resolution BETWEEN 5 AND 9),
    params       jsonb NOT NULL DEFAULT '{}',
    model        jsonb NOT NULL DEFAULT '{}',   -- fit diagnostics per kind
    error        text
);
CREATE INDEX risk_run_complete_ix ON risk_run (id DESC) WHERE status = 'complete';

-- One row per factor per kind per run, in the order of risk_cell.contrib.
CREATE TABLE risk_factor (
    run_id      bigint NOT NULL REFERENCES risk_run (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('tppo', 'pmi')),
    ord         smallint NOT NULL,
    name        text NOT NULL,
    label_id    text NOT NULL,           -- Bahasa Indonesia
    label_en    text NOT NULL,
    coefficient double precision NOT NULL,
    rr          double precision NOT NULL,   -- relative risk exp(coefficient); 1 for dropped factors
    kept        boolean NOT NULL,
    PRIMARY KEY (run_id, kind, ord)
);

-- Cells of the analysis resolution and of every coarser resolution (parents).
-- A national run at resolution 7 is about 900,000 rows (both kinds), so the
-- table is partitioned by run: the engine COPYs a run into a table of its own
-- with no index to maintain and no per-row foreign-key trigger, builds the
-- indexes once (a sorted GiST build), and attaches it in the transaction that
-- completes the run; an old run is dropped as a table instead of deleting a
-- million rows. Rows inserted directly (test fixtures, tools) land in the
-- default partition and behave as before.
-- kabupaten_code is deliberately not a foreign key: the engine takes the codes
-- from the kabupaten table itself, and a per-row check would double the write time.
CREATE TABLE risk_cell (
    run_id         bigint NOT NULL REFERENCES risk_run (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('tppo', 'pmi')),
    res            smallint NOT NULL,
    h3             bigint NOT NULL,
    score          double precision NOT NULL,   -- relative risk: exp of the summed log-contributions
    gi_z           double precision,
    gi_p           double precision,
    gi_bin         smallint CHECK (gi_bin BETWEEN -3 AND 3),
    kabupaten_code text,
    factor_values  real[] NOT NULL,             -- raw factor values, ordered as risk_factor.ord
    contrib        real[] NOT NULL,             -- log-contribution of each factor to the score
    geom           geometry(Polygon, 4326) NOT NULL,
    geom_3857      geometry(Polygon, 3857) NOT NULL,
    PRIMARY KEY (run_id, kind, res, h3)
) PARTITION BY LIST (run_id);
-- geom_3857 alone: each partition holds one run, so run_id adds nothing to the
-- GiST, and a single geometry column gets PostGIS's fast sorted build.
CREATE INDEX risk_cell_geom3857_gix ON risk_cell USING gist (geom_3857);
CREATE INDEX risk_cell_kab_ix ON risk_cell (run_id, kind, res, kabupaten_code);
CREATE TABLE risk_cell_default PARTITION OF risk_cell DEFAULT;

-- waspada_risk_cell_partition creates the detached table a compute fills.
CREATE FUNCTION waspada_risk_cell_partition(run bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    t text := format('risk_cell_r%s', run);
BEGIN
    EXECUTE format('DROP TABLE IF EXISTS %I', t);
    EXECUTE format('CREATE TABLE %I (LIKE risk_cell INCLUDING DEFAULTS INCLUDING CONSTRAINTS, CHECK (run_id = %s))', t, run);
    RETURN t;
END $$;

-- waspada_risk_cell_index builds one of the partition's indexes (the engine
-- builds them in parallel on separate connections): pkey, geom or kab. They
-- match the parent's indexes, so ATTACH adopts them instead of building.
CREATE FUNCTION waspada_risk_cell_index(run bigint, which text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text := format('risk_cell_r%s', run);
BEGIN
    CASE which
    WHEN 'pkey' THEN EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (run_id, kind, res, h3)', t);
    WHEN 'geom' THEN EXECUTE format('CREATE INDEX ON %I USING gist (geom_3857)', t);
    WHEN 'kab'  THEN EXECUTE format('CREATE INDEX ON %I (run_id, kind, res, kabupaten_code)', t);
    ELSE RAISE EXCEPTION 'unknown risk_cell index %', which;
    END CASE;
END $$;

-- waspada_risk_cell_attach makes the run's cells part of risk_cell. Called in
-- the transaction that flips the run to 'complete'; the CHECK constraint
-- spares PostgreSQL the validation scan of the partition bounds.
CREATE FUNCTION waspada_risk_cell_attach(run bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE risk_cell ATTACH PARTITION %I FOR VALUES IN (%s)', format('risk_cell_r%s', run), run);
END $$;

-- waspada_risk_cell_drop removes a run's cell table (a failed run's, never attached).
CREATE FUNCTION waspada_risk_cell_drop(run bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TABLE IF EXISTS %I', format('risk_cell_r%s', run));
END $$;

-- waspada_risk_prune keeps the newest `keep` complete runs and the run being
-- written (`current`), and removes every other run: its partition is dropped
-- as a table, its factors, rollups and any default-partition cells go with the
-- risk_run row (ON DELETE CASCADE). Callers hold the compute lock, so no other
-- run is being written. Returns the number of runs removed.
CREATE FUNCTION waspada_risk_prune(keep integer, current bigint) RETURNS integer
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
        EXECUTE format('DROP TABLE IF EXISTS %I', format('risk_cell_r%s', r));
        DELETE FROM risk_run WHERE id = r;
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;

-- Rollups per kabupaten and province, for the run's period and the periods before it.
CREATE TABLE risk_rollup (
    run_id         bigint NOT NULL REFERENCES risk_run (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('tppo', 'pmi')),
    level          text NOT NULL CHECK (level IN ('kabupaten', 'provinsi')),
    code           text NOT NULL,
    period         date NOT NULL,
    mean_score     double precision NOT NULL,
    max_score      double precision NOT NULL,
    weighted_score double precision NOT NULL,   -- area-weighted mean score
    cells          integer NOT NULL,
    rank_province  integer,                     -- 1 = highest weighted score in the province (kabupaten level only)
    rank_national  integer NOT NULL,            -- 1 = highest weighted score in the country
    prev_weighted  double precision,            -- weighted_score of the previous period, same model
    change         double precision,            -- weighted_score / prev_weighted - 1
    PRIMARY KEY (run_id, kind, level, code, period)
);

CREATE VIEW risk_latest AS
    SELECT * FROM risk_run WHERE status = 'complete' ORDER BY id DESC LIMIT 1;
