-- Risk runs: each `waspada risk compute` writes one run. Readers (tiles, API) only
-- ever look at the newest run whose status is 'complete' (view risk_latest): a run
-- is written under status 'running' and flipped to 'complete' in the same
-- transaction that finishes it, so a reader never sees half a run.

-- btree_gist lets one GiST index serve "this run, this resolution, this tile box".
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
CREATE TABLE risk_cell (
    run_id         bigint NOT NULL REFERENCES risk_run (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('tppo', 'pmi')),
    res            smallint NOT NULL,
    h3             bigint NOT NULL,
    score          double precision NOT NULL,   -- relative risk (product of factor RRs)
    gi_z           double precision,
    gi_p           double precision,
    gi_bin         smallint CHECK (gi_bin BETWEEN -3 AND 3),
    kabupaten_code text REFERENCES kabupaten (code),
    factor_values  real[] NOT NULL,             -- raw factor values, ordered as risk_factor.ord
    contrib        real[] NOT NULL,             -- log-contribution of each factor to the score
    geom           geometry(Polygon, 4326) NOT NULL,
    geom_3857      geometry(Polygon, 3857) NOT NULL,
    PRIMARY KEY (run_id, kind, res, h3)
);
CREATE INDEX risk_cell_geom3857_gix ON risk_cell USING gist (run_id, res, geom_3857);
CREATE INDEX risk_cell_kab_ix ON risk_cell (run_id, kind, res, kabupaten_code);

-- Rollups per kabupaten and province, for the run's period and the periods before it.
CREATE TABLE risk_rollup (
    run_id         bigint NOT NULL REFERENCES risk_run (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('tppo', 'pmi')),
    level          text NOT NULL CHECK (level IN ('kabupaten', 'provinsi')),
    code           text NOT NULL,
    period         date NOT NULL,
    mean_score     double precision NOT NULL,
    max_score      double precision NOT NULL,
    weighted_score double precision NOT NULL,
    cells          integer NOT NULL,
    rank_province  integer,
    rank_national  integer NOT NULL,
    prev_weighted  double precision,
    change         double precision,
    PRIMARY KEY (run_id, kind, level, code, period)
);

CREATE VIEW risk_latest AS
    SELECT * FROM risk_run WHERE status = 'complete' ORDER BY id DESC LIMIT 1;
