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

from server.storage.base import Database
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
                " WHERE token_hash = ? AND state = 'invited' AND invited_at > ? RETURNING 1",
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
            " AND invited_at > ?",
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
