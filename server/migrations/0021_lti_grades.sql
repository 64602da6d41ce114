-- LTI Assignment and Grade Services (issue #17 §3).
-- lti_grade_links: per learner and resource link, what the latest launch said about
-- where grades go (the link's line item, or only the context's line-item container)
-- and what the link opens (a path or a module), so that a later completion knows
-- where to post. subject: the learner's `sub` at the platform (the score's userId).
CREATE TABLE lti_grade_links (
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    platform_id      INTEGER NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
    resource_link_id TEXT NOT NULL,
    subject          TEXT NOT NULL,
    lineitem_url     TEXT NOT NULL DEFAULT '',
    lineitems_url    TEXT NOT NULL DEFAULT '',
    target_kind      TEXT NOT NULL CHECK (target_kind IN ('path', 'module')),
    target_id        TEXT NOT NULL,
    label            TEXT NOT NULL DEFAULT '',
    launched_at      TEXT NOT NULL,
    PRIMARY KEY (user_id, platform_id, resource_link_id)
);
CREATE INDEX lti_grade_links_target ON lti_grade_links (user_id, target_kind, target_id);
CREATE INDEX lti_grade_links_item ON lti_grade_links (platform_id, resource_link_id);

-- lti_grades: the grade outbox, one row per learner and line item (resource link):
-- the best score to send (it only goes up), whether it completes the activity, and
-- the delivery's state. sent_score: the highest score the platform accepted.
-- refused: the platform said no (4xx, e.g. a user who is not gradable), not retried;
-- failed: the retries ran out. An administrator may send either again (/admin/lti).
CREATE TABLE lti_grades (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL,
    platform_id      INTEGER NOT NULL,
    resource_link_id TEXT NOT NULL,
    score            INTEGER NOT NULL,
    completed        INTEGER NOT NULL DEFAULT 0,
    scored_at        TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'waiting'
                     CHECK (status IN ('waiting', 'sending', 'sent', 'refused', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_try         TEXT NOT NULL,
    claimed_until    TEXT,
    last_error       TEXT,
    sent_score       INTEGER,
    sent_at          TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (user_id, platform_id, resource_link_id),
    FOREIGN KEY (user_id, platform_id, resource_link_id)
        REFERENCES lti_grade_links (user_id, platform_id, resource_link_id) ON DELETE CASCADE
);
CREATE INDEX lti_grades_due ON lti_grades (status, next_try);
