-- The risk engine's analysis grid (every H3 cell over the kabupaten plus the
-- coastal band, each with its kabupaten) depends only on the boundaries, the
-- resolution and the band width, yet covering 514 kabupaten takes about 4 s
-- of a national compute. It is cached here, keyed by an md5 of the kabupaten
-- geometries and codes: a reference import that changes a boundary changes
-- the fingerprint and the next compute covers again. A cache: losing it costs
-- one recomputation, nothing else.
CREATE TABLE risk_grid (
    res         smallint NOT NULL,
    band_km     double precision NOT NULL,
    fingerprint text NOT NULL,
    cells       bytea NOT NULL,   -- H3 indexes, little-endian uint64, sorted
    area        bytea NOT NULL,   -- per cell, little-endian int32 index into codes
    band        bytea NOT NULL,   -- per cell, 1 when the cell is in the coastal band
    codes       text[] NOT NULL,  -- kabupaten codes
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (res, band_km)
);
