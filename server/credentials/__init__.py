"""Open Badges 3.0 credentials: keys, signatures, the status list (issue #16)."""
