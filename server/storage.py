"""The only place SQL lives: domain-named methods over SQLite (aiosqlite, WAL).

Every write is a single SQL statement in autocommit mode: its own transaction,
durably committed before the method returns (the wait for the disk is shared by
the transactions committed meanwhile: see server/walsync.py). No transaction
is ever held open across an await, so concurrent requests cannot share one, and
no lock is needed: the writer connection's thread runs statements one at a time.
Where a write has side effects (an attempt updates progress and enrolment), a
trigger in the schema keeps them in the same statement. Reads use a second
connection and never wait for writers (WAL). A PostgreSQL backend would
implement the same methods.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite

from course.certificates import Certificate
from course.progress import ModuleProgress
from server.attempt_limits import AttemptLimits
from server.migrations import apply_migrations
from server.storage_account import AccountQueries
from server.storage_cohorts import USER_COLUMNS, CohortQueries, _roles
from server.storage_health import HealthQueries
from server.storage_invitations import InvitationQueries
from server.storage_items import ItemQueries
from server.storage_logins import LoginQueries
from server.storage_outbox import OutboxQueries
from server.storage_personal import PersonalDataQueries
from server.storage_rates import RateQueries
from server.storage_reminders import ReminderQueries
from server.storage_tokens import TokenQueries
from server.walsync import WalSync

BUSY_TIMEOUT_MS = 5000
# One statement of a transaction: SQL and its parameters (by position or by name).
Step = tuple[str, tuple | Mapping[str, object]]
FAR_FUTURE = "9999"  # later than every stored timestamp: nothing counted


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    roles: frozenset[str] = frozenset()
    # When the session that found this user was last marked as seen (set by the
    # session queries only): server/web.py refreshes the mark once it is an hour old.
    session_seen_at: str | None = field(default=None, compare=False, repr=False)

    def has(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class RecordedAttempt:
    """An attempt just stored, with what the certificate rule needs after a pass."""

    id: int
    user_id: int
    learner_name: str | None  # read for a pass only
    completed: frozenset[str]  # modules completed once this attempt counted (pass only)


@dataclass(frozen=True)
class LastAttempt:
    """What the result page needs to show an attempt as the learner saw it."""

    answers: dict[str, list[str]]
    number: int | None  # None: recorded before options were shuffled
    passed: bool


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Storage(
    AccountQueries,
    CohortQueries,
    HealthQueries,
    InvitationQueries,
    ItemQueries,
    LoginQueries,
    OutboxQueries,
    PersonalDataQueries,
    RateQueries,
    ReminderQueries,
    TokenQueries,
):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._wal_sync: WalSync | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = await self._connect()
            await self._writer.execute("PRAGMA journal_mode = WAL")
            await apply_migrations(self._writer)
            self._reader = await self._connect()
            # From here on, commits are flushed to disk by WalSync, shared (group commit).
            await self._writer.execute("PRAGMA synchronous = NORMAL")
            # The WAL lives beside the file SQLite opened: behind a symlink, not beside it.
            (_, _, opened), *_ = await self._writer.execute_fetchall("PRAGMA database_list")
            self._wal_sync = WalSync(Path(f"{opened}-wal"))
        except BaseException:
            await self.close()  # a connection's thread left running would keep the process alive
            raise

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA synchronous = FULL")
        except BaseException:
            await conn.close()
            raise
        return conn

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None
        if self._wal_sync is not None:
            self._wal_sync.close()
            self._wal_sync = None

    # -- plumbing -------------------------------------------------------------

    async def _all(self, sql: str, params: tuple = ()) -> list[aiosqlite.Row]:
        """One hop to the database thread per query: execute and fetch together."""
        assert self._reader is not None, "storage is not open"
        return list(await self._reader.execute_fetchall(sql, params))

    async def _one(self, sql: str, params: tuple = ()) -> aiosqlite.Row | None:
        rows = await self._all(sql, params)
        return rows[0] if rows else None

    async def _write(self, sql: str, params: tuple = ()) -> list[aiosqlite.Row]:
        """One statement, one transaction, committed and on disk when this returns."""
        rows = list(await self._writer_connection().execute_fetchall(sql, params))
        await self._durable()
        return rows

    async def _write_if_any(self, sql: str, params: tuple = ()) -> list[aiosqlite.Row]:
        """One statement that may write nothing: the wait for the disk only if it returned rows.

        A refused quiz submission (not the learner's next attempt, over a limit)
        writes nothing and should not queue behind the disk.
        """
        rows = list(await self._writer_connection().execute_fetchall(sql, params))
        if rows:
            await self._durable()
        return rows

    async def _transaction(self, steps: Sequence[Step]) -> list[list[aiosqlite.Row]]:
        """Several statements as one transaction, in one hop to the writer thread.

        For the few events that must write two things or nothing: a password
        reset's token and the message that carries it (the outbox). Running the
        whole transaction inside the writer's thread keeps the rule above: no
        transaction is held open across an await, so no other request's
        statement can land inside it. Returns each statement's rows.
        """
        conn = self._writer_connection()

        def run() -> list[list[aiosqlite.Row]]:
            db = conn._conn
            db.execute("BEGIN IMMEDIATE")
            try:
                results = [db.execute(sql, params).fetchall() for sql, params in steps]
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return results

        results = await conn._execute(run)
        await self._durable()
        self._outbox_recorded(steps)  # wakes this process's mail sender (storage_outbox.py)
        return results

    async def _durable(self) -> None:
        assert self._wal_sync is not None, "storage is not open"
        await self._wal_sync.durable()

    def _writer_connection(self) -> aiosqlite.Connection:
        assert self._writer is not None, "storage is not open"
        return self._writer

    async def ping(self) -> bool:
        return (await self._one("SELECT 1")) is not None

    # -- accounts and sessions ----------------------------------------------

    async def create_user(self, email: str, name: str, password_hash: str) -> User | None:
        """The new user, or None when the email is already registered."""
        rows = await self._write(
            "INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (email) DO NOTHING RETURNING id",
            (email, name, password_hash, now()),
        )
        return User(rows[0]["id"], email, name) if rows else None

    async def credentials(self, email: str) -> tuple[User, str] | None:
        row = await self._one(
            "SELECT id, email, name, password_hash FROM users WHERE email = ?", (email,)
        )
        if row is None:
            return None
        return User(row["id"], row["email"], row["name"]), row["password_hash"]

    async def update_password_hash(self, user_id: int, password_hash: str) -> None:
        await self._write(
            "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id)
        )

    async def create_session(
        self, user_id: int, token_hash: str, days: int, user_agent: str = ""
    ) -> None:
        created = datetime.now(UTC)
        stamp = created.isoformat(timespec="seconds")
        expires = (created + timedelta(days=days)).isoformat(timespec="seconds")
        await self._transaction(
            [
                (
                    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at,"
                    " user_agent, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (token_hash, user_id, stamp, expires, user_agent[:300], stamp),
                ),
                # A sign-in is activity: the inactive-account purge counts from here.
                ("UPDATE users SET last_seen_at = ? WHERE id = ?", (stamp, user_id)),
                ("DELETE FROM sessions WHERE expires_at < ?", (stamp,)),
            ]
        )

    async def end_session(self, token_hash: str) -> None:
        await self._write("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    async def end_sessions_of(self, user_id: int, keep: str | None = None) -> None:
        """Sign a user out everywhere, or everywhere but the session `keep` (a token hash)."""
        await self._write(
            "DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?", (user_id, keep)
        )

    async def session_user(self, token_hash: str) -> User | None:
        row = await self._one(
            f"SELECT {USER_COLUMNS}, s.last_seen_at AS seen FROM sessions s"
            " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
            (token_hash, now()),
        )
        if row is None:
            return None
        return User(row["id"], row["email"], row["name"], _roles(row), row["seen"])

    # -- enrolments and progress ----------------------------------------------

    async def enrol(self, user_id: int, path_id: str) -> None:
        await self._write(
            "INSERT INTO enrolments (user_id, path_id, started_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (user_id, path_id, now()),
        )

    async def enrolments(self, user_id: int) -> set[str]:
        rows = await self._all("SELECT path_id FROM enrolments WHERE user_id = ?", (user_id,))
        return {row["path_id"] for row in rows}

    async def progress(self, user_id: int) -> dict[str, ModuleProgress]:
        rows = await self._all(
            "SELECT module_id, attempts, best_score, completed_at, quiz_signature FROM progress"
            " WHERE user_id = ?",
            (user_id,),
        )
        return {row["module_id"]: _progress(row) for row in rows}

    async def session_learner_state(
        self, token_hash: str, module_id: str
    ) -> tuple[User | None, dict[str, ModuleProgress], dict[str, str]]:
        """The signed-in user, their progress in every module, their answers in this one.

        A module page is the most requested page: one round-trip, which also
        gives the path's outline its statuses.
        """
        stamp = now()
        session = "SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?"
        rows = await self._all(
            # One type per column, as PostgreSQL's UNION wants: numbers read as text.
            "SELECT 'u' AS kind, CAST(u.id AS TEXT) AS a, u.email AS b, u.name AS c,"
            " (SELECT group_concat(role) FROM user_roles r WHERE r.user_id = u.id) AS d,"
            " s.last_seen_at AS e FROM sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.token_hash = ? AND s.expires_at > ?"
            " UNION ALL SELECT 'p', CAST(attempts AS TEXT), CAST(best_score AS TEXT),"
            " completed_at, quiz_signature, module_id"
            f" FROM progress WHERE user_id = ({session})"
            " UNION ALL SELECT 'r', reflection_id, answer, NULL, NULL, NULL FROM reflections"
            f" WHERE user_id = ({session}) AND module_id = ?",
            (token_hash, stamp, token_hash, stamp, token_hash, stamp, module_id),
        )
        user, progress, answers = None, {}, {}
        for kind, a, b, c, d, e in rows:
            if kind == "u":
                user = User(int(a), b, c, frozenset((d or "").split(",")) - {""}, e)
            elif kind == "p":
                best = None if b is None else int(b)
                progress[e] = ModuleProgress(e, int(a or 0), best, c, d)
            else:
                answers[a] = b
        return user, progress, answers

    async def record_attempt(
        self,
        session: str,
        path_id: str,
        module_id: str,
        score: int,
        passed: bool,
        answers: dict[str, list[str]],
        content_version: str,
        quiz_signature: str | None = None,
        *,
        user_id: int | None = None,
        attempt_no: int | None = None,
        limits: AttemptLimits | None = None,
    ) -> RecordedAttempt | None:
        """Store an attempt by the session's learner, in one statement.

        None when the session (a token hash) has ended: nothing is stored. The
        session is checked inside the write, the schema's trigger updates progress
        and enrolment in the same statement, and for a pass the statement also
        returns what the certificate rule needs, so a submission costs the
        database threads a single call: under load, every call waits for the
        busy event loop to hand over the GIL, and that wait, not SQLite, is what
        submissions queue on.

        With `user_id` and `attempt_no` (what the quiz form showed), nothing is
        stored either unless the session is that learner's and the attempt is
        still their next one: a form answered in a second tab after the first
        was submitted would otherwise be graded against another draw.

        With `limits`, nothing is stored once the learner has reached either
        limit at this module (server/attempt_limits.py): checked here, in the
        same statement, so parallel submissions cannot all pass the check.
        """
        moment = datetime.now(UTC)
        stamp = moment.isoformat(timespec="seconds")
        window, day = limits.since(moment) if limits else (FAR_FUTURE, FAR_FUTURE)
        recent = (
            "(SELECT COUNT(*) FROM attempts r WHERE r.user_id = sessions.user_id"
            " AND r.module_id = ? AND r.created_at > ?) < ?"
        )
        rows = await self._write_if_any(
            "INSERT INTO attempts (user_id, path_id, module_id, score, passed, answers,"
            " content_version, created_at, quiz_signature, attempt_no)"
            " SELECT user_id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM sessions"
            " WHERE token_hash = ? AND expires_at > ? AND (? IS NULL OR user_id = ?)"
            " AND (? IS NULL OR ? = (SELECT COALESCE(MAX(attempts), 0) FROM progress p"
            " WHERE p.user_id = sessions.user_id AND p.module_id = ?))"
            f" AND {recent} AND {recent}"
            " RETURNING id, user_id,"
            " CASE WHEN passed <> 0 THEN (SELECT name FROM users WHERE id = attempts.user_id) END,"
            # Seen before this statement's trigger runs: this attempt is added below.
            " CASE WHEN passed <> 0 THEN (SELECT group_concat(module_id, char(30)) FROM progress"
            " WHERE user_id = attempts.user_id AND completed_at IS NOT NULL) END",
            (
                path_id,
                module_id,
                score,
                int(passed),
                json.dumps(answers),
                content_version,
                stamp,
                quiz_signature,
                attempt_no,
                session,
                stamp,
                user_id,
                user_id,
                attempt_no,
                attempt_no,
                module_id,
                module_id,
                window,
                limits.per_window if limits else 1,
                module_id,
                day,
                limits.per_day if limits else 1,
            ),
        )
        if not rows:
            return None  # nothing was written
        attempt_id, user_id, name, completed = next(iter(rows))
        done = frozenset((completed or "").split("\x1e")) - {""}
        return RecordedAttempt(attempt_id, user_id, name, done | {module_id} if passed else done)

    async def attempt_times(self, user_id: int, module_id: str, since: str) -> list[str]:
        """When the learner's attempts at a module since `since` were made (at most a day's)."""
        rows = await self._all(
            "SELECT created_at FROM attempts WHERE user_id = ? AND module_id = ?"
            " AND created_at > ?",
            (user_id, module_id, since),
        )
        return [row[0] for row in rows]

    async def last_attempt(self, user_id: int, module_id: str) -> LastAttempt | None:
        """The learner's latest attempt at a module's quiz, if any."""
        row = await self._one(
            "SELECT answers, attempt_no, passed FROM attempts WHERE user_id = ? AND module_id = ?"
            " ORDER BY id DESC LIMIT 1",
            (user_id, module_id),
        )
        if row is None:
            return None
        return LastAttempt(json.loads(row["answers"]), row["attempt_no"], bool(row["passed"]))

    async def complete_module(self, user_id: int, path_id: str, module_id: str) -> None:
        """Mark a module without a quiz as done (and the learner as enrolled in the path)."""
        stamp = now()
        await self._write(
            "INSERT INTO progress (user_id, module_id, completed_at, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (user_id, module_id) DO UPDATE SET"
            " completed_at = COALESCE(progress.completed_at, excluded.completed_at),"
            " updated_at = excluded.updated_at",
            (user_id, module_id, stamp, stamp),
        )
        await self.enrol(user_id, path_id)

    async def save_reflection(
        self, user_id: int, module_id: str, reflection_id: str, answer: str
    ) -> None:
        """Save an answer; the module then shows as started (its own small write)."""
        stamp = now()
        await self._write(
            "INSERT INTO reflections (user_id, reflection_id, module_id, answer, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, reflection_id) DO UPDATE SET"
            " answer = excluded.answer, module_id = excluded.module_id,"
            " updated_at = excluded.updated_at",
            (user_id, reflection_id, module_id, answer, stamp),
        )
        await self._write(
            "INSERT INTO progress (user_id, module_id, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id, module_id) DO UPDATE SET updated_at = excluded.updated_at",
            (user_id, module_id, stamp),
        )

    async def reflections(self, user_id: int) -> dict[str, tuple[str, str]]:
        """Every reflection answer of a learner: id -> (answer, updated_at)."""
        rows = await self._all(
            "SELECT reflection_id, answer, updated_at FROM reflections WHERE user_id = ?",
            (user_id,),
        )
        return {row["reflection_id"]: (row["answer"], row["updated_at"]) for row in rows}

    # -- certificates -----------------------------------------------------------

    async def issue_certificate(self, certificate: Certificate) -> Certificate:
        """Store a certificate, unless this learner already has one for the path."""
        c = certificate
        await self._write(
            "INSERT INTO certificates (id, user_id, path_id, learner_name, path_title,"
            " duration_minutes, course_title, content_version, issued_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, path_id) DO NOTHING",
            (
                c.id,
                c.user_id,
                c.path_id,
                c.learner_name,
                c.path_title,
                c.duration_minutes,
                c.course_title,
                c.content_version,
                c.issued_at,
            ),
        )
        issued = (await self.certificates_for(c.user_id)).get(c.path_id)
        assert issued is not None
        return issued

    async def certificate(self, certificate_id: str) -> Certificate | None:
        row = await self._one(
            f"SELECT {CERT_COLUMNS} FROM certificates WHERE id = ?", (certificate_id,)
        )
        return Certificate(**dict(row)) if row else None

    async def certificates_for(self, user_id: int) -> dict[str, Certificate]:
        rows = await self._all(
            f"SELECT {CERT_COLUMNS} FROM certificates WHERE user_id = ?", (user_id,)
        )
        return {row["path_id"]: Certificate(**dict(row)) for row in rows}

    async def revoke_certificate(self, certificate_id: str, reason: str) -> bool:
        rows = await self._write(
            "UPDATE certificates SET revoked_at = ?, revoked_reason = ?"
            " WHERE id = ? AND revoked_at IS NULL RETURNING id",
            (now(), reason, certificate_id),
        )
        return bool(rows)


CERT_COLUMNS = (
    "id, user_id, path_id, learner_name, path_title, duration_minutes, course_title,"
    " content_version, issued_at, revoked_at, revoked_reason"
)


def _progress(row: aiosqlite.Row) -> ModuleProgress:
    return ModuleProgress(row[0], row[1] or 0, row[2], row[3], row[4])
