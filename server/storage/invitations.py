"""SQL for invitations awaiting their addressee's answer: part of the storage layer.

A trainer's import only ever creates invitations; an account joins a cohort when
its owner accepts one (or uses the join link). Mixed into `server.storage.Storage`
like `CohortQueries`: every write is one statement in autocommit mode, and the
trigger of migration 0006 removes an invitation once its addressee is a member.
"""

from __future__ import annotations

import aiosqlite

from server.storage.base import Database
from server.storage.cohorts import COHORT_COLUMNS, Cohort, _cohort

# An invitation is addressed to an account by its e-mail; only a pending one
# (not declined, cohort not archived) can be answered.
_MINE = (
    " FROM invitations i JOIN users u ON u.email = i.email JOIN cohorts c ON c.id = i.cohort_id"
    " WHERE u.id = ? AND i.declined_at IS NULL AND c.archived_at IS NULL"
)


class InvitationQueries(Database):
    """Pending invitations: what the trainer sees, what the learner answers."""

    async def pending_invitations(self, cohort_id: int) -> list[aiosqlite.Row]:
        """For the trainer: only what they typed; never whether an account exists."""
        return await self._all(
            "SELECT email, name, created_at FROM invitations"
            " WHERE cohort_id = ? AND declined_at IS NULL ORDER BY email",
            (cohort_id,),
        )

    async def learner_invitations(self, user_id: int) -> list[tuple[Cohort, list[str]]]:
        """For the learner: the cohorts that invite them, with their trainers' names."""
        rows = await self._all(
            f"SELECT {COHORT_COLUMNS}, (SELECT group_concat(t.name, '|') FROM cohort_trainers ct"
            " JOIN users t ON t.id = ct.user_id WHERE ct.cohort_id = c.id) AS trainers"
            f"{_MINE} ORDER BY i.created_at DESC, c.id",
            (user_id,),
        )
        return [
            (_cohort(r), sorted(r["trainers"].split("|")) if r["trainers"] else []) for r in rows
        ]

    async def accept_invitation(self, cohort_id: int, user_id: int, at: str) -> bool:
        """Join the cohort if a pending invitation says so; False if there is none."""
        rows = await self._write(
            "INSERT INTO cohort_members (cohort_id, user_id, joined_at)"
            f" SELECT i.cohort_id, u.id, ?{_MINE} AND i.cohort_id = ?"
            " ON CONFLICT DO NOTHING RETURNING user_id",
            (at, user_id, cohort_id),
        )
        return bool(rows)

    async def decline_invitation(self, cohort_id: int, user_id: int, at: str) -> bool:
        """Keep the answer, so that a new import of the same address does not ask again."""
        rows = await self._write(
            "UPDATE invitations SET declined_at = ? WHERE cohort_id = ? AND declined_at IS NULL"
            " AND email = (SELECT email FROM users WHERE id = ?) RETURNING cohort_id",
            (at, cohort_id, user_id),
        )
        return bool(rows)
