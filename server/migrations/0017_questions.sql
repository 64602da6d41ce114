-- Learner–trainer questions (issue #18 §2): pedagogical assistance that leaves a dated,
-- written trace (Code du travail, art. R6313-3 and D6313-3-1). A learner in a cohort asks
-- about one module; the cohort's trainers answer on the site. `trainer_unread` is set when
-- the learner writes and cleared when a trainer opens the thread.
CREATE TABLE questions (
    id             INTEGER PRIMARY KEY,
    cohort_id      INTEGER NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path_id        TEXT NOT NULL,
    module_id      TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    trainer_unread INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX questions_learner ON questions(user_id, module_id);
CREATE INDEX questions_cohort ON questions(cohort_id, user_id);

-- author_id: who wrote (the learner or a trainer); a deleted author's row is a tombstone.
CREATE TABLE question_messages (
    id           INTEGER PRIMARY KEY,
    question_id  INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    author_id    INTEGER NOT NULL REFERENCES users(id),
    from_trainer INTEGER NOT NULL DEFAULT 0,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX question_messages_thread ON question_messages(question_id, created_at);
