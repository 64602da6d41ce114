"""E-mail: messages composed from templates, kept in the outbox, sent by a task."""
