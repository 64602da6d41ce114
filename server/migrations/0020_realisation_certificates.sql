-- Certificats de réalisation (issue #18 §1, model of the arrêté of 21 December 2018): what the
-- site cannot know about a learner's path, filled in by a trainer of their cohort before issuing
-- it — the employer and the funder's file number. One per learner and path; issued_at is set
-- when the trainer issues it. The rest of the document comes from what the site recorded.
CREATE TABLE realisation_certificates (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path_id     TEXT NOT NULL,
    employer    TEXT NOT NULL DEFAULT '',
    funder_file TEXT NOT NULL DEFAULT '',
    issued_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    issued_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, path_id)
);
