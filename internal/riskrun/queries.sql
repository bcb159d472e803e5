-- Named queries of the risk engine (internal/riskrun). Point layers are read
-- as coordinates (lon, lat) and located in the analysis cell that contains
-- them in Go: H3 cells do not nest exactly, so the res-7 parent of a point's
-- stored res-9 cell is, for about 1 point in 25, a neighbour of the res-7 cell
-- the point lies in.

-- name: lock
-- One compute at a time per database; released when the session ends.
SELECT pg_try_advisory_lock(hashtext('waspada-risk-compute'))

-- name: unlock
SELECT pg_advisory_unlock(hashtext('waspada-risk-compute'))

-- name: runs_interrupted
-- Runs left 'running' by a compute that died (SIGKILL, power loss): the caller
-- holds the compute lock, so no live compute owns them. Their cell tables were
-- never attached; they are dropped here and the runs marked failed.
WITH dead AS (
    UPDATE risk_run SET status = 'failed', finished_at = now(),
           error = 'interrupted: the computing process ended before the run was complete'
    WHERE status = 'running' RETURNING id
)
SELECT id, waspada_risk_cell_drop(id)::text FROM dead ORDER BY id

-- name: latest_incident
SELECT max(occurred_on) FROM incident WHERE kind IN ('tppo', 'pmi')

-- name: kabupaten_fingerprint
-- What the analysis grid depends on: every kabupaten's code, province and geometry.
SELECT coalesce(md5(string_agg(code || '/' || provinsi_code || '/' || md5(ST_AsBinary(geom)), ',' ORDER BY code)), '')
FROM kabupaten

-- name: kabupaten_provinces
SELECT code, provinsi_code FROM kabupaten

-- name: grid_get
-- The neighbour lists only when they are for the rings asked ($4).
SELECT cells, area, band, codes, hexagons, CASE WHEN nbr_key = $4 THEN nbr END
FROM risk_grid WHERE res = $1 AND band_km = $2 AND fingerprint = $3

-- name: grid_put
INSERT INTO risk_grid (res, band_km, fingerprint, cells, area, band, codes) VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (res, band_km) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, cells = EXCLUDED.cells,
    area = EXCLUDED.area, band = EXCLUDED.band, codes = EXCLUDED.codes, hexagons = false,
    nbr = NULL, nbr_key = NULL, created_at = now()

-- name: grid_nbr_put
UPDATE risk_grid SET nbr = $4, nbr_key = $5 WHERE res = $1 AND band_km = $2 AND fingerprint = $3

-- name: grid_hexagons_done
UPDATE risk_grid SET hexagons = true WHERE res = $1 AND band_km = $2 AND fingerprint = $3

-- name: hexagons_none
SELECT NOT EXISTS (SELECT 1 FROM risk_hexagon WHERE res = $1::smallint)

-- name: hexagons_stage
SELECT waspada_risk_hexagon_stage($1::smallint)

-- name: hexagons_publish
SELECT waspada_risk_hexagon_publish($1::smallint)

-- name: hexagons_analyze
-- After adding hexagons to a resolution that had some: fresh statistics for
-- the tile query's plan.
ANALYZE risk_hexagon

-- name: hexagons_missing
-- The cells of one resolution that have no hexagon in risk_hexagon yet.
SELECT waspada_risk_hexagon_missing($1::smallint, $2::bigint[])

-- name: kabupaten_polygons
-- Every polygon of every kabupaten (islands apart), WKB, with its province.
SELECT k.code, k.provinsi_code, ST_AsBinary(d.geom)
FROM kabupaten k, LATERAL ST_Dump(k.geom) d
ORDER BY k.code, d.path

-- name: residents
-- Residence and hotel stays with the interval they are present: a residence
-- from arrival to permit expiry, a hotel stay from check-in to check-out (to
-- permit expiry while the guest has not checked out).
-- Dates as days since 2000-01-01 (date minus date is an integer: nothing to
-- format or parse for a million rows). Read in two halves by physical
-- position, on two connections at once: blocks [$1, $2) of the table.
SELECT h3_r9, ST_X(geom), ST_Y(geom), address_kind = 'hotel',
       CASE WHEN address_kind = 'hotel' THEN check_in ELSE arrival_date END - DATE '2000-01-01',
       CASE WHEN address_kind = 'hotel' THEN coalesce(check_out, permit_expiry) ELSE permit_expiry END - DATE '2000-01-01'
FROM resident
WHERE ctid >= format('(%s,0)', $1::bigint)::tid AND ctid < format('(%s,0)', $2::bigint)::tid

-- name: resident_blocks
-- Where to split the residents in two: half the table's pages (an estimate;
-- the two ranges cover every row whatever it says).
SELECT greatest(relpages, 0) / 2 FROM pg_class WHERE oid = 'resident'::regclass

-- name: worksites
SELECT ST_X(geom), ST_Y(geom), foreign_workers FROM worksite WHERE foreign_workers > 0

-- name: ports
SELECT ST_X(geom), ST_Y(geom), kind FROM port

-- name: desa_binaan
SELECT ST_X(d.centroid), ST_Y(d.centroid), b.established_on FROM desa_binaan b JOIN desa d ON d.code = b.desa_code

-- name: indicators
-- Indicator values up to the last period needed; the engine takes, per
-- kabupaten and period, the latest value at or before the period.
SELECT kabupaten_code, period, name, value FROM indicator
WHERE name = ANY ($1::text[]) AND period <= $2::date
ORDER BY kabupaten_code, name, period

-- name: incidents
SELECT kind, occurred_on, ST_X(geom), ST_Y(geom), h3_r9 FROM incident
WHERE kind IN ('tppo', 'pmi') AND occurred_on BETWEEN $1::date AND $2::date

-- name: run_insert
INSERT INTO risk_run (status, train_until, period, resolution, params, inputs_published)
VALUES ('running', $1, $2, $3, $4, true) RETURNING id

-- name: run_complete
UPDATE risk_run SET status = 'complete', finished_at = now(), model = $2 WHERE id = $1 AND status = 'running'

-- name: run_failed
UPDATE risk_run SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1

-- name: partition_create
-- The run's own cell table (see migrations/002_risk.sql); returns its name.
SELECT waspada_risk_cell_partition($1)

-- name: partition_index
SELECT waspada_risk_cell_index($1, $2)

-- name: partition_attach
SELECT waspada_risk_cell_attach($1)

-- name: partition_drop
-- A failed run's cells: the table was never attached.
SELECT waspada_risk_cell_drop($1)

-- name: prune_lock_timeout
-- Dropping an attached partition briefly locks risk_cell; rather than queue
-- readers behind a long tile query, give up and prune at the next run.
SET LOCAL lock_timeout = '3s'

-- name: runs_prune
SELECT waspada_risk_prune($1, $2)

-- name: run_latest
SELECT id, resolution, train_until, period, params FROM risk_latest

-- name: factors_of_run
SELECT ord, name, label_id, label_en, coefficient, rr, kept FROM risk_factor
WHERE run_id = $1 AND kind = $2 ORDER BY ord

-- name: cells_export
SELECT h3, score, gi_z, gi_bin, kabupaten_code, contrib_f4 FROM risk_cell
WHERE run_id = $1 AND kind = $2 AND res = $3 ORDER BY h3

-- name: cells_scores
-- Analysis-resolution cells of a run for evaluation.
SELECT h3, score FROM risk_cell WHERE run_id = $1 AND kind = $2 AND res = $3

