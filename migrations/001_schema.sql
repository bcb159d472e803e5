-- Waspada core schema: official boundaries, operational layers and indicators.
-- All geometry is WGS84 (SRID 4326). H3 cells are stored as bigint (an H3 index
-- always fits: its top bit is reserved and zero) at resolution 9, the finest
-- analysis resolution; coarser cells are parents computed in Go.
-- Enumerations are text + CHECK rather than PostgreSQL enums so that adding a
-- value is a plain migration that does not need ALTER TYPE gymnastics.

CREATE EXTENSION IF NOT EXISTS postgis;

-- ---------------------------------------------------------------- boundaries
CREATE TABLE provinsi (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
    name        text NOT NULL,
    geom        geometry(MultiPolygon, 4326) NOT NULL,
    label_point geometry(Point, 4326) NOT NULL,
    area_km2    double precision NOT NULL,
    -- derived: dissolved from its kabupaten because the source had no polygon.
    derived     boolean NOT NULL DEFAULT false,
    repaired    boolean NOT NULL DEFAULT false
);

CREATE TABLE kabupaten (
    code          text PRIMARY KEY CHECK (code ~ '^[0-9]{2}\.[0-9]{2}$'),
    provinsi_code text NOT NULL REFERENCES provinsi (code),
    name          text NOT NULL,
    geom          geometry(MultiPolygon, 4326) NOT NULL,
    label_point   geometry(Point, 4326) NOT NULL,
    area_km2      double precision NOT NULL,
    repaired      boolean NOT NULL DEFAULT false,
    -- relative area change caused by ST_MakeValid, in percent (0 when valid as published)
    repair_area_change_pct double precision NOT NULL DEFAULT 0,
    CHECK (left(code, 2) = provinsi_code)
);

CREATE TABLE kecamatan (
    code           text PRIMARY KEY CHECK (code ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$'),
    kabupaten_code text NOT NULL REFERENCES kabupaten (code),
    name           text NOT NULL,
    geom           geometry(MultiPolygon, 4326) NOT NULL,
    label_point    geometry(Point, 4326) NOT NULL,
    repaired       boolean NOT NULL DEFAULT false,
    CHECK (left(code, 5) = kabupaten_code)
);

-- Every village has a centroid (83k, national); polygons exist for some provinces only.
-- kecamatan_code is not a foreign key: the centroid list is newer than some district
-- polygons, and a village must not be dropped because its district polygon is missing.
CREATE TABLE desa (
    code           text PRIMARY KEY CHECK (code ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$'),
    kecamatan_code text NOT NULL CHECK (left(code, 8) = kecamatan_code),
    kabupaten_code text NOT NULL REFERENCES kabupaten (code) CHECK (left(code, 5) = kabupaten_code),
    name           text NOT NULL,
    centroid       geometry(Point, 4326) NOT NULL,
    geom           geometry(MultiPolygon, 4326),
    h3_r9          bigint NOT NULL,
    repaired       boolean NOT NULL DEFAULT false
);

-- Kabupaten cut into pieces of at most 128 vertices: point-in-polygon and
-- nearest-kabupaten look-ups against these are orders of magnitude faster than
-- against whole coastlines (imports locate up to millions of points).
CREATE TABLE kabupaten_part (
    kabupaten_code text NOT NULL REFERENCES kabupaten (code) ON DELETE CASCADE,
    geom           geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX kabupaten_part_gix ON kabupaten_part USING gist (geom);

CREATE INDEX provinsi_geom_gix  ON provinsi  USING gist (geom);
CREATE INDEX kabupaten_geom_gix ON kabupaten USING gist (geom);
CREATE INDEX kabupaten_prov_ix  ON kabupaten (provinsi_code);
CREATE INDEX kecamatan_geom_gix ON kecamatan USING gist (geom);
CREATE INDEX kecamatan_kab_ix   ON kecamatan (kabupaten_code);
CREATE INDEX desa_centroid_gix  ON desa USING gist (centroid);
CREATE INDEX desa_geom_gix      ON desa USING gist (geom) WHERE geom IS NOT NULL;
CREATE INDEX desa_kab_ix        ON desa (kabupaten_code);

-- ---------------------------------------------------------------- ports
CREATE TABLE port (
    id             text PRIMARY KEY,
    name           text NOT NULL,
    -- main: Pelabuhan Utama; public: Pelabuhan Umum; special_terminal: Terminal Khusus;
    -- private_terminal: TUKS; informal: informal landing point ("jalur tikus").
    kind           text NOT NULL CHECK (kind IN ('main', 'public', 'special_terminal', 'private_terminal', 'informal')),
    category       text,           -- the register's own category text, verbatim
    unlocode_local text,
    operator       text,
    authority      text,
    source         text NOT NULL CHECK (source IN ('reference', 'import')),
    kabupaten_code text REFERENCES kabupaten (code),
    -- distance to the assigned kabupaten polygon (0 inside), km
    offshore_km    double precision NOT NULL DEFAULT 0,
    -- why there is no kabupaten, or a note when the register's regency name disagrees
    location_note  text,
    register_regency  text,
    register_province text,
    note           text,
    geom           geometry(Point, 4326) NOT NULL,
    h3_r9          bigint NOT NULL
);
CREATE INDEX port_geom_gix ON port USING gist (geom);
CREATE INDEX port_kab_ix   ON port (kabupaten_code);

-- ---------------------------------------------------------------- worksites
CREATE TABLE worksite (
    id              text PRIMARY KEY,
    name            text NOT NULL,
    company         text,
    sector          text NOT NULL CHECK (sector IN ('mining', 'smelter', 'plantation', 'construction',
                                                    'manufacturing', 'energy', 'fishery', 'tourism', 'other')),
    foreign_workers integer NOT NULL CHECK (foreign_workers >= 0),
    local_workers   integer NOT NULL CHECK (local_workers >= 0),
    kabupaten_code  text NOT NULL REFERENCES kabupaten (code),
    geom            geometry(Point, 4326) NOT NULL,
    h3_r9           bigint NOT NULL
);
CREATE INDEX worksite_geom_gix ON worksite USING gist (geom);
CREATE INDEX worksite_kab_ix   ON worksite (kabupaten_code);

-- ---------------------------------------------------------------- foreign residents
-- One row per reported stay: a residence (domicile) or a hotel stay reported through APOA.
-- Identifying fields live in resident_identity so that access to them can be granted,
-- audited and revoked separately from the location and permit facts.
CREATE TABLE resident (
    id             text PRIMARY KEY,
    nationality    text NOT NULL CHECK (nationality ~ '^[A-Z]{3}$'),   -- ISO 3166-1 alpha-3
    permit_type    text NOT NULL CHECK (permit_type IN ('ITAS', 'ITAP', 'VISIT', 'VOA', 'OTHER')),
    permit_expiry  date NOT NULL,
    arrival_date   date NOT NULL,
    address_kind   text NOT NULL CHECK (address_kind IN ('residence', 'hotel')),
    hotel_name     text,
    check_in       date,
    check_out      date,
    reported_on    date NOT NULL,
    worksite_id    text REFERENCES worksite (id),
    kabupaten_code text NOT NULL REFERENCES kabupaten (code),
    geom           geometry(Point, 4326) NOT NULL,
    h3_r9          bigint NOT NULL,
    CHECK (permit_expiry >= arrival_date),
    CHECK (address_kind = 'residence' OR (hotel_name IS NOT NULL AND check_in IS NOT NULL)),
    CHECK (check_out IS NULL OR check_in IS NULL OR check_out >= check_in)
);
CREATE INDEX resident_geom_gix   ON resident USING gist (geom);
CREATE INDEX resident_kab_ix     ON resident (kabupaten_code);
CREATE INDEX resident_expiry_ix  ON resident (permit_expiry);

CREATE TABLE resident_identity (
    resident_id     text PRIMARY KEY REFERENCES resident (id) ON DELETE CASCADE,
    full_name       text NOT NULL,
    passport_number text NOT NULL,
    birth_date      date,
    sex             text CHECK (sex IN ('M', 'F', 'X'))
);

-- ---------------------------------------------------------------- desa binaan
CREATE TABLE desa_binaan (
    desa_code      text PRIMARY KEY REFERENCES desa (code),
    established_on date NOT NULL,
    note           text
);

-- ---------------------------------------------------------------- incidents
CREATE TABLE incident (
    id             text PRIMARY KEY,
    -- tppo: human-trafficking case; pmi: non-procedural PMI interception; overstay: overstay finding
    kind           text NOT NULL CHECK (kind IN ('tppo', 'pmi', 'overstay')),
    occurred_on    date NOT NULL,
    victims        integer NOT NULL DEFAULT 0 CHECK (victims >= 0),
    -- a case is located by a point, by the victims' village of origin, or both
    desa_code      text REFERENCES desa (code),
    kabupaten_code text NOT NULL REFERENCES kabupaten (code),
    geom           geometry(Point, 4326) NOT NULL,
    h3_r9          bigint NOT NULL,
    note           text
);
CREATE INDEX incident_geom_gix ON incident USING gist (geom);
CREATE INDEX incident_kind_date_ix ON incident (kind, occurred_on);

-- ---------------------------------------------------------------- indicators
-- Open-ended: any named indicator per kabupaten and month (period = first day of month).
CREATE TABLE indicator (
    kabupaten_code text NOT NULL REFERENCES kabupaten (code),
    period         date NOT NULL CHECK (extract(day FROM period) = 1),
    name           text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]*$'),
    value          double precision NOT NULL,
    PRIMARY KEY (kabupaten_code, period, name)
);

-- ---------------------------------------------------------------- import log
CREATE TABLE import_log (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL,
    source      text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    rows_in     integer NOT NULL,
    rows_written integer NOT NULL,
    report      jsonb NOT NULL DEFAULT '{}'
);

-- Does a register's upper-case regency name ("KOTA MEDAN", "KAB. BATU BARA",
-- "BATU BARA") name the same kabupaten as our "Kota Medan" / "Kabupaten Batu Bara"?
CREATE FUNCTION waspada_same_regency(register text, official text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT official IS NOT NULL AND
        regexp_replace(upper(regexp_replace(register, '^\s*(KABUPATEN ADMINISTRASI|KOTA ADMINISTRASI|KABUPATEN|KAB\.?)\s+', '', 'i')), '[^A-Z0-9]', '', 'g')
      = regexp_replace(upper(regexp_replace(official, '^\s*(KABUPATEN ADMINISTRASI|KOTA ADMINISTRASI|KABUPATEN|KAB\.?)\s+', '', 'i')), '[^A-Z0-9]', '', 'g')
$$;
