-- The countries around Indonesia (Natural Earth admin-0 at 1:10m), for map
-- context only: land beside Batam, Entikong, Atambua or Skouw drawn under our
-- own boundaries in the basemap tiles and the PDF maps. Never used to locate
-- anything (its coastlines do not match the Kemendagri boundaries).
CREATE TABLE IF NOT EXISTS neighbour_country (
    iso_a3      text PRIMARY KEY,
    name        text NOT NULL,             -- English
    name_id     text NOT NULL,             -- Bahasa Indonesia (Singapura, Papua Nugini, ...)
    geom        geometry(MultiPolygon, 4326) NOT NULL,
    label_point geometry(Point, 4326) NOT NULL
);
CREATE INDEX IF NOT EXISTS neighbour_country_geom ON neighbour_country USING gist (geom);
