-- As SQLite's migration 0019. Learners' satisfaction (issue #18 §3; quality audits, Qualiopi). The answers are
-- anonymous: `satisfaction_answers` holds no user id, a random id rather than a rising
-- one and only the month, so no row can be matched with its author by order or time.
-- `satisfaction_asked` is the separate record that a learner was asked (so they are not
-- asked twice): answered or declined, and for the « à froid » questionnaire the e-mail
-- invitation, its one reminder and the hash of its single-use link. It goes with the account.
CREATE TABLE satisfaction_answers (
    id        TEXT PRIMARY KEY,
    path_id   TEXT NOT NULL,
    cohort_id BIGINT REFERENCES cohorts(id) ON DELETE SET NULL,
    phase     TEXT NOT NULL CHECK (phase IN ('hot', 'cold')),
    month     TEXT NOT NULL,
    answers   TEXT NOT NULL
);
CREATE INDEX satisfaction_answers_path ON satisfaction_answers(path_id, phase, cohort_id);

-- state: 'invited' (cold, e-mail sent), 'answered' or 'declined'.
CREATE TABLE satisfaction_asked (
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path_id     TEXT NOT NULL,
    phase       TEXT NOT NULL CHECK (phase IN ('hot', 'cold')),
    cohort_id   BIGINT REFERENCES cohorts(id) ON DELETE SET NULL,
    state       TEXT NOT NULL CHECK (state IN ('invited', 'answered', 'declined')),
    invited_at  TEXT,
    reminded_at TEXT,
    token_hash  TEXT UNIQUE,
    PRIMARY KEY (user_id, path_id, phase)
);
CREATE INDEX satisfaction_asked_path ON satisfaction_asked(path_id, phase, cohort_id);
