-- Vector tile queries. Every layer query returns one bytea: a complete MVT layer
-- made by ST_AsMVT (a tile of several layers is the concatenation of its layers'
-- bytes, which the MVT spec allows). Parameters, by argument set (see layers.go):
--   tile:  $1 z, $2 x, $3 y
--   scope: + $4 text[] scope code prefixes (province "21" or kabupaten "21.71"), NULL = national
--   run:   + $5 bigint id of the latest complete risk run (0 when there is none)
--   res:   + $6 smallint H3 resolution chosen for the zoom
-- Geometry: source polygons are pre-clipped with ST_ClipByBox2D to the buffered
-- tile box, then snapped in degrees to half a tile-grid unit (e.grid) before
-- projecting: that drops the coastline vertices a tile cannot show before the
-- costly projection (a z5 province tile: 880 ms -> 100 ms). ST_AsMVTGeom then
-- projects into the 4096 grid, clips at a 64-unit buffer, snaps to the grid and
-- fixes winding. Both snaps are the per-zoom simplification, and both are
-- topology-safe for shared borders: neighbouring polygons share their border
-- vertices, and equal vertices snap to equal grid points, so borders never gap
-- (rings that collapse, tiny islands at low zoom, disappear).
-- Feature ids are stable across tiles and zooms: the digits of a Kemendagri code,
-- the H3 index, or 52 bits of md5(id) (below 2^53 so JavaScript keeps them exact).

-- name: neighbours
-- Countries around Indonesia, for context under the province polygons.
SELECT ST_AsMVT(t, 'neighbours', 4096, 'geom', 'fid') FROM (
    SELECT hashtext(iso_a3)::bigint & 2147483647 AS fid, iso_a3, name, name_id,
           ST_AsMVTGeom(ST_Transform(ST_SnapToGrid(ST_ClipByBox2D(n.geom, e.b4326), e.grid), 3857), e.env, 4096, 64, true) AS geom
    FROM neighbour_country n,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE n.geom && e.b4326
) t

-- name: neighbours_label
SELECT ST_AsMVT(t, 'neighbours_label', 4096, 'geom', 'fid') FROM (
    SELECT hashtext(iso_a3)::bigint & 2147483647 AS fid, iso_a3, name, name_id,
           ST_AsMVTGeom(ST_Transform(n.label_point, 3857), e.env, 4096, 64, true) AS geom
    FROM neighbour_country n,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326
        ) e
    WHERE n.label_point && e.b4326
) t

-- name: provinsi
SELECT ST_AsMVT(t, 'provinsi', 4096, 'geom', 'fid') FROM (
    SELECT code::bigint AS fid, code, name,
           ST_AsMVTGeom(ST_Transform(ST_SnapToGrid(ST_ClipByBox2D(p.geom, e.b4326), e.grid), 3857), e.env, 4096, 64, true) AS geom
    FROM provinsi p,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE p.geom && e.b4326
) t

-- name: provinsi_label
SELECT ST_AsMVT(t, 'provinsi_label', 4096, 'geom', 'fid') FROM (
    SELECT code::bigint AS fid, code, name,
           ST_AsMVTGeom(ST_Transform(p.label_point, 3857), e.env, 4096, 64, true) AS geom
    FROM provinsi p,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE p.label_point && e.b4326
) t

-- name: kabupaten_boundary
-- Kabupaten lines for the basemap: geometry and name only, for every user.
SELECT ST_AsMVT(t, 'kabupaten_boundary', 4096, 'geom', 'fid') FROM (
    SELECT replace(code, '.', '')::bigint AS fid, code, name,
           ST_AsMVTGeom(ST_Transform(ST_SnapToGrid(ST_ClipByBox2D(k.geom, e.b4326), e.grid), 3857), e.env, 4096, 64, true) AS geom
    FROM kabupaten k,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE k.geom && e.b4326
) t

-- name: kabupaten_label
SELECT ST_AsMVT(t, 'kabupaten_label', 4096, 'geom', 'fid') FROM (
    SELECT replace(code, '.', '')::bigint AS fid, code, name,
           ST_AsMVTGeom(ST_Transform(k.label_point, 3857), e.env, 4096, 64, true) AS geom
    FROM kabupaten k,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE k.label_point && e.b4326
) t

-- name: kabupaten_risk
-- Kabupaten polygons with the latest run's rollups for the run's own period,
-- limited to the user's scope.
SELECT ST_AsMVT(t, 'kabupaten', 4096, 'geom', 'fid') FROM (
    SELECT replace(k.code, '.', '')::bigint AS fid, k.code, k.name, k.provinsi_code,
           t.weighted_score AS tppo_score, t.max_score AS tppo_max, t.rank_province AS tppo_rank_province,
           t.rank_national AS tppo_rank_national, t.change AS tppo_change,
           p.weighted_score AS pmi_score, p.max_score AS pmi_max, p.rank_province AS pmi_rank_province,
           p.rank_national AS pmi_rank_national, p.change AS pmi_change,
           ST_AsMVTGeom(ST_Transform(ST_SnapToGrid(ST_ClipByBox2D(k.geom, e.b4326), e.grid), 3857), e.env, 4096, 64, true) AS geom
    FROM kabupaten k
    CROSS JOIN (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                       ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    LEFT JOIN risk_run r ON r.id = $5::bigint
    LEFT JOIN risk_rollup t ON t.run_id = r.id AND t.kind = 'tppo' AND t.level = 'kabupaten' AND t.code = k.code AND t.period = r.period
    LEFT JOIN risk_rollup p ON p.run_id = r.id AND p.kind = 'pmi' AND p.level = 'kabupaten' AND p.code = k.code AND p.period = r.period
    WHERE k.geom && e.b4326
      AND ($4::text[] IS NULL OR k.provinsi_code = ANY ($4::text[]) OR k.code = ANY ($4::text[]))
) t

-- name: kabupaten_risk_label
SELECT ST_AsMVT(t, 'kabupaten_label', 4096, 'geom', 'fid') FROM (
    SELECT replace(code, '.', '')::bigint AS fid, code, name,
           ST_AsMVTGeom(ST_Transform(k.label_point, 3857), e.env, 4096, 64, true) AS geom
    FROM kabupaten k,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE k.label_point && e.b4326
      AND ($4::text[] IS NULL OR k.provinsi_code = ANY ($4::text[]) OR k.code = ANY ($4::text[]))
) t

-- name: kecamatan
SELECT ST_AsMVT(t, 'kecamatan', 4096, 'geom', 'fid') FROM (
    SELECT replace(code, '.', '')::bigint AS fid, code, name,
           ST_AsMVTGeom(ST_Transform(ST_SnapToGrid(ST_ClipByBox2D(k.geom, e.b4326), e.grid), 3857), e.env, 4096, 64, true) AS geom
    FROM kecamatan k,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE k.geom && e.b4326
) t

-- name: kecamatan_label
SELECT ST_AsMVT(t, 'kecamatan_label', 4096, 'geom', 'fid') FROM (
    SELECT replace(code, '.', '')::bigint AS fid, code, name,
           ST_AsMVTGeom(ST_Transform(k.label_point, 3857), e.env, 4096, 64, true) AS geom
    FROM kecamatan k,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE k.label_point && e.b4326
) t

-- name: desa
-- Village polygons exist for some provinces only; desa_label covers every village.
SELECT ST_AsMVT(t, 'desa', 4096, 'geom', 'fid') FROM (
    SELECT replace(code, '.', '')::bigint AS fid, code, name,
           ST_AsMVTGeom(ST_Transform(ST_SnapToGrid(ST_ClipByBox2D(d.geom, e.b4326), e.grid), 3857), e.env, 4096, 64, true) AS geom
    FROM desa d,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE d.geom IS NOT NULL AND d.geom && e.b4326
) t

-- name: desa_label
SELECT ST_AsMVT(t, 'desa_label', 4096, 'geom', 'fid') FROM (
    SELECT replace(code, '.', '')::bigint AS fid, code, name,
           ST_AsMVTGeom(ST_Transform(d.centroid, 3857), e.env, 4096, 64, true) AS geom
    FROM desa d,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE d.centroid && e.b4326
) t

-- name: risk
-- Both risk kinds of one cell in one feature, at the resolution chosen for the
-- zoom, from the latest complete run only: the tile's hexagons found by the
-- GiST of risk_hexagon (stored pre-projected, one per H3 cell, shared by all
-- runs), each joined to its one risk_hex row by primary key.
SELECT ST_AsMVT(t, 'risk', 4096, 'geom', 'fid') FROM (
    SELECT c.h3 AS fid, to_hex(c.h3) AS h3, $6::smallint::int AS res, c.kabupaten_code,
           c.tppo_score, c.tppo_gi_bin::int AS tppo_bin, c.pmi_score, c.pmi_gi_bin::int AS pmi_bin,
           ST_AsMVTGeom(g.geom_3857, ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
    FROM risk_hexagon g
    JOIN risk_hex c ON c.run_id = $5::bigint AND c.res = g.res AND c.h3 = g.h3
    WHERE g.res = $6::smallint
      AND g.geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
      AND ($4::text[] IS NULL OR left(c.kabupaten_code, 2) = ANY ($4::text[]) OR c.kabupaten_code = ANY ($4::text[]))
) t

-- name: risk_rows
-- The risk layer as rows for the Go encoder (render.go), which measured faster
-- than ST_AsMVT on these tiles (see BenchmarkRiskEncoders): same cells as the
-- "risk" query, raw Web Mercator geometry.
SELECT c.h3, c.kabupaten_code, c.tppo_score, c.tppo_gi_bin, c.pmi_score, c.pmi_gi_bin, ST_AsBinary(g.geom_3857)
FROM risk_hexagon g
JOIN risk_hex c ON c.run_id = $5::bigint AND c.res = g.res AND c.h3 = g.h3
WHERE g.res = $6::smallint
  AND g.geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 0.015625)
  AND ($4::text[] IS NULL OR left(c.kabupaten_code, 2) = ANY ($4::text[]) OR c.kabupaten_code = ANY ($4::text[]))

-- name: ports
SELECT ST_AsMVT(t, 'ports', 4096, 'geom', 'fid') FROM (
    SELECT ('x' || substr(md5(p.id), 1, 13))::bit(52)::bigint AS fid, p.id, p.name, p.kind, p.category,
           p.kabupaten_code, p.source,
           ST_AsMVTGeom(ST_Transform(p.geom, 3857), e.env, 4096, 64, true) AS geom
    FROM port p,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE p.geom && e.b4326
      AND ($4::text[] IS NULL OR left(p.kabupaten_code, 2) = ANY ($4::text[]) OR p.kabupaten_code = ANY ($4::text[]))
) t

-- name: worksites
SELECT ST_AsMVT(t, 'worksites', 4096, 'geom', 'fid') FROM (
    SELECT ('x' || substr(md5(w.id), 1, 13))::bit(52)::bigint AS fid, w.id, w.name, w.company, w.sector,
           -- 1..9 foreign workers at a named place is a small count of people:
           -- absent from the tile (shown as "under 10"); exact figures via the audited API
           CASE WHEN w.foreign_workers BETWEEN 1 AND 9 THEN NULL ELSE w.foreign_workers END AS foreign_workers,
           w.local_workers, w.kabupaten_code,
           ST_AsMVTGeom(ST_Transform(w.geom, 3857), e.env, 4096, 64, true) AS geom
    FROM worksite w,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE w.geom && e.b4326
      AND ($4::text[] IS NULL OR left(w.kabupaten_code, 2) = ANY ($4::text[]) OR w.kabupaten_code = ANY ($4::text[]))
) t

-- name: desa_binaan
-- A desa binaan is drawn at its village centroid (polygons are missing for most provinces).
SELECT ST_AsMVT(t, 'desa_binaan', 4096, 'geom', 'fid') FROM (
    SELECT replace(d.code, '.', '')::bigint AS fid, d.code, d.name, d.kabupaten_code,
           b.established_on::text AS established_on,
           ST_AsMVTGeom(ST_Transform(d.centroid, 3857), e.env, 4096, 64, true) AS geom
    FROM desa_binaan b JOIN desa d ON d.code = b.desa_code,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE d.centroid && e.b4326
      AND ($4::text[] IS NULL OR left(d.kabupaten_code, 2) = ANY ($4::text[]) OR d.kabupaten_code = ANY ($4::text[]))
) t

-- name: incidents
-- Single incidents: only for users with personal-data rights (see layers.go).
SELECT ST_AsMVT(t, 'incidents', 4096, 'geom', 'fid') FROM (
    SELECT ('x' || substr(md5(i.id), 1, 13))::bit(52)::bigint AS fid, i.id, i.kind,
           i.occurred_on::text AS occurred_on, i.victims, i.kabupaten_code, i.desa_code,
           ST_AsMVTGeom(ST_Transform(i.geom, 3857), e.env, 4096, 64, true) AS geom
    FROM incident i,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE i.geom && e.b4326
      AND ($4::text[] IS NULL OR left(i.kabupaten_code, 2) = ANY ($4::text[]) OR i.kabupaten_code = ANY ($4::text[]))
) t

-- name: residents
-- Single stays: only for users with personal-data rights (see layers.go). No
-- names or passport numbers: those live in resident_identity and go through the
-- audited API, never into a tile.
SELECT ST_AsMVT(t, 'residents', 4096, 'geom', 'fid') FROM (
    SELECT ('x' || substr(md5(r.id), 1, 13))::bit(52)::bigint AS fid, r.id, r.nationality, r.permit_type,
           r.permit_expiry::text AS permit_expiry, r.address_kind, r.hotel_name,
           (r.permit_expiry < current_date) AS overstay, r.kabupaten_code,
           ST_AsMVTGeom(ST_Transform(r.geom, 3857), e.env, 4096, 64, true) AS geom
    FROM resident r,
         (SELECT ST_TileEnvelope($1, $2, $3) AS env,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.015625), 4326) AS b4326,
                 180.0 / (4096 * 2 ^ $1) AS grid) e
    WHERE r.geom && e.b4326
      AND ($4::text[] IS NULL OR left(r.kabupaten_code, 2) = ANY ($4::text[]) OR r.kabupaten_code = ANY ($4::text[]))
) t

-- name: residents_cells
-- Residents counted per H3 cell of resolution $6. Counts are first taken per
-- leaf cell of resolution $7 (the parent of the stored resolution-9 cell, by
-- H3's bit layout: set the resolution field, fill the finer digits with 7);
-- leaves under $8 people are dropped, and each shown cell is the sum of the
-- kept leaves under it (geo/disclosure: no zoom level can be differenced
-- against another to recover a dropped count). $8 is 1 for roles with
-- personal-data rights. $1..$4: lon/lat box already grown by a cell's width so
-- that a cell whose centre lies in the tile is counted whole; $5 scope.
WITH leaf AS (
    SELECT (r.h3_r9 & ~(15::bigint << 52)) | ($7::int::bigint << 52) | ((1::bigint << (3 * (15 - $7::int))) - 1) AS leaf,
           count(*) AS n,
           count(*) FILTER (WHERE r.permit_expiry < current_date) AS overstay,
           count(*) FILTER (WHERE r.address_kind = 'hotel') AS hotel
    FROM resident r
    WHERE r.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
      AND ($5::text[] IS NULL OR left(r.kabupaten_code, 2) = ANY ($5::text[]) OR r.kabupaten_code = ANY ($5::text[]))
    GROUP BY 1
    HAVING count(*) >= $8::int
)
SELECT (leaf & ~(15::bigint << 52)) | ($6::int::bigint << 52) | ((1::bigint << (3 * (15 - $6::int))) - 1) AS cell,
       sum(n)::int AS count, sum(overstay)::int AS overstay, sum(hotel)::int AS hotel
FROM leaf
GROUP BY 1

-- name: incidents_cells
-- As residents_cells: leaves of resolution $7 under $8 cases are dropped first.
WITH leaf AS (
    SELECT (i.h3_r9 & ~(15::bigint << 52)) | ($7::int::bigint << 52) | ((1::bigint << (3 * (15 - $7::int))) - 1) AS leaf,
           count(*) AS n,
           count(*) FILTER (WHERE i.kind = 'tppo') AS tppo,
           count(*) FILTER (WHERE i.kind = 'pmi') AS pmi,
           count(*) FILTER (WHERE i.kind = 'overstay') AS overstay
    FROM incident i
    WHERE i.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
      AND ($5::text[] IS NULL OR left(i.kabupaten_code, 2) = ANY ($5::text[]) OR i.kabupaten_code = ANY ($5::text[]))
    GROUP BY 1
    HAVING count(*) >= $8::int
)
SELECT (leaf & ~(15::bigint << 52)) | ($6::int::bigint << 52) | ((1::bigint << (3 * (15 - $6::int))) - 1) AS cell,
       sum(n)::int AS count, sum(tppo)::int AS tppo, sum(pmi)::int AS pmi, sum(overstay)::int AS overstay
FROM leaf
GROUP BY 1

-- name: data_version
-- What the tiles depend on, polled to invalidate the cache: the latest complete
-- risk run and the newest import. Both are index look-ups.
SELECT coalesce((SELECT id FROM risk_latest), 0) AS run_id,
       coalesce((SELECT max(id) FROM import_log), 0) AS import_id

-- name: risk_resolutions
-- The H3 resolutions a run holds: one index probe per possible resolution
-- instead of a DISTINCT over millions of cells.
SELECT r FROM generate_series(0, 15) r
WHERE EXISTS (SELECT 1 FROM risk_hex WHERE run_id = $1::bigint AND res = r::smallint)
ORDER BY r

-- name: scope_bounds
-- The extent of a user's scope, for TileJSON bounds; NULL scope = national.
SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (
    SELECT ST_Extent(geom) AS b FROM kabupaten
    WHERE $1::text[] IS NULL OR provinsi_code = ANY ($1::text[]) OR code = ANY ($1::text[])
) e WHERE b IS NOT NULL
