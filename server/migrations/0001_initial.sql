-- Accounts, sessions, enrolments, progress, attempts, reflections, certificates.
-- Progress is keyed by module id (never by file or position) and kept when a
-- module disappears from the content, so pages still render and nothing is lost.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE enrolments (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path_id    TEXT NOT NULL,
    started_at TEXT NOT NULL,
    PRIMARY KEY (user_id, path_id)
) WITHOUT ROWID;

CREATE TABLE progress (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    module_id    TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    best_score   INTEGER,
    completed_at TEXT,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, module_id)
) WITHOUT ROWID;

CREATE TABLE attempts (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path_id    TEXT NOT NULL,
    module_id  TEXT NOT NULL,
    score      INTEGER NOT NULL,
    passed     INTEGER NOT NULL,
    answers    TEXT NOT NULL,
    content_version TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX attempts_user_module ON attempts(user_id, module_id);

-- Recording an attempt is one INSERT: this trigger keeps the learner's progress
-- (attempts, best score, completion) and enrolment in the same implicit
-- transaction, so a quiz submission costs a single statement and a single commit.
CREATE TRIGGER attempts_update_progress AFTER INSERT ON attempts
BEGIN
    INSERT INTO progress (user_id, module_id, attempts, best_score, completed_at, updated_at)
    VALUES (
        NEW.user_id, NEW.module_id, 1, NEW.score,
        CASE WHEN NEW.passed THEN NEW.created_at END, NEW.created_at
    )
    ON CONFLICT (user_id, module_id) DO UPDATE SET
        attempts = attempts + 1,
        best_score = MAX(COALESCE(best_score, 0), excluded.best_score),
        completed_at = COALESCE(completed_at, excluded.completed_at),
        updated_at = excluded.updated_at;
    INSERT INTO enrolments (user_id, path_id, started_at)
    VALUES (NEW.user_id, NEW.path_id, NEW.created_at)
    ON CONFLICT DO NOTHING;
END;

CREATE TABLE reflections (
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reflection_id TEXT NOT NULL,
    module_id     TEXT NOT NULL,
    answer        TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (user_id, reflection_id)
) WITHOUT ROWID;

CREATE TABLE certificates (
    id              TEXT PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    path_id         TEXT NOT NULL,
    learner_name    TEXT NOT NULL,
    path_title      TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    course_title    TEXT NOT NULL,
    content_version TEXT NOT NULL,
    issued_at       TEXT NOT NULL,
    revoked_at      TEXT,
    revoked_reason  TEXT,
    UNIQUE (user_id, path_id)
);
