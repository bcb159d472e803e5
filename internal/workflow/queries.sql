-- Named queries of the workflow tools (site planner, operation planner, kanwil brief).
-- Scope parameters are arrays of code prefixes ("53" or "53.01"); NULL means national.

-- ------------------------------------------------------------------ regions
-- name: region
-- A province or kabupaten by code: its name, the kabupaten it spans, and its box.
SELECT x.name, x.kabs, ST_XMin(x.box), ST_YMin(x.box), ST_XMax(x.box), ST_YMax(x.box)
FROM (
    SELECT p.name, ARRAY(SELECT k.code FROM kabupaten k WHERE k.provinsi_code = p.code ORDER BY k.code) AS kabs,
           ST_Envelope(p.geom) AS box
    FROM provinsi p WHERE p.code = $1
    UNION ALL
    SELECT k.name, ARRAY[k.code], ST_Envelope(k.geom) FROM kabupaten k WHERE k.code = $1
) x

-- name: regions_provinces
SELECT code, name FROM provinsi ORDER BY code

-- name: regions_kabupaten
SELECT code, name FROM kabupaten WHERE provinsi_code = $1 ORDER BY code

-- name: regions_kecamatan
SELECT code, name FROM kecamatan WHERE kabupaten_code = $1 ORDER BY code

-- ------------------------------------------------------------------ risk runs
-- name: latest_run
SELECT id, period, resolution FROM risk_latest

-- name: run_for_period
SELECT id, period, resolution FROM risk_run
WHERE status = 'complete' AND period = $1
ORDER BY id DESC LIMIT 1

-- name: periods
SELECT DISTINCT period FROM risk_run WHERE status = 'complete' ORDER BY period DESC LIMIT 36

-- name: risk_cells
-- Cells of one run, kind and resolution in a list of kabupaten, in cell
-- order: the site plan's sums and ties then do not depend on where the run's
-- rows happen to lie on disk.
SELECT h3, score FROM risk_cell
WHERE run_id = $1 AND kind = $2 AND res = $3 AND kabupaten_code = ANY($4::text[])
ORDER BY h3

-- name: risk_cell_counts
SELECT res, count(*) FROM risk_cell
WHERE run_id = $1 AND kind = $2 AND kabupaten_code = ANY($3::text[])
GROUP BY res ORDER BY res

-- ------------------------------------------------------------------ site planner
-- name: sites_candidates
-- Villages of the region that are not yet desa binaan.
SELECT d.code, d.name, coalesce(kc.name, ''), kb.name, ST_X(d.centroid), ST_Y(d.centroid)
FROM desa d
JOIN kabupaten kb ON kb.code = d.kabupaten_code
LEFT JOIN kecamatan kc ON kc.code = d.kecamatan_code
WHERE d.kabupaten_code = ANY($1::text[])
  AND NOT EXISTS (SELECT 1 FROM desa_binaan b WHERE b.desa_code = d.code)
ORDER BY d.code

-- name: desa_binaan_in_box
-- Existing desa binaan in a box (the region's, grown by the coverage radius:
-- a desa binaan just across the border still covers the region's cells).
SELECT d.code, d.name, d.kabupaten_code, ST_X(d.centroid), ST_Y(d.centroid)
FROM desa_binaan b JOIN desa d ON d.code = b.desa_code
WHERE d.centroid && ST_MakeEnvelope($1, $2, $3, $4, 4326)
ORDER BY d.code

-- ------------------------------------------------------------------ operation planner
-- name: op_area
-- The drawn polygon ($1, GeoJSON, repaired if self-intersecting) united with
-- whole kecamatan ($2); NULL when neither was given. Returns the area as WKB,
-- its size and the kabupaten it touches.
WITH parts AS (
    SELECT ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($1::text), 4326)) AS geom WHERE $1::text IS NOT NULL
    UNION ALL
    SELECT geom FROM kecamatan WHERE code = ANY($2::text[])
), a AS (
    SELECT ST_CollectionExtract(ST_Union(geom), 3) AS geom FROM parts
)
SELECT ST_AsBinary(a.geom), ST_Area(a.geom::geography) / 1e6,
       ARRAY(SELECT k.code FROM kabupaten k WHERE ST_Intersects(k.geom, a.geom) ORDER BY k.code)
FROM a WHERE a.geom IS NOT NULL AND NOT ST_IsEmpty(a.geom)

-- name: op_kecamatan
SELECT code FROM kecamatan WHERE code = ANY($1::text[])

-- name: op_kabupaten
SELECT code FROM kabupaten WHERE code = ANY($1::text[])

-- name: op_residents
-- Residents (not hotel guests: those are visited through their hotel) with an
-- overstay ($6) or a permit expiring by $5 ($7), inside the area ($1 WKB) or
-- in the listed kabupaten ($2), within scope ($3), with their identity (the
-- planner serves only roles with personal-data rights).
WITH hit AS (
    SELECT r.id FROM resident r WHERE $1::bytea IS NOT NULL AND ST_Intersects(ST_GeomFromWKB($1::bytea, 4326), r.geom)
    UNION
    SELECT r.id FROM resident r WHERE r.kabupaten_code = ANY($2::text[])
)
SELECT r.id, r.nationality, r.permit_type, r.permit_expiry, r.kabupaten_code, ST_X(r.geom), ST_Y(r.geom),
       i.full_name, i.passport_number
FROM hit JOIN resident r USING (id)
LEFT JOIN resident_identity i ON i.resident_id = r.id
WHERE r.address_kind = 'residence'
  AND ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($3::text[]) s WHERE left(r.kabupaten_code, length(s)) = s))
  AND (($6::boolean AND r.permit_expiry < $4::date) OR ($7::boolean AND r.permit_expiry >= $4::date AND r.permit_expiry <= $5::date))
  AND (cardinality($8::text[]) = 0 OR r.nationality = ANY($8::text[]))
  AND (cardinality($9::text[]) = 0 OR r.permit_type = ANY($9::text[]))
ORDER BY r.permit_expiry, r.id
LIMIT $10

-- name: op_hotels
-- Hotels with foreign guests in house on $4, one row per hotel (name and
-- location within ~200 m), with how many guests overstay.
WITH hit AS (
    SELECT r.id FROM resident r WHERE $1::bytea IS NOT NULL AND ST_Intersects(ST_GeomFromWKB($1::bytea, 4326), r.geom)
    UNION
    SELECT r.id FROM resident r WHERE r.kabupaten_code = ANY($2::text[])
)
SELECT r.hotel_name, min(r.kabupaten_code), ST_X(ST_Centroid(ST_Collect(r.geom))), ST_Y(ST_Centroid(ST_Collect(r.geom))),
       count(*), count(*) FILTER (WHERE r.permit_expiry < $4::date)
FROM hit JOIN resident r USING (id)
WHERE r.address_kind = 'hotel' AND r.check_in <= $4::date AND (r.check_out IS NULL OR r.check_out >= $4::date)
  AND ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($3::text[]) s WHERE left(r.kabupaten_code, length(s)) = s))
  AND (cardinality($5::text[]) = 0 OR r.nationality = ANY($5::text[]))
  AND (cardinality($6::text[]) = 0 OR r.permit_type = ANY($6::text[]))
GROUP BY r.hotel_name, ST_SnapToGrid(r.geom, 0.002)
ORDER BY count(*) DESC, r.hotel_name
LIMIT $7

-- name: op_worksites
WITH hit AS (
    SELECT w.id FROM worksite w WHERE $1::bytea IS NOT NULL AND ST_Intersects(ST_GeomFromWKB($1::bytea, 4326), w.geom)
    UNION
    SELECT w.id FROM worksite w WHERE w.kabupaten_code = ANY($2::text[])
)
SELECT w.id, w.name, coalesce(w.company, ''), w.sector, w.foreign_workers, w.kabupaten_code, ST_X(w.geom), ST_Y(w.geom)
FROM hit JOIN worksite w USING (id)
WHERE ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($3::text[]) s WHERE left(w.kabupaten_code, length(s)) = s))
  AND w.foreign_workers >= $4
  AND (cardinality($5::text[]) = 0 OR w.sector = ANY($5::text[]))
ORDER BY w.foreign_workers DESC, w.id
LIMIT $6

-- name: op_landing
-- Informal landing points; one without a kabupaten (far offshore) is only in a
-- national scope.
WITH hit AS (
    SELECT p.id FROM port p WHERE $1::bytea IS NOT NULL AND ST_Intersects(ST_GeomFromWKB($1::bytea, 4326), p.geom)
    UNION
    SELECT p.id FROM port p WHERE p.kabupaten_code = ANY($2::text[])
)
SELECT p.id, p.name, coalesce(p.note, ''), coalesce(p.kabupaten_code, ''), ST_X(p.geom), ST_Y(p.geom)
FROM hit JOIN port p USING (id)
WHERE p.kind = 'informal'
  AND ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($3::text[]) s WHERE left(p.kabupaten_code, length(s)) = s))
ORDER BY p.id
LIMIT $4

-- name: kabupaten_outlines
-- Simplified outlines for map images ($2: tolerance in degrees).
SELECT code, name, ST_AsBinary(ST_SimplifyPreserveTopology(geom, $2)), ST_X(label_point), ST_Y(label_point)
FROM kabupaten WHERE code = ANY($1::text[]) ORDER BY code

-- ------------------------------------------------------------------ kanwil brief
-- name: brief_ranking
-- Kabupaten rollups of the province for the run's period and the month before.
-- With each row its national rank, the stored change (weighted / previous - 1)
-- and the number of kabupaten ranked nationally in that period (the classes).
SELECT r.code, k.name, r.kind, r.period, r.weighted_score, r.prev_weighted, r.rank_province, r.cells,
       r.rank_national, r.change,
       (SELECT count(*) FROM risk_rollup o
         WHERE o.run_id = r.run_id AND o.kind = r.kind AND o.level = 'kabupaten' AND o.period = r.period) AS of_nation
FROM risk_rollup r JOIN kabupaten k ON k.code = r.code
WHERE r.run_id = $1 AND r.level = 'kabupaten' AND k.provinsi_code = $2 AND r.period IN ($3::date, ($3::date - interval '1 month')::date)

-- name: brief_class_scores
-- Every score of a kind and resolution in a run, ascending: the national
-- class breaks (geo/present.Breaks), the population the API ranks cells in.
SELECT score FROM risk_cell WHERE run_id = $1 AND kind = $2 AND res = $3 ORDER BY score

-- name: brief_cell_kabupaten
-- Each analysis cell of a province with its score and kabupaten (coverage per kabupaten).
SELECT h3, score, kabupaten_code FROM risk_cell
WHERE run_id = $1 AND kind = $2 AND res = $3 AND kabupaten_code = ANY($4::text[])

-- name: brief_hotspots
-- The highest-scoring cells of the province with the nearest village's name.
SELECT c.h3, c.score, c.gi_z, c.gi_bin, c.kabupaten_code, k.name, coalesce(d.name, ''), coalesce(kc.name, '')
FROM (
    SELECT h3, score, gi_z, gi_bin, kabupaten_code FROM risk_cell
    WHERE run_id = $1 AND kind = $2 AND res = $3 AND kabupaten_code = ANY($4::text[])
    ORDER BY score DESC, h3 LIMIT $5
) c
JOIN kabupaten k ON k.code = c.kabupaten_code
-- the hexagon after the LIMIT: only the top cells pay for the lookup and projection
LEFT JOIN risk_hexagon g ON g.res = $3 AND g.h3 = c.h3
LEFT JOIN LATERAL (
    SELECT name, kecamatan_code FROM desa ORDER BY centroid <-> ST_Transform(ST_Centroid(g.geom_3857), 4326) LIMIT 1
) d ON true
LEFT JOIN kecamatan kc ON kc.code = d.kecamatan_code
ORDER BY c.score DESC, c.h3

-- name: brief_foreigners
-- Foreigners present in the period ($2 first day, $3 last day) per base cell
-- of suppression (the resolution-$4 parent of the stored resolution-9 cell,
-- the leaf the resident tiles publish) and permit type or nationality.
SELECT (r.h3_r9 & ~(15::bigint << 52)) | ($4::int::bigint << 52) | ((1::bigint << (3 * (15 - $4::int))) - 1) AS leaf,
       r.permit_type, r.nationality, count(*)
FROM resident r
WHERE left(r.kabupaten_code, 2) = $1
  AND r.arrival_date <= $3::date AND r.reported_on <= $3::date
  AND (r.address_kind = 'residence' OR (r.check_in <= $3::date AND (r.check_out IS NULL OR r.check_out >= $2::date)))
GROUP BY 1, 2, 3

-- name: brief_neighbours
-- The land around a province on its map: neighbouring countries and the other
-- provinces, clipped to the map's box ($1..$4) and simplified by $5 degrees,
-- each with a label point on its part inside the box. $6 is the province.
SELECT x.name, x.country, ST_AsBinary(ST_SimplifyPreserveTopology(c.g, $5)), ST_X(ST_PointOnSurface(c.g)), ST_Y(ST_PointOnSurface(c.g))
FROM (
    SELECT n.name_id AS name, true AS country, n.geom FROM neighbour_country n
    WHERE n.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
    UNION ALL
    SELECT p.name, false, p.geom FROM provinsi p
    WHERE p.code <> $6 AND p.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
) x
CROSS JOIN LATERAL (SELECT ST_Intersection(x.geom, ST_MakeEnvelope($1, $2, $3, $4, 4326)) AS g) c
WHERE NOT ST_IsEmpty(c.g)
ORDER BY x.country DESC, x.name
