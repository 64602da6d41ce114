"""The schema's numbered SQL migrations: SQLite's here, PostgreSQL's in `postgres/`.

Files are named `NNNN_description.sql`. Never edit one that has landed: add the
next. The code that applies them lives with the rest of the SQL, in
server/storage/ (sqlite_migrations.py, postgres.py).
"""
