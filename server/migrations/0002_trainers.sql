-- Roles, cohorts, invitations and shared plans (issue #4).

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('trainer', 'editor', 'admin')),
    PRIMARY KEY (user_id, role)
) WITHOUT ROWID;

-- Every grant and removal, with who did it: an audit trail, never rewritten.
CREATE TABLE role_changes (
    id       INTEGER PRIMARY KEY,
    actor_id INTEGER REFERENCES users(id),
    user_id  INTEGER NOT NULL REFERENCES users(id),
    role     TEXT NOT NULL CHECK (role IN ('trainer', 'editor', 'admin')),
    action   TEXT NOT NULL CHECK (action IN ('grant', 'revoke')),
    at       TEXT NOT NULL
);

-- A role change is written once, to the log; this trigger applies it, so the
-- change and its record are one statement and can never disagree.
CREATE TRIGGER role_changes_apply AFTER INSERT ON role_changes
BEGIN
    INSERT INTO user_roles (user_id, role)
    SELECT NEW.user_id, NEW.role WHERE NEW.action = 'grant'
    ON CONFLICT DO NOTHING;
    DELETE FROM user_roles
    WHERE NEW.action = 'revoke' AND user_id = NEW.user_id AND role = NEW.role;
END;

CREATE TABLE cohorts (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    path_id      TEXT NOT NULL,
    due_date     TEXT,
    join_code    TEXT NOT NULL UNIQUE,
    join_enabled INTEGER NOT NULL DEFAULT 1,
    archived_at  TEXT,
    created_by   INTEGER REFERENCES users(id),
    created_at   TEXT NOT NULL
);

CREATE TABLE cohort_trainers (
    cohort_id INTEGER NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (cohort_id, user_id)
) WITHOUT ROWID;
CREATE INDEX cohort_trainers_user ON cohort_trainers(user_id);

CREATE TABLE cohort_members (
    cohort_id    INTEGER NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    joined_at    TEXT NOT NULL,
    plan_shared  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (cohort_id, user_id)
) WITHOUT ROWID;
CREATE INDEX cohort_members_user ON cohort_members(user_id);

CREATE TABLE invitations (
    cohort_id  INTEGER NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
    email      TEXT NOT NULL COLLATE NOCASE,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (cohort_id, email)
) WITHOUT ROWID;
CREATE INDEX invitations_email ON invitations(email);

CREATE INDEX progress_module ON progress(module_id);

-- The creator of a cohort is its first trainer, in the same statement.
CREATE TRIGGER cohorts_first_trainer AFTER INSERT ON cohorts
WHEN NEW.created_by IS NOT NULL
BEGIN
    INSERT INTO cohort_trainers (cohort_id, user_id) VALUES (NEW.id, NEW.created_by);
END;
