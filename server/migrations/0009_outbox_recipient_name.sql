-- The recipient's name, for the message's To header (« Zoé Ñúñez <zoe@…> »):
-- the outbox keeps what the message was composed with, not a later rename.
ALTER TABLE outbox ADD COLUMN recipient_name TEXT NOT NULL DEFAULT '';
