-- JSON API queries (internal/api). Every query reads the latest complete risk
-- run unless a run id is passed; scope filters take text[] code prefixes
-- (province "21" or kabupaten "21.71"), NULL meaning national.

-- name: latest_run
SELECT l.id, l.period, l.resolution, l.finished_at, r.inputs_published
FROM risk_latest l JOIN risk_run r ON r.id = l.id

-- name: runs
-- Complete runs, newest first: the period selector's list.
SELECT id, period, train_until, resolution, started_at, finished_at
FROM risk_run WHERE status = 'complete'
ORDER BY id DESC LIMIT 60

-- name: run_periods
-- The periods a run has rollups for (its own period and the ones before it).
SELECT DISTINCT period FROM risk_rollup
WHERE run_id = $1 AND level = 'kabupaten'
ORDER BY period DESC

-- name: run_exists
SELECT period FROM risk_run WHERE id = $1 AND status = 'complete'

-- name: cell
-- One cell of a run with its kabupaten and province names, and its rank among
-- the kabupaten's cells of the same kind and resolution (an index range). The
-- national rank comes from the scores cached by rank.go.
SELECT c.res, c.score, c.gi_z, c.gi_p, c.gi_bin, c.kabupaten_code,
       k.name, k.provinsi_code, p.name, c.factor_values_f4, c.contrib_f4,
       ST_X(ST_Centroid(c.geom)), ST_Y(ST_Centroid(c.geom)),
       (SELECT count(*) FROM risk_cell o
         WHERE o.run_id = c.run_id AND o.kind = c.kind AND o.res = c.res
           AND o.kabupaten_code = c.kabupaten_code AND o.score > c.score) + 1 AS rank_kabupaten,
       (SELECT count(*) FROM risk_cell o
         WHERE o.run_id = c.run_id AND o.kind = c.kind AND o.res = c.res
           AND o.kabupaten_code = c.kabupaten_code) AS cells_kabupaten
FROM risk_cell c
LEFT JOIN kabupaten k ON k.code = c.kabupaten_code
LEFT JOIN provinsi p ON p.code = k.provinsi_code
WHERE c.run_id = $1 AND c.kind = $2 AND c.h3 = $3 AND c.res = $4

-- name: scores
-- Every score of one kind and resolution in a run, for the national rank cache.
SELECT score FROM risk_cell WHERE run_id = $1 AND kind = $2 AND res = $3

-- name: factors
SELECT ord, name, label_id, label_en, coefficient, rr, kept
FROM risk_factor WHERE run_id = $1 AND kind = $2
ORDER BY ord

-- name: kabupaten
-- A kabupaten with its province, extent and the number of kabupaten ranked with it.
SELECT k.code, k.name, k.provinsi_code, p.name, k.area_km2,
       ST_XMin(k.geom), ST_YMin(k.geom), ST_XMax(k.geom), ST_YMax(k.geom),
       ST_X(k.label_point), ST_Y(k.label_point),
       (SELECT count(*) FROM kabupaten o WHERE o.provinsi_code = k.provinsi_code) AS in_province,
       (SELECT count(*) FROM kabupaten) AS in_nation
FROM kabupaten k JOIN provinsi p ON p.code = k.provinsi_code
WHERE k.code = $1

-- name: kabupaten_rollups
-- Every rollup of one kabupaten in a run up to a period, newest first; the
-- handler keeps the newest 12 per kind for the trend.
SELECT kind, period, weighted_score, mean_score, max_score, cells,
       rank_province, rank_national, prev_weighted, change
FROM risk_rollup
WHERE run_id = $1 AND level = 'kabupaten' AND code = $2 AND period <= $3
ORDER BY kind, period DESC

-- name: ranked_counts
-- How many kabupaten carry a rank in the period, per kind, nationally and in a province.
SELECT kind, count(*) AS nation, count(*) FILTER (WHERE left(code, 2) = $3) AS province
FROM risk_rollup
WHERE run_id = $1 AND level = 'kabupaten' AND period = $2
GROUP BY kind

-- name: ranking
-- Kabupaten rollups of one kind and period inside the scope; sorted in Go.
SELECT r.code, k.name, k.provinsi_code, p.name, r.weighted_score, r.max_score, r.mean_score,
       r.rank_national, r.rank_province, r.prev_weighted, r.change,
       ST_X(k.label_point), ST_Y(k.label_point),
       (SELECT count(*) FROM risk_rollup o
         WHERE o.run_id = r.run_id AND o.kind = r.kind AND o.level = 'kabupaten' AND o.period = r.period) AS of_nation
FROM risk_rollup r
JOIN kabupaten k ON k.code = r.code
JOIN provinsi p ON p.code = k.provinsi_code
WHERE r.run_id = $1 AND r.kind = $2 AND r.level = 'kabupaten' AND r.period = $3
  AND ($4::text[] IS NULL OR k.provinsi_code = ANY ($4::text[]) OR k.code = ANY ($4::text[]))
  AND ($5::text = '' OR k.provinsi_code = $5::text)

-- name: search
-- Places by name (case-insensitive substring, $1 is an escaped LIKE pattern
-- body) or by code prefix ($2), at every level. Ordered: names that start
-- with the text (after "Kabupaten"/"Kota") first, then coarser levels, then
-- shorter names. The matches are ranked and cut to $3 first; only those few
-- get their bounding boxes, since reading a boundary means detoasting its
-- polygon ("Kab" matches 400 kabupaten: 0.2-0.4 s when every match paid it).
WITH hit AS (
    SELECT ord, level, code, name, parent FROM (
        SELECT 1 AS ord, 'provinsi' AS level, p.code, p.name, NULL::text AS parent
        FROM provinsi p WHERE p.name ILIKE '%' || $1 || '%' OR p.code LIKE $2 || '%'
        UNION ALL
        SELECT 2, 'kabupaten', k.code, k.name, p.name
        FROM kabupaten k JOIN provinsi p ON p.code = k.provinsi_code
        WHERE k.name ILIKE '%' || $1 || '%' OR k.code LIKE $2 || '%'
        UNION ALL
        SELECT 3, 'kecamatan', c.code, c.name, k.name
        FROM kecamatan c JOIN kabupaten k ON k.code = c.kabupaten_code
        WHERE c.name ILIKE '%' || $1 || '%' OR c.code LIKE $2 || '%'
        UNION ALL
        SELECT 4, 'desa', d.code, d.name, k.name
        FROM desa d JOIN kabupaten k ON k.code = d.kabupaten_code
        WHERE d.name ILIKE '%' || $1 || '%' OR d.code LIKE $2 || '%'
    ) s
    ORDER BY (regexp_replace(name, '^(Kabupaten|Kota|Kab\.|Desa|Kelurahan) ', '', 'i') ILIKE $1 || '%' OR code = $2) DESC,
             ord, length(name), name
    LIMIT $3
)
SELECT h.level, h.code, h.name, h.parent, b.xmin, b.ymin, b.xmax, b.ymax
FROM hit h
CROSS JOIN LATERAL (
    SELECT ST_XMin(g) AS xmin, ST_YMin(g) AS ymin, ST_XMax(g) AS xmax, ST_YMax(g) AS ymax FROM (
        SELECT CASE h.level
            WHEN 'provinsi'  THEN (SELECT geom::box2d FROM provinsi WHERE code = h.code)
            WHEN 'kabupaten' THEN (SELECT geom::box2d FROM kabupaten WHERE code = h.code)
            WHEN 'kecamatan' THEN (SELECT geom::box2d FROM kecamatan WHERE code = h.code)
            -- villages without a polygon get a box of about 2 km around the centroid
            ELSE (SELECT coalesce(geom::box2d, ST_Expand(centroid, 0.01)::box2d) FROM desa WHERE code = h.code)
        END AS g
        OFFSET 0 -- evaluate the box once, not once per output column
    ) x
) b
ORDER BY (regexp_replace(h.name, '^(Kabupaten|Kota|Kab\.|Desa|Kelurahan) ', '', 'i') ILIKE $1 || '%' OR h.code = $2) DESC,
         h.ord, length(h.name), h.name
