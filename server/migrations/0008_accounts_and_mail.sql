-- Accounts people can live with (issue #14): e-mail sent through an outbox,
-- one-time tokens (password reset, address confirmation), sessions people can
-- see and end, reminders, and accounts their owner can delete.

-- Confirmed once the owner followed the link sent to the address; reminders go
-- only to confirmed addresses. Existing accounts are trusted as they are.
ALTER TABLE users ADD COLUMN email_confirmed_at TEXT;
UPDATE users SET email_confirmed_at = created_at;
-- Any request with a valid session moves it (at most once an hour): the
-- inactive-account purge counts from it.
ALTER TABLE users ADD COLUMN last_seen_at TEXT;
UPDATE users SET last_seen_at = created_at;
-- Set by the link in every reminder: no more reminders, no sign-in needed.
ALTER TABLE users ADD COLUMN reminders_off INTEGER NOT NULL DEFAULT 0;
-- A deleted account keeps only this row, emptied (no address, no name, no
-- password), so that cohorts can say « compte supprimé » where a name was.
ALTER TABLE users ADD COLUMN deleted_at TEXT;
-- With the retention setting on, a deleted learner's training records are kept
-- pseudonymised until this date, then purged (RGPD art. 17(3)(b)).
ALTER TABLE users ADD COLUMN purge_after TEXT;
-- When the inactive-account warning was sent (the purge waits 30 days after it).
ALTER TABLE users ADD COLUMN inactivity_warned_at TEXT;

-- What a person needs to recognise a session in « Mon compte ».
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
UPDATE sessions SET last_seen_at = created_at;

-- One-time links: only the token's hash is kept; `email` is the address a
-- confirmation link confirms (a change of address takes effect only then).
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('reset', 'confirm')),
    email      TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- Every message the site sends is first a row here, written in the same
-- transaction as the event that causes it; the sender task delivers it.
-- `claimed_until` is a lease: one sender (of several workers) owns a message
-- while it sends it; a lease left by a stopped server expires and the message
-- is sent by the next one.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    cohort_id       INTEGER REFERENCES cohorts(id) ON DELETE SET NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    headers         TEXT NOT NULL DEFAULT '{}',
    secret          INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'waiting'
                    CHECK (status IN ('waiting', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until   TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_user ON outbox (user_id);

-- Reminders sent to learners and digests to trainers: which rule, when, and
-- the message (delivered or failed, read from the outbox). The period makes a
-- rule fire at most once per period for a person, whichever worker runs it.
CREATE TABLE reminders (
    id        INTEGER PRIMARY KEY,
    cohort_id INTEGER REFERENCES cohorts(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    rule      TEXT NOT NULL,
    period    TEXT NOT NULL,
    outbox_id INTEGER REFERENCES outbox(id) ON DELETE SET NULL,
    sent_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    at        TEXT NOT NULL,
    UNIQUE (cohort_id, user_id, rule, period)
);
CREATE INDEX reminders_user ON reminders (user_id, at);

-- Reminder rules of a cohort, in days (NULL: off).
ALTER TABLE cohorts ADD COLUMN remind_not_started_days INTEGER;
ALTER TABLE cohorts ADD COLUMN remind_inactive_days INTEGER;
ALTER TABLE cohorts ADD COLUMN remind_before_due_days INTEGER;

-- Rate limits other than the login throttle (sign-ups per address, reset
-- requests per address and per account): one row per event, `at` in Unix seconds.
CREATE TABLE rate_events (
    bucket TEXT NOT NULL,
    key    TEXT NOT NULL,
    at     REAL NOT NULL
);
CREATE INDEX rate_events_key ON rate_events (bucket, key, at);
