-- What each import did, so that it can be listed and undone (issue 22).
--
-- import_log gains who ran it, what it added and replaced, and whether it was
-- undone. import_row keeps one row per table row an import wrote: added (the
-- import created it; undo deletes it) or replaced (prior holds the row as it
-- was before, geometry as hex EWKB text; undo writes it back). Undo refuses
-- when a later import that is not undone wrote the same rows. Imports recorded
-- before this migration have no import_row rows and cannot be undone.
ALTER TABLE import_log
    ADD COLUMN run_by        text NOT NULL DEFAULT '',
    ADD COLUMN rows_added    integer,
    ADD COLUMN rows_replaced integer,
    ADD COLUMN undoable      boolean NOT NULL DEFAULT false,
    ADD COLUMN undone_at     timestamptz,
    ADD COLUMN undone_by     text,
    ADD COLUMN undone_in     bigint REFERENCES import_log (id);

CREATE TABLE import_row (
    import_id bigint NOT NULL REFERENCES import_log (id) ON DELETE CASCADE,
    tbl       text NOT NULL,
    key       text NOT NULL,
    added     boolean NOT NULL,
    prior     jsonb,
    PRIMARY KEY (import_id, tbl, key),
    CHECK (NOT added OR prior IS NULL)
);
-- No index on (tbl, key): every import writes one row here per row it
-- writes, and a second index would cost each of them; the look-ups by key
-- (undo's check for later imports, retention, subject reports) are rare and
-- hash-join the table instead.
