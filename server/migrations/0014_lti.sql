-- LTI 1.3 (issue #17). The platforms an administrator registered, each with the
-- deployment ids it may launch from; the OIDC logins in progress (state hashed, nonce
-- used once, across instances); and the accounts launches made, by (issuer, subject).
CREATE TABLE lti_platforms (
    id         INTEGER PRIMARY KEY,
    issuer     TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    auth_url   TEXT NOT NULL,
    token_url  TEXT NOT NULL,
    keyset_url TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (issuer, client_id)
);

CREATE TABLE lti_deployments (
    platform_id   INTEGER NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL,
    PRIMARY KEY (platform_id, deployment_id)
);

-- login_params: the initiation's parameters (JSON), to start again in a new window.
CREATE TABLE lti_logins (
    state_hash   TEXT PRIMARY KEY,
    nonce        TEXT NOT NULL UNIQUE,
    platform_id  INTEGER NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
    login_params TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT
);
CREATE INDEX lti_logins_expiry ON lti_logins(expires_at);

-- email: the platform's claim, for the record; the account's own address is a
-- placeholder, so that an LTI account never takes over (or is taken over by) a local one.
CREATE TABLE lti_accounts (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX lti_accounts_user ON lti_accounts(user_id);
