-- The name a platform last sent for its user (issue #17): a later launch updates the
-- account's name only when this claim changes, so a name the learner set on « Mon compte »
-- holds until the platform's own changes. Existing links start from the account's name.
ALTER TABLE lti_accounts ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE lti_accounts SET name = (SELECT u.name FROM users u WHERE u.id = lti_accounts.user_id);
