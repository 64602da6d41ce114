-- LTI client-side postMessage storage (issue #17 §2). A login started inside the
-- platform's frame, where the browser may refuse the state cookie, keeps its state in
-- the platform's window instead: storage_target is the platform's `lti_storage_target`
-- ('_parent' or a frame's name), NULL for a login bound by the state cookie.
-- opened_at: when the course was opened in a new window with that launch's one-time
-- ticket (server/views/lti_storage.py), so that the ticket opens it once.
ALTER TABLE lti_logins ADD COLUMN storage_target TEXT;
ALTER TABLE lti_logins ADD COLUMN opened_at TEXT;
