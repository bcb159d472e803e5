-- Runs computed from published inputs only (people and case layers suppressed
-- on their base cells before the model sees them, geo/disclosure). Runs made
-- before this migration fitted on unpublished counts: their factor values and
-- contributions for those layers are withheld from roles without
-- personal-data rights (internal/api), and they should be recomputed.
ALTER TABLE risk_run ADD COLUMN inputs_published boolean NOT NULL DEFAULT false;

