"""SQL for LTI grades (issue #17 §3): where each launched learner's grades go, and the
grade outbox the sender (server/lti/grade_sender.py) delivers.

A score is recorded by one upsert that only ever raises it: a lower score than the
one waiting or sent changes nothing, so the platform never receives a lower grade.
Claiming is the mail outbox's (server/storage/outbox.py): one UPDATE under a lease,
`FOR UPDATE SKIP LOCKED` on PostgreSQL, so each grade goes to one sender at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from server import clock
from server.storage.base import Database
from server.storage.outbox import stamp
from server.storage.records import Row

# Due: waiting and its time has come, or claimed by a sender whose lease ran out.
DUE = "(status = 'waiting' AND next_try <= ?) OR (status = 'sending' AND claimed_until <= ?)"
_COLUMNS = (
    "g.id, g.user_id, g.platform_id, g.resource_link_id, g.score, g.completed, g.scored_at,"
    " g.status, g.attempts, g.last_error, g.sent_score, g.sent_at, g.updated_at,"
    " l.subject, l.lineitem_url, l.lineitems_url, l.target_kind, l.target_id, l.label,"
    " u.name AS learner, p.name AS platform_name, p.issuer"
)
_FROM = (
    " FROM lti_grades g JOIN lti_grade_links l ON l.user_id = g.user_id"
    " AND l.platform_id = g.platform_id AND l.resource_link_id = g.resource_link_id"
    " JOIN users u ON u.id = g.user_id JOIN lti_platforms p ON p.id = g.platform_id"
)
# The score's upsert: only a higher score, or the same one now completing, changes the row.
_UPSERT = (
    "INSERT INTO lti_grades (user_id, platform_id, resource_link_id, score, completed,"
    " scored_at, status, attempts, next_try, created_at, updated_at)"
    " SELECT l.user_id, l.platform_id, l.resource_link_id, :score, :done, :at, 'waiting', 0,"
    " :at, :at, :at FROM lti_grade_links l WHERE l.user_id = :user"
    " AND l.target_kind = :kind AND l.target_id = :target"
    " ON CONFLICT (user_id, platform_id, resource_link_id) DO UPDATE SET"
    " score = excluded.score, completed = max(lti_grades.completed, excluded.completed),"
    " scored_at = excluded.scored_at, status = 'waiting', attempts = 0,"
    " next_try = excluded.next_try, last_error = NULL, updated_at = excluded.updated_at"
    " WHERE excluded.score > lti_grades.score"
    " OR (excluded.score = lti_grades.score AND excluded.completed > lti_grades.completed)"
)


@dataclass(frozen=True)
class GradeTarget:
    """What a launch with the grade service records: where this learner's grade goes."""

    user_id: int
    platform_id: int
    resource_link_id: str
    subject: str
    lineitem_url: str
    lineitems_url: str
    target_kind: str  # "path" or "module"
    target_id: str
    label: str


@dataclass(frozen=True)
class Grade:
    """A grade in the outbox, with where it goes and who it is for."""

    id: int
    user_id: int
    platform_id: int
    resource_link_id: str
    score: int
    completed: bool
    scored_at: str
    status: str
    attempts: int
    last_error: str | None
    sent_score: int | None
    sent_at: str | None
    updated_at: str
    subject: str
    lineitem_url: str
    lineitems_url: str
    target_kind: str
    target_id: str
    label: str
    learner: str
    platform_name: str
    issuer: str


def _grade(row: Row) -> Grade:
    return Grade(
        id=row["id"],
        user_id=row["user_id"],
        platform_id=row["platform_id"],
        resource_link_id=row["resource_link_id"],
        score=row["score"],
        completed=bool(row["completed"]),
        scored_at=row["scored_at"],
        status=row["status"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        sent_score=row["sent_score"],
        sent_at=row["sent_at"],
        updated_at=row["updated_at"],
        subject=row["subject"],
        lineitem_url=row["lineitem_url"],
        lineitems_url=row["lineitems_url"],
        target_kind=row["target_kind"],
        target_id=row["target_id"],
        label=row["label"],
        learner=row["learner"],
        platform_name=row["platform_name"],
        issuer=row["issuer"],
    )


class LtiGradeQueries(Database):
    """Grade targets recorded at launch, and the grade outbox."""

    # Set by the grade sender of this process: called once a score was recorded, so it
    # goes out at once rather than at the next poll.
    grade_listener: Callable[[], None] | None = None
    _claim_lock = ""  # PostgreSQL's backend says " FOR UPDATE SKIP LOCKED"

    async def record_grade_target(self, target: GradeTarget, at: str) -> None:
        """Where this learner's grades for this resource link go, as the latest launch said
        (a line item the sender found for a lineitems-only link is kept)."""
        await self._write(
            "INSERT INTO lti_grade_links (user_id, platform_id, resource_link_id, subject,"
            " lineitem_url, lineitems_url, target_kind, target_id, label, launched_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id, platform_id, resource_link_id) DO UPDATE SET"
            " subject = excluded.subject,"
            " lineitem_url = CASE WHEN excluded.lineitem_url <> '' THEN excluded.lineitem_url"
            " WHEN excluded.lineitems_url = lti_grade_links.lineitems_url"
            " THEN lti_grade_links.lineitem_url ELSE '' END,"
            " lineitems_url = excluded.lineitems_url, target_kind = excluded.target_kind,"
            " target_id = excluded.target_id, label = excluded.label,"
            " launched_at = excluded.launched_at",
            (
                target.user_id,
                target.platform_id,
                target.resource_link_id,
                target.subject,
                target.lineitem_url,
                target.lineitems_url,
                target.target_kind,
                target.target_id,
                target.label,
                at,
            ),
        )

    async def record_scores(
        self,
        user_id: int,
        scores: Sequence[tuple[str, str, int, bool]],
        at: str,
        *,
        check_first: bool = False,
    ) -> int:
        """Queue each (target kind, target id, score out of 100, completed) for the
        learner's links to that target, in one transaction; how many grades changed.
        `check_first`: a read first spares the write for a learner with no link."""
        if not scores:
            return 0
        if check_first and not await self._one(
            "SELECT 1 FROM lti_grade_links WHERE user_id = ? LIMIT 1", (user_id,)
        ):
            return 0
        steps = [
            (
                _UPSERT + " RETURNING id",
                {"user": user_id, "kind": kind, "target": target, "score": score}
                | {"done": int(done), "at": at},
            )
            for kind, target, score, done in scores
        ]
        changed = sum(len(rows) for rows in await self._transaction(steps))
        if changed and self.grade_listener is not None:
            self.grade_listener()
        return changed

    async def claim_grades(self, now: datetime, lease_seconds: float, limit: int) -> list[Grade]:
        """Take up to `limit` due grades for this sender, in one atomic statement (the
        mail outbox's claim: see `OutboxQueries.claim_messages`)."""
        at = stamp(now)
        if await self._one(f"SELECT 1 FROM lti_grades WHERE {DUE} LIMIT 1", (at, at)) is None:
            return []
        until = stamp(now + timedelta(seconds=lease_seconds))
        rows = await self._write(
            "UPDATE lti_grades SET status = 'sending', claimed_until = ?, attempts = attempts + 1"
            f" WHERE id IN (SELECT id FROM lti_grades WHERE {DUE}"
            f" ORDER BY next_try, id LIMIT ?{self._claim_lock}) AND ({DUE}) RETURNING id",
            (until, at, at, limit, at, at),
        )
        if not rows:
            return []
        ids = sorted(int(row["id"]) for row in rows)
        marks = ", ".join("?" for _ in ids)
        found = await self._all(f"SELECT {_COLUMNS}{_FROM} WHERE g.id IN ({marks})", ids)
        return sorted((_grade(row) for row in found), key=lambda g: g.id)

    async def mark_grade_sent(
        self, grade_id: int, score: int, completed: bool, at: datetime
    ) -> None:
        """The platform took `score` (`completed` or not). The grade is `sent` unless a
        higher score, or the completion, was recorded while it was posted: that one waits."""
        same = "status = 'sending' AND score = :score AND completed = :done"
        await self._write(
            f"UPDATE lti_grades SET status = CASE WHEN {same} THEN 'sent' ELSE status END,"
            f" claimed_until = CASE WHEN {same} THEN NULL ELSE claimed_until END,"
            " sent_score = max(COALESCE(sent_score, 0), :score), sent_at = :at,"
            " last_error = NULL WHERE id = :id AND status IN ('sending', 'waiting')",
            {"score": score, "done": int(completed), "at": clock.stamp(at), "id": grade_id},
        )

    async def mark_grade_retry(self, grade_id: int, next_try: datetime, error: str) -> None:
        """A temporary failure: waiting again until `next_try`."""
        await self._write(
            "UPDATE lti_grades SET status = 'waiting', next_try = ?, claimed_until = NULL,"
            " last_error = ? WHERE id = ? AND status = 'sending'",
            (stamp(next_try), error[:500], grade_id),
        )

    async def mark_grade_stopped(self, grade_id: int, status: str, error: str) -> None:
        """`refused` (the platform said no) or `failed` (the retries ran out)."""
        assert status in ("refused", "failed")
        await self._write(
            "UPDATE lti_grades SET status = ?, claimed_until = NULL, last_error = ?,"
            " updated_at = ? WHERE id = ? AND status = 'sending'",
            (status, error[:500], clock.now(), grade_id),
        )

    async def set_grade_lineitem(self, platform_id: int, resource_link_id: str, url: str) -> None:
        """The line item found or made for a lineitems-only link, for every learner of it."""
        await self._write(
            "UPDATE lti_grade_links SET lineitem_url = ? WHERE platform_id = ?"
            " AND resource_link_id = ? AND lineitem_url = ''",
            (url, platform_id, resource_link_id),
        )

    async def retry_grade(self, grade_id: int, now: datetime) -> bool | None:
        """Send a refused or failed grade again, with a fresh count of attempts. True
        when requeued, False when it is neither refused nor failed, None when unknown."""
        rows = await self._write(
            "UPDATE lti_grades SET status = 'waiting', attempts = 0, next_try = ?,"
            " claimed_until = NULL WHERE id = ? AND status IN ('refused', 'failed') RETURNING id",
            (stamp(now), grade_id),
        )
        if rows:
            if self.grade_listener is not None:
                self.grade_listener()
            return True
        found = await self._one("SELECT 1 FROM lti_grades WHERE id = ?", (grade_id,))
        return False if found else None

    async def grades_list(self, statuses: Sequence[str], limit: int) -> list[Grade]:
        """The latest grades in these statuses, newest first (the admin page)."""
        marks = ", ".join("?" for _ in statuses)
        rows = await self._all(
            f"SELECT {_COLUMNS}{_FROM} WHERE g.status IN ({marks})"
            " ORDER BY g.updated_at DESC, g.id DESC LIMIT ?",
            (*statuses, limit),
        )
        return [_grade(row) for row in rows]

    async def grade_counts(self) -> dict[str, int]:
        """How many grades in each status (every status, zeros included)."""
        rows = await self._all("SELECT status, COUNT(*) FROM lti_grades GROUP BY status")
        counts = dict.fromkeys(("waiting", "sending", "sent", "refused", "failed"), 0)
        counts.update({row[0]: row[1] for row in rows})
        return counts
