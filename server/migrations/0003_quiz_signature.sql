-- Which version of a module's quiz a learner passed (issue #6): when editors
-- change the questions or answers, the module shows « mis à jour » until the
-- learner passes the new quiz. Completion itself is never taken away.

ALTER TABLE attempts ADD COLUMN quiz_signature TEXT;
ALTER TABLE progress ADD COLUMN quiz_signature TEXT;

DROP TRIGGER attempts_update_progress;

CREATE TRIGGER attempts_update_progress AFTER INSERT ON attempts
BEGIN
    INSERT INTO progress (
        user_id, module_id, attempts, best_score, completed_at, updated_at, quiz_signature
    )
    VALUES (
        NEW.user_id, NEW.module_id, 1, NEW.score,
        CASE WHEN NEW.passed THEN NEW.created_at END, NEW.created_at,
        CASE WHEN NEW.passed THEN NEW.quiz_signature END
    )
    ON CONFLICT (user_id, module_id) DO UPDATE SET
        attempts = attempts + 1,
        best_score = MAX(COALESCE(best_score, 0), excluded.best_score),
        completed_at = COALESCE(completed_at, excluded.completed_at),
        quiz_signature = COALESCE(excluded.quiz_signature, quiz_signature),
        updated_at = excluded.updated_at;
    INSERT INTO enrolments (user_id, path_id, started_at)
    VALUES (NEW.user_id, NEW.path_id, NEW.created_at)
    ON CONFLICT DO NOTHING;
END;
