-- Measured learning time (issue #18 §2, Code du travail art. D6313-3-1): each learner's
-- working stretches per module, as course/activity.py defines them. A hit (a module page,
-- a quiz or reflection post, the open page's heartbeat) extends the latest stretch of that
-- learner and module when its last hit is at most 10 minutes older, else starts a new one.
CREATE TABLE activity_stretches (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    module_id  TEXT NOT NULL,
    started_at TEXT NOT NULL,
    last_at    TEXT NOT NULL
);
CREATE INDEX activity_stretches_latest ON activity_stretches(user_id, module_id, last_at);
