-- Login attempts (issue #12): each one is recorded before its password is
-- checked, in the same statement that decides whether it may go ahead, so
-- concurrent guesses cannot overtake the limit; a success removes the rows of
-- its account and address. Rows older than the throttle's window are deleted.
-- `at` is Unix time in seconds: delays are arithmetic on it.

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    address TEXT NOT NULL,
    account TEXT NOT NULL,
    at REAL NOT NULL
);

CREATE INDEX login_attempts_address ON login_attempts (address, account, at);
CREATE INDEX login_attempts_account ON login_attempts (account, at);
CREATE INDEX login_attempts_at ON login_attempts (at);
