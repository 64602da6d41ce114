-- The public half of each signing key, by kind and number (issue #15 §2, #16, #17).
-- Every app instance signs with the key files of its own disk: a badge's status list
-- and the LTI keyset are found by key number, so instances must hold the same keys.
-- The first instance to start records its public keys here; an instance whose key of
-- the same number differs refuses to start, instead of signing what others cannot check.
CREATE TABLE signing_keys (
    kind       TEXT NOT NULL,
    number     INTEGER NOT NULL,
    public_key TEXT NOT NULL,
    PRIMARY KEY (kind, number)
);
