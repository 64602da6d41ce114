"""SQL for the learners' satisfaction questionnaires (issue #18 §3): part of the storage layer.

Answers are anonymous: `satisfaction_answers` has no user id, a random id and only the
month. Whether a learner was asked lives apart, in `satisfaction_asked`, so nobody is
asked twice. Recording an answer is one transaction: the « asked » row turns to
'answered' only if it was not answered or declined yet and takes a fresh random marker;
the answer is inserted only where that marker is found, then the marker is cleared. A
second submission, a reused link or two workers therefore record one answer, on both
databases, without reading first.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from server.mail.compose import Message
from server.storage.base import Database
from server.storage.outbox import INSERT, outbox_step
from server.storage.records import Step

Answers = dict[str, int | str]


@dataclass(frozen=True)
class SatisfactionAnswer:
    """One anonymous answer: where it comes from, never who."""

    path_id: str
    cohort_id: int | None
    month: str
    answers: Answers


@dataclass(frozen=True)
class SatisfactionReach:
    """How many learners were asked and how many answered, for the response rate."""

    asked: int
    answered: int


_MARKED_ANSWER = (
    "INSERT INTO satisfaction_answers (id, path_id, cohort_id, phase, month, answers)"
    " SELECT ?, path_id, cohort_id, phase, ?, ? FROM satisfaction_asked WHERE token_hash = ?"
)
_CLEAR_MARK = "UPDATE satisfaction_asked SET token_hash = NULL WHERE token_hash = ?"


def _answer_steps(marker: str, month: str, answers: Answers) -> list[Step]:
    """Insert the answer where the marker was set, then forget the marker."""
    body = json.dumps(answers, ensure_ascii=False, sort_keys=True)
    return [
        (_MARKED_ANSWER, (secrets.token_hex(16), month, body, marker)),
        (_CLEAR_MARK, (marker,)),
    ]


# Who may get an « à froid » message: a confirmed address, an account not deleted.
_REACHABLE = "u.email_confirmed_at IS NOT NULL AND u.deleted_at IS NULL"


def _message_if_marked(message: Message, user_id: int, marker: str) -> Step:
    """The outbox insert, done only where `marker` was just written (so only once)."""
    _, params = outbox_step(message, user_id=user_id)
    assert isinstance(params, tuple)
    head, _, _ = INSERT.partition(" VALUES ")
    select = ", ".join("?" for _ in params)
    sql = (
        f"{head} SELECT {select} WHERE EXISTS"
        " (SELECT 1 FROM satisfaction_asked WHERE token_hash = ?) RETURNING id"
    )
    return sql, (*params, marker)


class SatisfactionQueries(Database):
    """Anonymous answers, the separate « asked » records, and the à-froid invitations."""

    async def satisfaction_state(self, user_id: int, path_id: str, phase: str) -> str | None:
        """'invited', 'answered', 'declined', or None when never asked."""
        row = await self._one(
            "SELECT state FROM satisfaction_asked WHERE user_id = ? AND path_id = ? AND phase = ?",
            (user_id, path_id, phase),
        )
        return str(row[0]) if row else None

    async def offer_satisfaction(
        self, user_id: int, path_id: str, phase: str, cohort_id: int | None, at: str
    ) -> None:
        """Note that the questionnaire was offered (counted in the response rate), once."""
        await self._write(
            "INSERT INTO satisfaction_asked (user_id, path_id, phase, cohort_id, state,"
            " invited_at) VALUES (?, ?, ?, ?, 'invited', ?)"
            " ON CONFLICT (user_id, path_id, phase) DO NOTHING",
            (user_id, path_id, phase, cohort_id, at),
        )

    async def record_satisfaction(
        self,
        user_id: int,
        path_id: str,
        phase: str,
        cohort_id: int | None,
        answers: Answers | None,
        month: str,
    ) -> bool:
        """Record a signed-in learner's answers (None: they declined); False if already done."""
        marker = "m:" + secrets.token_hex(16)
        state = "declined" if answers is None else "answered"
        steps: list[Step] = [
            (
                "INSERT INTO satisfaction_asked (user_id, path_id, phase, cohort_id, state,"
                " token_hash) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, path_id, phase)"
                " DO UPDATE SET state = excluded.state, token_hash = excluded.token_hash"
                " WHERE satisfaction_asked.state = 'invited' RETURNING 1",
                (user_id, path_id, phase, cohort_id, state, marker),
            )
        ]
        if answers is not None:
            steps += _answer_steps(marker, month, answers)
        else:
            steps.append((_CLEAR_MARK, (marker,)))
        results = await self._transaction(steps)
        return bool(results[0])

    async def record_satisfaction_by_link(
        self, token_hash: str, issued_after: str, answers: Answers, month: str
    ) -> bool:
        """Record answers sent through an à-froid link: once, and only before it expires."""
        marker = "m:" + secrets.token_hex(16)
        steps: list[Step] = [
            (
                "UPDATE satisfaction_asked SET state = 'answered', token_hash = ?"
                " WHERE token_hash = ? AND state = 'invited'"
                " AND COALESCE(reminded_at, invited_at) > ? RETURNING 1",
                (marker, token_hash, issued_after),
            ),
            *_answer_steps(marker, month, answers),
        ]
        results = await self._transaction(steps)
        return bool(results[0])

    async def satisfaction_link_path(self, token_hash: str, issued_after: str) -> str | None:
        """The path an unused, unexpired à-froid link is for; None otherwise."""
        row = await self._one(
            "SELECT path_id FROM satisfaction_asked WHERE token_hash = ? AND state = 'invited'"
            " AND COALESCE(reminded_at, invited_at) > ?",
            (token_hash, issued_after),
        )
        return str(row[0]) if row else None

    async def satisfaction_answers(
        self, phase: str, path_id: str | None = None, cohort_ids: Sequence[int] | None = None
    ) -> list[SatisfactionAnswer]:
        """The anonymous answers of a phase, for one path or all, some cohorts or all."""
        sql = "SELECT path_id, cohort_id, month, answers FROM satisfaction_answers WHERE phase = ?"
        params: list[object] = [phase]
        if path_id is not None:
            sql += " AND path_id = ?"
            params.append(path_id)
        if cohort_ids is not None:
            if not cohort_ids:
                return []
            sql += f" AND cohort_id IN ({', '.join('?' for _ in cohort_ids)})"
            params += list(cohort_ids)
        rows = await self._all(sql + " ORDER BY month, id", tuple(params))
        return [SatisfactionAnswer(str(r[0]), r[1], str(r[2]), json.loads(r[3])) for r in rows]

    async def satisfaction_reach(
        self, phase: str, path_id: str | None = None, cohort_id: int | None = None
    ) -> SatisfactionReach:
        """Learners asked (offered or invited) and those who answered, for the response rate."""
        sql = (
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'answered' THEN 1 ELSE 0 END), 0)"
            " FROM satisfaction_asked WHERE phase = ?"
        )
        params: list[object] = [phase]
        if path_id is not None:
            sql += " AND path_id = ?"
            params.append(path_id)
        if cohort_id is not None:
            sql += " AND cohort_id = ?"
            params.append(cohort_id)
        row = await self._one(sql, tuple(params))
        return SatisfactionReach(int(row[0]), int(row[1])) if row else SatisfactionReach(0, 0)

    async def satisfaction_asked_rows(self, user_id: int) -> list[tuple[str, str, str]]:
        """(path, phase, state) of each questionnaire this learner was asked: their data."""
        rows = await self._all(
            "SELECT path_id, phase, state FROM satisfaction_asked WHERE user_id = ?"
            " ORDER BY path_id, phase",
            (user_id,),
        )
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    async def cold_invitations_due(
        self, path_id: str, completed_before: str
    ) -> list[tuple[int, str, str, int | None]]:
        """(user, e-mail, name, cohort) of learners who completed `path_id` before the date,
        reachable, and never sent the « à froid » questionnaire for it."""
        rows = await self._all(
            "SELECT u.id, u.email, u.name, (SELECT m.cohort_id FROM cohort_members m"
            " JOIN cohorts k ON k.id = m.cohort_id WHERE m.user_id = u.id AND k.path_id = c.path_id"
            " ORDER BY m.cohort_id LIMIT 1) FROM certificates c JOIN users u ON u.id = c.user_id"
            f" WHERE c.path_id = ? AND c.revoked_at IS NULL AND c.issued_at <= ? AND {_REACHABLE}"
            " AND NOT EXISTS (SELECT 1 FROM satisfaction_asked a WHERE a.user_id = u.id"
            " AND a.path_id = c.path_id AND a.phase = 'cold') ORDER BY u.id",
            (path_id, completed_before),
        )
        return [(int(r[0]), str(r[1]), str(r[2]), r[3]) for r in rows]

    async def invite_cold(
        self,
        user_id: int,
        path_id: str,
        cohort_id: int | None,
        token_hash: str,
        at: str,
        message: Message,
    ) -> bool:
        """Record the invitation and its message together, once per learner and path."""
        steps: list[Step] = [
            (
                "INSERT INTO satisfaction_asked (user_id, path_id, phase, cohort_id, state,"
                " invited_at, token_hash) VALUES (?, ?, 'cold', ?, 'invited', ?, ?)"
                " ON CONFLICT (user_id, path_id, phase) DO NOTHING RETURNING 1",
                (user_id, path_id, cohort_id, at, token_hash),
            ),
            _message_if_marked(message, user_id, token_hash),
        ]
        results = await self._transaction(steps)
        return bool(results[0])

    async def cold_reminders_due(self, invited_before: str) -> list[tuple[int, str, str, str]]:
        """(user, e-mail, name, path) of unanswered invitations sent before the date,
        not yet reminded: each gets one reminder."""
        rows = await self._all(
            "SELECT u.id, u.email, u.name, a.path_id FROM satisfaction_asked a"
            " JOIN users u ON u.id = a.user_id WHERE a.phase = 'cold' AND a.state = 'invited'"
            " AND a.reminded_at IS NULL AND a.token_hash IS NOT NULL AND a.invited_at <= ?"
            f" AND {_REACHABLE} ORDER BY u.id, a.path_id",
            (invited_before,),
        )
        return [(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]

    async def remind_cold(
        self, user_id: int, path_id: str, token_hash: str, at: str, message: Message
    ) -> bool:
        """The one reminder: a new link replaces the first, with its message, once."""
        steps: list[Step] = [
            (
                "UPDATE satisfaction_asked SET token_hash = ?, reminded_at = ?"
                " WHERE user_id = ? AND path_id = ? AND phase = 'cold' AND state = 'invited'"
                " AND reminded_at IS NULL RETURNING 1",
                (token_hash, at, user_id, path_id),
            ),
            _message_if_marked(message, user_id, token_hash),
        ]
        results = await self._transaction(steps)
        return bool(results[0])
