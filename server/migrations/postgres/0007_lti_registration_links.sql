-- LTI Dynamic Registration (issue #17): the one-time links an administrator makes on
-- /admin/lti for a platform to register itself. Only the token's hash is kept; a link
-- expires, and is used once (used_at set by the one UPDATE that claims it).
CREATE TABLE lti_registration_links (
    token_hash TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
