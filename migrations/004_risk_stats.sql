-- A run's cell table is written by COPY and attached at once; until autovacuum
-- gets to it, it has no statistics, and the planner then ANDs the GiST with the
-- (run_id, kind, res, kabupaten_code) index, reading every cell of the run for
-- each tile (measured: 300 ms a tile instead of 1 ms, right after a compute).
-- waspada_risk_cell_index gains 'stats': ANALYZE the table before it is attached.
CREATE OR REPLACE FUNCTION waspada_risk_cell_index(run bigint, which text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text := format('risk_cell_r%s', run);
BEGIN
    CASE which
    WHEN 'pkey'  THEN EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (run_id, kind, res, h3)', t);
    WHEN 'geom'  THEN EXECUTE format('CREATE INDEX ON %I USING gist (geom_3857)', t);
    WHEN 'kab'   THEN EXECUTE format('CREATE INDEX ON %I (run_id, kind, res, kabupaten_code)', t);
    WHEN 'stats' THEN EXECUTE format('ANALYZE %I', t);
    ELSE RAISE EXCEPTION 'unknown risk_cell index %', which;
    END CASE;
END $$;
