-- The content version every instance should serve (issue #15 §2): the instance
-- where an editor reloads the content writes it; every instance reads this one
-- row every 2 seconds and reloads from its own disk when the version differs.
CREATE TABLE content_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    version     TEXT NOT NULL,
    reloaded_at TEXT NOT NULL
);
