-- Open Badges 3.0 credentials (issue #16): one per certificate, signed once, then frozen.
-- status_index is the certificate's bit in the published status list. No foreign key:
-- the row outlives a purged certificate, whose bit must go on reading « revoked ».
CREATE TABLE badge_credentials (
    status_index   INTEGER PRIMARY KEY,
    certificate_id TEXT NOT NULL UNIQUE,
    credential     TEXT,
    signed_at      TEXT
);
