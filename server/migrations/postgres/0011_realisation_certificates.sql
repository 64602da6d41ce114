-- As SQLite's migration 0020. Certificats de réalisation (issue #18 §1, model of the arrêté of
-- 21 December 2018): the employer and the funder's file number a trainer fills in before
-- issuing it, one per learner and path.
CREATE TABLE realisation_certificates (
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path_id     TEXT NOT NULL,
    employer    TEXT NOT NULL DEFAULT '',
    funder_file TEXT NOT NULL DEFAULT '',
    issued_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    issued_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, path_id)
);
