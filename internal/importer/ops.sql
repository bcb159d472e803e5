-- Operational import: rows are COPYed into a temporary table "stage" (created
-- from the kind's columns plus line, lon, lat, h3, kabupaten_code, offshore_km),
-- checked here against the database, and upserted. One transaction throughout.

-- name: kabupaten_pieces
SELECT kabupaten_code, ST_AsBinary(geom) FROM kabupaten_part ORDER BY kabupaten_code;

-- name: check_worksite_ref
SELECT line, worksite_id FROM stage s
WHERE worksite_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM worksite w WHERE w.id = s.worksite_id)
ORDER BY line LIMIT 1000;

-- name: check_desa_ref
SELECT line, desa_code FROM stage s
WHERE desa_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM desa d WHERE d.code = s.desa_code)
ORDER BY line LIMIT 1000;

-- name: check_kabupaten_ref
SELECT line, kabupaten_code FROM stage s
WHERE NOT EXISTS (SELECT 1 FROM kabupaten k WHERE k.code = s.kabupaten_code)
ORDER BY line LIMIT 1000;

-- name: check_desa_binaan_point
-- A desa binaan given with a point must be at its village (within 5 km of the centroid).
SELECT s.line, round((ST_Distance(d.centroid::geography, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)::geography) / 1000)::numeric, 1)::float8
FROM stage s JOIN desa d ON d.code = s.desa_code
WHERE s.lon IS NOT NULL
  AND NOT ST_DWithin(d.centroid::geography, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)::geography, 5000)
ORDER BY s.line LIMIT 1000;

-- name: check_port_reserved
SELECT s.line, s.id FROM stage s JOIN port p ON p.id = s.id AND p.source = 'reference' ORDER BY s.line LIMIT 1000;

-- name: incident_from_desa
-- Incidents known only by the victims' village are placed at its centroid.
UPDATE stage s SET lon = ST_X(d.centroid), lat = ST_Y(d.centroid), h3 = d.h3_r9, kabupaten_code = d.kabupaten_code, offshore_km = 0
FROM desa d WHERE s.lon IS NULL AND d.code = s.desa_code;

-- name: upsert_residences
WITH r AS (
    INSERT INTO resident (id, nationality, permit_type, permit_expiry, arrival_date, address_kind, hotel_name,
                          check_in, check_out, reported_on, worksite_id, kabupaten_code, geom, h3_r9)
    SELECT id, nationality, permit_type, permit_expiry, arrival_date, address_kind, hotel_name,
           check_in, check_out, reported_on, worksite_id, kabupaten_code, ST_SetSRID(ST_MakePoint(lon, lat), 4326), h3
    FROM stage
    ON CONFLICT (id) DO UPDATE SET nationality = EXCLUDED.nationality, permit_type = EXCLUDED.permit_type,
        permit_expiry = EXCLUDED.permit_expiry, arrival_date = EXCLUDED.arrival_date, address_kind = EXCLUDED.address_kind,
        hotel_name = EXCLUDED.hotel_name, check_in = EXCLUDED.check_in, check_out = EXCLUDED.check_out,
        reported_on = EXCLUDED.reported_on, worksite_id = EXCLUDED.worksite_id, kabupaten_code = EXCLUDED.kabupaten_code,
        geom = EXCLUDED.geom, h3_r9 = EXCLUDED.h3_r9
    RETURNING 1
), i AS (
    INSERT INTO resident_identity (resident_id, full_name, passport_number)
    SELECT id, full_name, passport_number FROM stage
    ON CONFLICT (resident_id) DO UPDATE SET full_name = EXCLUDED.full_name, passport_number = EXCLUDED.passport_number
    RETURNING 1
)
SELECT (SELECT count(*) FROM r);

-- name: upsert_worksites
WITH w AS (
    INSERT INTO worksite (id, name, company, sector, foreign_workers, local_workers, kabupaten_code, geom, h3_r9)
    SELECT id, name, company, sector, foreign_workers, local_workers, kabupaten_code, ST_SetSRID(ST_MakePoint(lon, lat), 4326), h3
    FROM stage
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, company = EXCLUDED.company, sector = EXCLUDED.sector,
        foreign_workers = EXCLUDED.foreign_workers, local_workers = EXCLUDED.local_workers,
        kabupaten_code = EXCLUDED.kabupaten_code, geom = EXCLUDED.geom, h3_r9 = EXCLUDED.h3_r9
    RETURNING 1
) SELECT count(*) FROM w;

-- name: upsert_ports
WITH p AS (
    INSERT INTO port (id, name, kind, source, note, kabupaten_code, offshore_km, geom, h3_r9)
    SELECT id, name, kind, 'import', note, kabupaten_code, round(offshore_km::numeric, 3), ST_SetSRID(ST_MakePoint(lon, lat), 4326), h3
    FROM stage
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, note = EXCLUDED.note,
        kabupaten_code = EXCLUDED.kabupaten_code, offshore_km = EXCLUDED.offshore_km, geom = EXCLUDED.geom, h3_r9 = EXCLUDED.h3_r9
    WHERE port.source = 'import'
    RETURNING 1
) SELECT count(*) FROM p;

-- name: upsert_desa-binaan
WITH b AS (
    INSERT INTO desa_binaan (desa_code, established_on, note)
    SELECT desa_code, established_on, note FROM stage
    ON CONFLICT (desa_code) DO UPDATE SET established_on = EXCLUDED.established_on, note = EXCLUDED.note
    RETURNING 1
) SELECT count(*) FROM b;

-- name: upsert_incidents
WITH i AS (
    INSERT INTO incident (id, kind, occurred_on, victims, desa_code, kabupaten_code, geom, h3_r9, note)
    SELECT id, kind, occurred_on, coalesce(victims, 0), desa_code, kabupaten_code, ST_SetSRID(ST_MakePoint(lon, lat), 4326), h3, note
    FROM stage
    ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, occurred_on = EXCLUDED.occurred_on, victims = EXCLUDED.victims,
        desa_code = EXCLUDED.desa_code, kabupaten_code = EXCLUDED.kabupaten_code, geom = EXCLUDED.geom,
        h3_r9 = EXCLUDED.h3_r9, note = EXCLUDED.note
    RETURNING 1
) SELECT count(*) FROM i;

-- name: upsert_indicators
WITH i AS (
    INSERT INTO indicator (kabupaten_code, period, name, value)
    SELECT kabupaten_code, period, indicator, value FROM stage
    ON CONFLICT (kabupaten_code, period, name) DO UPDATE SET value = EXCLUDED.value
    RETURNING 1
) SELECT count(*) FROM i;

-- name: log_import
-- Written before the rows, so that internal/importlog can record them under its id.
INSERT INTO import_log (kind, source, rows_in, rows_written, report, run_by, undoable) VALUES ($1, $2, $3, 0, $4, $5, true)
RETURNING id;

-- name: log_import_done
UPDATE import_log SET rows_written = $2, rows_added = $3, rows_replaced = $4 WHERE id = $1;
