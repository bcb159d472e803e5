-- Reference import: staging tables are filled by COPY from Go, then these
-- statements repair, derive and upsert inside one transaction.

-- name: create_ref_stage
CREATE TEMP TABLE ref_area (
    level    text NOT NULL,
    code     text NOT NULL,
    name     text NOT NULL,
    wkb      bytea NOT NULL,
    cen_lon  double precision,
    cen_lat  double precision,
    sanitised boolean NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE ref_village (
    code text NOT NULL, name text NOT NULL, lon double precision NOT NULL,
    lat double precision NOT NULL, h3 bigint NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE ref_port (
    id text NOT NULL, name text NOT NULL, kind text, category text, unlocode text,
    operator text, authority text, regency text, province text,
    lon double precision NOT NULL, lat double precision NOT NULL, h3 bigint NOT NULL
) ON COMMIT DROP;

-- name: repair_areas
-- Decode, repair (keep polygonal parts only) and measure. "structure" repair treats
-- rings as shells and holes, which is what a published boundary means; the
-- default "linework" method can turn nested shells into holes.
CREATE TEMP TABLE ref_fixed ON COMMIT DROP AS
SELECT level, code, name, cen_lon, cen_lat, raw_valid, sanitised,
       fixed,
       -- An invalid polygon has no spherical area (PostGIS refuses), so the repair
       -- is measured in an equal-area projection (EPSG:6933) on both sides.
       ST_Area(ST_Transform(raw, 6933)) / 1e6 AS raw_km2,
       ST_Area(ST_Transform(fixed, 6933)) / 1e6 AS fixed_eq_km2,
       ST_Area(fixed::geography) / 1e6 AS fixed_km2
FROM (
    SELECT level, code, name, cen_lon, cen_lat, sanitised, raw,
           ST_IsValid(raw) AS raw_valid,
           ST_Multi(ST_CollectionExtract(
               CASE WHEN ST_IsValid(raw) THEN raw ELSE ST_MakeValid(raw, 'method=structure') END, 3)) AS fixed
    FROM (SELECT level, code, name, cen_lon, cen_lat, sanitised, ST_SetSRID(ST_GeomFromWKB(wkb), 4326) AS raw FROM ref_area) d
) r;

-- name: ref_area_report
SELECT level, count(*) AS n,
       count(*) FILTER (WHERE NOT raw_valid OR sanitised) AS repaired,
       count(*) FILTER (WHERE ST_IsEmpty(fixed)) AS empty
FROM ref_fixed GROUP BY level ORDER BY level;

-- name: ref_area_changed
-- Kabupaten whose repair changed the area by more than 1 %.
SELECT code, name, raw_km2, fixed_eq_km2
FROM ref_fixed
WHERE level = 'kabupaten' AND raw_km2 > 0 AND abs(fixed_eq_km2 - raw_km2) / raw_km2 > 0.01
ORDER BY code;

-- name: upsert_provinsi
INSERT INTO provinsi (code, name, geom, label_point, area_km2, derived, repaired)
SELECT code, name, fixed, ST_PointOnSurface(fixed), fixed_km2, false, NOT raw_valid OR sanitised
FROM ref_fixed WHERE level = 'provinsi' AND NOT ST_IsEmpty(fixed)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom, label_point = EXCLUDED.label_point,
    area_km2 = EXCLUDED.area_km2, derived = false, repaired = EXCLUDED.repaired
WHERE (provinsi.name, provinsi.area_km2, provinsi.derived, provinsi.repaired) IS DISTINCT FROM
      (EXCLUDED.name, EXCLUDED.area_km2, false, EXCLUDED.repaired)
   OR NOT ST_OrderingEquals(provinsi.geom, EXCLUDED.geom);

-- name: derive_missing_provinsi
-- Provinces absent from the province file (63 Kalimantan Selatan) are dissolved
-- from their kabupaten. $1/$2: arrays of province codes and names for naming them.
INSERT INTO provinsi (code, name, geom, label_point, area_km2, derived, repaired)
SELECT p.code, coalesce(n.name, 'Provinsi ' || p.code), p.geom, ST_PointOnSurface(p.geom),
       ST_Area(p.geom::geography) / 1e6, true, false
FROM (
    SELECT left(code, 2) AS code, ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(fixed ORDER BY code)), 3)) AS geom
    FROM ref_fixed f
    WHERE level = 'kabupaten' AND NOT EXISTS (SELECT 1 FROM ref_fixed p WHERE p.level = 'provinsi' AND p.code = left(f.code, 2))
    GROUP BY left(code, 2)
) p
LEFT JOIN unnest($1::text[], $2::text[]) AS n(code, name) ON n.code = p.code
ON CONFLICT (code) DO UPDATE SET geom = EXCLUDED.geom, label_point = EXCLUDED.label_point, area_km2 = EXCLUDED.area_km2, derived = true
WHERE NOT ST_OrderingEquals(provinsi.geom, EXCLUDED.geom) OR NOT provinsi.derived
RETURNING code, name;

-- name: upsert_kabupaten
INSERT INTO kabupaten (code, provinsi_code, name, geom, label_point, area_km2, repaired, repair_area_change_pct)
SELECT code, left(code, 2), name, fixed, ST_PointOnSurface(fixed), fixed_km2, NOT raw_valid OR sanitised,
       CASE WHEN raw_km2 > 0 THEN (fixed_eq_km2 - raw_km2) / raw_km2 * 100 ELSE 0 END
FROM ref_fixed WHERE level = 'kabupaten' AND NOT ST_IsEmpty(fixed)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom, label_point = EXCLUDED.label_point,
    area_km2 = EXCLUDED.area_km2, repaired = EXCLUDED.repaired, repair_area_change_pct = EXCLUDED.repair_area_change_pct
WHERE (kabupaten.name, kabupaten.area_km2, kabupaten.repaired) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.area_km2, EXCLUDED.repaired)
   OR NOT ST_OrderingEquals(kabupaten.geom, EXCLUDED.geom);

-- name: rebuild_kabupaten_part
DELETE FROM kabupaten_part;
INSERT INTO kabupaten_part (kabupaten_code, geom)
SELECT code, (ST_Dump(ST_Subdivide(geom, 128))).geom FROM kabupaten;

-- name: upsert_kecamatan
-- A kecamatan whose kabupaten is unknown is skipped and reported (returned).
WITH ins AS (
    INSERT INTO kecamatan (code, kabupaten_code, name, geom, label_point, repaired)
    SELECT f.code, left(f.code, 5), f.name, f.fixed, ST_PointOnSurface(f.fixed), NOT f.raw_valid OR f.sanitised
    FROM ref_fixed f JOIN kabupaten k ON k.code = left(f.code, 5)
    WHERE f.level = 'kecamatan' AND NOT ST_IsEmpty(f.fixed)
    ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom, label_point = EXCLUDED.label_point,
        repaired = EXCLUDED.repaired
    WHERE kecamatan.name IS DISTINCT FROM EXCLUDED.name OR kecamatan.repaired IS DISTINCT FROM EXCLUDED.repaired
       OR NOT ST_OrderingEquals(kecamatan.geom, EXCLUDED.geom)
    RETURNING 1
)
SELECT (SELECT count(*) FROM ins),
       coalesce((SELECT array_agg(code ORDER BY code) FROM ref_fixed f WHERE level = 'kecamatan'
                 AND (ST_IsEmpty(fixed) OR NOT EXISTS (SELECT 1 FROM kabupaten k WHERE k.code = left(f.code, 5)))), '{}');

-- name: upsert_desa
-- Village centroids, national. Villages of unknown kabupaten are skipped and reported.
WITH ins AS (
    INSERT INTO desa (code, kecamatan_code, kabupaten_code, name, centroid, h3_r9)
    SELECT v.code, left(v.code, 8), left(v.code, 5), v.name, ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326), v.h3
    FROM ref_village v JOIN kabupaten k ON k.code = left(v.code, 5)
    ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, centroid = EXCLUDED.centroid, h3_r9 = EXCLUDED.h3_r9
    WHERE desa.name IS DISTINCT FROM EXCLUDED.name OR desa.h3_r9 IS DISTINCT FROM EXCLUDED.h3_r9
    RETURNING 1
)
SELECT (SELECT count(*) FROM ins),
       coalesce((SELECT array_agg(code ORDER BY code) FROM ref_village v
                 WHERE NOT EXISTS (SELECT 1 FROM kabupaten k WHERE k.code = left(v.code, 5))), '{}');

-- name: update_desa_polygons
-- Village polygons (some provinces) are attached to the national centroid rows.
-- Returns the number changed and the polygon codes with no centroid row.
WITH upd AS (
    UPDATE desa d SET geom = f.fixed, repaired = NOT f.raw_valid OR f.sanitised
    FROM ref_fixed f
    WHERE f.level = 'desa' AND f.code = d.code AND NOT ST_IsEmpty(f.fixed)
      AND (d.geom IS NULL OR NOT ST_OrderingEquals(d.geom, f.fixed))
    RETURNING 1
)
SELECT (SELECT count(*) FROM upd),
       coalesce((SELECT array_agg(code ORDER BY code) FROM ref_fixed f WHERE level = 'desa'
                 AND NOT EXISTS (SELECT 1 FROM ref_village v WHERE v.code = f.code)), '{}');

-- name: upsert_ref_ports
-- Each register port gets its kabupaten: the one containing it, else the nearest
-- within 25 km (ports stand on the water's edge and slightly offshore).
WITH located AS (
    SELECT p.*, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326) AS pt, loc.code AS kab, loc.km
    FROM ref_port p
    LEFT JOIN LATERAL (
        SELECT kp.kabupaten_code AS code,
               CASE WHEN ST_Intersects(kp.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)) THEN 0
                    ELSE ST_Distance(kp.geom::geography, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)::geography) / 1000 END AS km
        FROM kabupaten_part kp
        ORDER BY kp.geom <-> ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)
        LIMIT 8
    ) loc ON true
), best AS (
    SELECT DISTINCT ON (id) * FROM located ORDER BY id, km NULLS LAST, kab  -- kab breaks ties (a port on a shared border) so a re-import places it the same way
), named AS (
    SELECT b.*, k.name AS kab_name FROM best b LEFT JOIN kabupaten k ON k.code = b.kab AND b.km <= 25
)
INSERT INTO port (id, name, kind, category, unlocode_local, operator, authority, source, kabupaten_code,
                  offshore_km, location_note, register_regency, register_province, geom, h3_r9)
SELECT id, name, kind, category, nullif(unlocode, ''), nullif(operator, ''), nullif(authority, ''), 'reference',
       CASE WHEN km <= 25 THEN kab END,
       CASE WHEN km <= 25 THEN round(km::numeric, 3) ELSE 0 END,
       CASE WHEN km IS NULL OR km > 25 THEN format('no kabupaten within 25 km (nearest %s km; the register names %s): offshore terminal or wrong coordinates in the register', round(km::numeric, 1), coalesce(nullif(regency, ''), 'no regency'))
            WHEN regency <> '' AND NOT waspada_same_regency(regency, kab_name)
                 THEN format('register names %s, location is in %s', regency, kab_name) END,
       nullif(regency, ''), nullif(province, ''), pt, h3
FROM named
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, category = EXCLUDED.category,
    kabupaten_code = EXCLUDED.kabupaten_code, offshore_km = EXCLUDED.offshore_km,
    location_note = EXCLUDED.location_note, geom = EXCLUDED.geom, h3_r9 = EXCLUDED.h3_r9
WHERE (port.name, port.kind, port.kabupaten_code, port.offshore_km, port.location_note)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.kabupaten_code, EXCLUDED.offshore_km, EXCLUDED.location_note);

-- name: delete_stale_ports
-- Register entries that are no longer in the register.
DELETE FROM port p WHERE p.source = 'reference' AND NOT EXISTS (SELECT 1 FROM ref_port r WHERE r.id = p.id);

-- name: port_report
SELECT count(*) AS total,
       count(*) FILTER (WHERE kabupaten_code IS NULL) AS unlocated,
       count(*) FILTER (WHERE offshore_km > 0) AS offshore,
       count(*) FILTER (WHERE kabupaten_code IS NOT NULL AND location_note IS NOT NULL) AS name_mismatch
FROM port WHERE source = 'reference';

-- name: port_unlocated
SELECT id, name, location_note FROM port WHERE source = 'reference' AND kabupaten_code IS NULL ORDER BY id;

-- name: insert_neighbour
-- A neighbouring country, repaired; its label point on its largest part.
INSERT INTO neighbour_country (iso_a3, name, name_id, geom, label_point)
SELECT $1, $2, $3, g, ST_PointOnSurface((SELECT d.geom FROM ST_Dump(g) d ORDER BY ST_Area(d.geom) DESC LIMIT 1))
FROM (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromWKB($4), 4326)), 3)) AS g) x
