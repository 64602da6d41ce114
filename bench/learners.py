"""Many signed-in learners and their quiz submissions, made without the web forms.

A quiz form carries its attempt (course/attempt.py): a submission counts once, for
one learner's next attempt, and is graded against that attempt's draw. A load
test of submissions therefore needs many learners, each sending its attempts in
turn. Signing each one up through Argon2 would take minutes, so they are written
straight into the database the server opened, with sessions signed by the same
secret key.

Attempts are limited per learner and module (server/attempt_limits.py): a bench
measures recorded submissions, not refusals, so each learner sends fewer attempts
than the limit allows in its short window (`group`), whatever the request rate.
"""

from __future__ import annotations

import math
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from course.attempt import arrange
from course.models import Module
from server.attempt_limits import AttemptLimits
from server.middleware import CSRF_COOKIE as CSRF
from server.middleware import SESSION_COOKIE as SESSION
from server.security import Signer, cookie_name, csrf_binding, token_hash

CSRF_COOKIE = "bench-csrf-cookie"
FAR_FUTURE = "2999-01-01T00:00:00+00:00"


@dataclass(frozen=True)
class Learner:
    user_id: int
    cookie: str  # the Cookie header a signed-in browser would send
    csrf: str  # the form's CSRF field: tokens are bound to the session (server/security.py)


def seed(
    database: Path | str, signer: Signer, count: int, start: int = 0, https: bool = True
) -> list[Learner]:
    """Create `count` learners with open sessions, in one transaction.

    `database`: the SQLite file, or a postgresql:// URL. `https`: the server runs
    in production, where cookie names carry `__Host-`.
    """
    csrf_name, session_name = cookie_name(CSRF, https), cookie_name(SESSION, https)
    # A tag per call: one database may be seeded again by a later measurement.
    tag = secrets.token_hex(4)
    rows = [
        (f"bench-{tag}-{n}@example.fr", f"Apprenant {n}", token_hash(f"bench-{tag}-{n}"), n)
        for n in range(start, start + count)
    ]
    ids = _insert(database, rows)
    learners = []
    for (_, _, _, n), user_id in zip(rows, ids, strict=True):
        session = signer.session_cookie(f"bench-{tag}-{n}")
        cookie = f"{csrf_name}={CSRF_COOKIE}; {session_name}={session}"
        csrf = signer.csrf_token(csrf_binding(CSRF_COOKIE, session))
        learners.append(Learner(user_id, cookie, urlencode({"csrf_token": csrf})))
    return learners


USER = (
    "INSERT INTO users (email, name, password_hash, created_at)"
    " VALUES (?, ?, 'bench', '2026-01-01T00:00:00+00:00') RETURNING id"
)
SESSION_ROW = (
    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
    " VALUES (?, ?, '2026-01-01T00:00:00+00:00', ?)"
)


def _insert(database: Path | str, rows: list[tuple[str, str, str, int]]) -> list[int]:
    """Each learner's account and session; their ids."""
    ids = []
    if isinstance(database, str) and database.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(database) as pg, pg.transaction():
            for email, name, session, _ in rows:
                row = pg.execute(USER.replace("?", "%s"), (email, name)).fetchone()
                assert row is not None
                ids.append(int(row[0]))
                pg.execute(SESSION_ROW.replace("?", "%s"), (session, ids[-1], FAR_FUTURE))
        return ids
    with sqlite3.connect(database, timeout=30) as db:
        for email, name, session, _ in rows:
            ids.append(int(db.execute(USER, (email, name)).fetchone()[0]))
            db.execute(SESSION_ROW, (session, ids[-1], FAR_FUTURE))
    return ids


def group(requests: int, limits: AttemptLimits | None = None) -> tuple[int, int]:
    """(learners, attempts each) to send `requests` submissions that no limit refuses."""
    limits = limits or AttemptLimits()
    attempts = min(limits.per_window, limits.per_day) - 1
    return math.ceil(requests / attempts), attempts


def answers(signer: Signer, module: Module, user_id: int, number: int) -> str:
    """The form of a learner's attempt `number`, every drawn question answered right."""
    seed_value = signer.attempt_seed(user_id, module.id, number)
    fields = [
        ("tentative", signer.attempt_token(user_id, module.id, number)),
        *(
            (q.id, choice)
            for q in arrange(module, seed_value).plain
            for choice in sorted(q.correct_ids)
        ),
    ]
    return urlencode(fields)


def form(signer: Signer, module: Module, learner: Learner, number: int) -> str:
    """The whole body of a learner's attempt `number`: its CSRF field and its answers."""
    return f"{learner.csrf}&{answers(signer, module, learner.user_id, number)}"
