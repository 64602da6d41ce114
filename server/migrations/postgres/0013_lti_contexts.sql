-- LTI Names and Role Provisioning Services (issue #17 §3). Each platform course (an LTI
-- context) launched from has one cohort here: found by (platform, context id) at every
-- launch, created by the first; its title and memberships URL are the latest launch's.
-- roster_*: the last roster import from the platform (when, members read, what it did,
-- and the platform's error when it failed), shown on the cohort's page.
CREATE TABLE lti_contexts (
    platform_id     BIGINT NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
    context_id      TEXT NOT NULL,
    cohort_id       BIGINT NOT NULL UNIQUE REFERENCES cohorts(id) ON DELETE CASCADE,
    title           TEXT NOT NULL DEFAULT '',
    memberships_url TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    roster_at       TEXT,
    roster_read     INTEGER NOT NULL DEFAULT 0,
    roster_added    INTEGER NOT NULL DEFAULT 0,
    roster_already  INTEGER NOT NULL DEFAULT 0,
    roster_skipped  INTEGER NOT NULL DEFAULT 0,
    roster_inactive INTEGER NOT NULL DEFAULT 0,
    roster_error    TEXT,
    PRIMARY KEY (platform_id, context_id)
);
