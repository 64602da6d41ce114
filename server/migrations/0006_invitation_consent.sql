-- Invitations wait for their addressee's answer (issue #12): a trainer's import
-- never makes anyone a member. An invitation is pending until its addressee
-- accepts (it becomes a membership) or declines (declined_at is set, so that a
-- new import of the same address does not ask again).
ALTER TABLE invitations ADD COLUMN declined_at TEXT;

-- Whoever becomes a member, by accepting or by the join link, has nothing left
-- waiting for that cohort: the membership and the cleanup are one statement.
CREATE TRIGGER cohort_members_close_invitation AFTER INSERT ON cohort_members
BEGIN
    DELETE FROM invitations
    WHERE cohort_id = NEW.cohort_id
      AND email = (SELECT email FROM users WHERE id = NEW.user_id);
END;

-- Invitations that already turned into memberships are not pending.
DELETE FROM invitations
WHERE EXISTS (
    SELECT 1 FROM cohort_members m JOIN users u ON u.id = m.user_id
    WHERE m.cohort_id = invitations.cohort_id AND u.email = invitations.email
);
