-- Reminders (issue #14 §4): the trainers' weekly digest and its opt-outs.

-- A digest concerns all of a trainer's cohorts: its row in `reminders` has no
-- cohort, and NULLs never collide in a UNIQUE constraint, so this index is what
-- keeps it to one per trainer and ISO week, whichever worker runs the rules.
CREATE UNIQUE INDEX reminders_once_without_cohort ON reminders (user_id, rule, period)
    WHERE cohort_id IS NULL;
-- The cohort's trainers receive the weekly digest of its learners at risk.
ALTER TABLE cohorts ADD COLUMN remind_digest INTEGER NOT NULL DEFAULT 0;
-- Set by the link in a digest: no more digests for this trainer, whatever the cohort.
ALTER TABLE users ADD COLUMN digest_off INTEGER NOT NULL DEFAULT 0;
