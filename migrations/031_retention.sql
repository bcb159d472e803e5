-- Retention of personal data (UU 27/2022: kept no longer than its purpose
-- needs) and pseudonymous data subjects for the audit log (issue 22).

-- The policy, one row. Defaults (docs/DATA-LIFECYCLE.md says why): a hotel stay
-- is personal data for 24 months after check-out, a residence for 60 months
-- after its permit ended.
CREATE TABLE retention_policy (
    id                boolean PRIMARY KEY DEFAULT true CHECK (id),
    hotel_stay_months integer NOT NULL DEFAULT 24 CHECK (hotel_stay_months BETWEEN 1 AND 1200),
    resident_months   integer NOT NULL DEFAULT 60 CHECK (resident_months BETWEEN 1 AND 1200),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    updated_by        text NOT NULL DEFAULT 'default'
);
INSERT INTO retention_policy DEFAULT VALUES;

-- Stays whose identity a retention run removed. The row in resident keeps what
-- the risk model and the aggregates read (H3 cell, kabupaten, nationality,
-- permit type, dates), under a new random id, with its point moved to the
-- centre of its H3 cell (resolution 9, about 0.1 km²).
CREATE TABLE retained_resident (
    resident_id text PRIMARY KEY REFERENCES resident (id) ON DELETE CASCADE ON UPDATE CASCADE,
    retained_at timestamptz NOT NULL DEFAULT now(),
    run_id      bigint NOT NULL REFERENCES import_log (id)
);

-- A data subject as the audit log knows them: a random id, never the passport.
-- An audit row about one person (a subject access report) names this id. The
-- row here, which links the id to a passport number, is deleted by the first
-- retention run after the last record with that passport lost its identity, so
-- from then on the audit rows (kept, append-only) lead to nobody.
CREATE TABLE data_subject (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    passport_number text NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX resident_identity_passport_ix ON resident_identity (upper(passport_number));
