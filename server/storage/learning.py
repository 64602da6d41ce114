"""A learner's enrolments, progress, quiz attempts and reflections (mixed into each backend).

The progress rules (course/progress.py states them) are kept by the schema:
recording an attempt is one INSERT, and a trigger updates progress and
enrolment in the same statement on both backends.
"""

from __future__ import annotations

import json
from typing import Any

from course.progress import ModuleProgress
from server import clock
from server.attempt_limits import AttemptLimits
from server.storage.base import Database
from server.storage.records import LastAttempt, RecordedAttempt, User

FAR_FUTURE = "9999"  # later than every stored timestamp: nothing counted


class LearningQueries(Database):
    """What a learner did: paths started, modules done, attempts, reflections."""

    async def enrol(self, user_id: int, path_id: str) -> None:
        await self._write(
            "INSERT INTO enrolments (user_id, path_id, started_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (user_id, path_id, clock.now()),
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
    ) -> tuple[User | None, dict[str, ModuleProgress], dict[str, str], list[tuple[int, str]]]:
        """The signed-in user, their progress in every module, their answers in this one,
        and their open cohorts as (id, path id): who they may ask a question.

        A module page is the most requested page: one round-trip, which also
        gives the path's outline its statuses.
        """
        stamp = clock.now()
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
            f" WHERE user_id = ({session}) AND module_id = ?"
            " UNION ALL SELECT 'c', CAST(c.id AS TEXT), c.path_id, NULL, NULL, NULL"
            " FROM cohort_members cm JOIN cohorts c ON c.id = cm.cohort_id"
            f" WHERE cm.user_id = ({session}) AND c.archived_at IS NULL",
            (token_hash, stamp, token_hash, stamp, token_hash, stamp, module_id, token_hash, stamp),
        )
        user, progress, answers = None, {}, {}
        cohorts: list[tuple[int, str]] = []
        for kind, a, b, c, d, e in rows:
            if kind == "u":
                user = User(int(a), b, c, frozenset((d or "").split(",")) - {""}, e)
            elif kind == "p":
                best = None if b is None else int(b)
                progress[e] = ModuleProgress(e, int(a or 0), best, c, d)
            elif kind == "c":
                cohorts.append((int(a), b))
            else:
                answers[a] = b
        return user, progress, answers, sorted(cohorts)

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
        same statement, serialized per learner and module (`_serialized`), so
        parallel submissions cannot all pass the check.
        """
        moment = clock.moment()
        stamp = clock.stamp(moment)
        window, day = limits.since(moment) if limits else (FAR_FUTURE, FAR_FUTURE)
        recent = (
            "(SELECT COUNT(*) FROM attempts r WHERE r.user_id = sessions.user_id"
            " AND r.module_id = ? AND r.created_at > ?) < ?"
        )
        sql = (
            "INSERT INTO attempts (user_id, path_id, module_id, score, passed, answers,"
            " content_version, created_at, quiz_signature, attempt_no)"
            " SELECT user_id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM sessions"
            " WHERE token_hash = ? AND expires_at > ?"
            # Typed for PostgreSQL, which cannot guess the type of a NULL parameter.
            " AND (CAST(? AS INTEGER) IS NULL OR user_id = ?)"
            " AND (CAST(? AS INTEGER) IS NULL OR ? = (SELECT COALESCE(MAX(attempts), 0)"
            " FROM progress p WHERE p.user_id = sessions.user_id AND p.module_id = ?))"
            f" AND {recent} AND {recent}"
            # A copy of the same attempt committed first: nothing stored (PostgreSQL's
            # attempts_one_per_number index; SQLite's writer already ran the check alone).
            " ON CONFLICT DO NOTHING"
            " RETURNING id, user_id,"
            " CASE WHEN passed <> 0 THEN (SELECT name FROM users WHERE id = attempts.user_id) END,"
            # Seen before this statement's trigger runs: this attempt is added below.
            " CASE WHEN passed <> 0 THEN (SELECT group_concat(module_id, char(30)) FROM progress"
            " WHERE user_id = attempts.user_id AND completed_at IS NOT NULL) END,"
            # Launched from a platform that takes grades: the view queues the score.
            " EXISTS (SELECT 1 FROM lti_grade_links g WHERE g.user_id = attempts.user_id)"
        )
        params = (
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
        )
        if attempt_no is not None:
            # Numbered: the number is unique per learner and module, so two copies of
            # one attempt cannot both be stored, and an attempt's statement sees every
            # earlier one committed (it checks the progress row they updated): its
            # counts are exact without a lock, one statement, one round trip.
            rows = await self._write_if_any(sql, params)
        else:
            # Serialized per learner (or session) and module: the guards above count
            # attempts, and two submissions at once must not both pass them.
            lock = f"attempt:{user_id if user_id is not None else session}:{module_id}"
            (rows,) = await self._serialized(lock, [(sql, params)])
        if not rows:
            return None  # nothing was written
        attempt_id, user_id, name, completed, graded = next(iter(rows))
        done = frozenset((completed or "").split("\x1e")) - {""}
        return RecordedAttempt(
            attempt_id, user_id, name, done | {module_id} if passed else done, bool(graded)
        )

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
        stamp = clock.now()
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
        stamp = clock.now()
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


def _progress(row: Any) -> ModuleProgress:
    return ModuleProgress(row[0], row[1] or 0, row[2], row[3], row[4])
