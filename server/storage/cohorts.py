"""SQL for roles, cohorts and trainers' dashboards: part of the storage layer.

Mixed into `server.storage.Storage`; the same rules hold: every write is one
statement in autocommit mode (triggers in the schema carry side effects).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import aiosqlite

from server.storage.base import Database
from server.storage.records import Cohort, MemberRow

if TYPE_CHECKING:
    from server.storage.records import User


def _unpack(packed: str | None) -> dict[str, tuple[int, int | None, str | None]]:
    progress: dict[str, tuple[int, int | None, str | None]] = {}
    for item in (packed or "").split("\x1e"):
        if item:
            module_id, attempts, best, done = item.split("\x1f")
            progress[module_id] = (int(attempts), int(best) if best else None, done or None)
    return progress


COHORT_COLUMNS = "c.id, c.name, c.path_id, c.due_date, c.join_code, c.join_enabled, c.archived_at"


def _cohort(row: aiosqlite.Row) -> Cohort:
    # sqlite3.Row: "in" tests values, not column names
    members = row["members"] if "members" in row.keys() else 0  # noqa: SIM118
    return Cohort(
        row["id"],
        row["name"],
        row["path_id"],
        row["due_date"],
        row["join_code"],
        bool(row["join_enabled"]),
        row["archived_at"],
        members,
    )


class CohortQueries(Database):
    """Roles, cohorts, memberships, invitations and dashboards."""

    # Invitations from a JSON array of {email, name}, in one statement (SQLite's JSON
    # functions; PostgreSQL's spelling: server/storage/postgres_overrides.py).
    _add_invitations_sql = (
        "INSERT INTO invitations (cohort_id, email, name, created_at)"
        " SELECT ?, json_extract(value, '$.email'), json_extract(value, '$.name'), ?"
        " FROM json_each(?) WHERE true ON CONFLICT DO NOTHING"
    )

    # -- accounts and roles ---------------------------------------------------

    async def change_role(
        self, actor_id: int | None, user_id: int, role: str, grant: bool, at: str
    ) -> None:
        """Grant or remove a role; the log entry and the change are one statement."""
        await self._write(
            "INSERT INTO role_changes (actor_id, user_id, role, action, at) VALUES (?, ?, ?, ?, ?)",
            (actor_id, user_id, role, "grant" if grant else "revoke", at),
        )

    async def user_by_id(self, user_id: int) -> User | None:
        from server.storage.records import User

        row = await self._one(f"SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?", (user_id,))
        return User(row["id"], row["email"], row["name"], _roles(row)) if row else None

    async def user_by_email(self, email: str) -> User | None:
        from server.storage.records import User

        row = await self._one(f"SELECT {USER_COLUMNS} FROM users u WHERE u.email = ?", (email,))
        return User(row["id"], row["email"], row["name"], _roles(row)) if row else None

    async def list_users(self, query: str, offset: int, limit: int) -> tuple[list[User], int]:
        from server.storage.records import User

        pattern = f"%{query.strip()}%"
        rows = await self._all(
            f"SELECT {USER_COLUMNS}, count(*) OVER () AS total FROM users u"
            " WHERE (u.email LIKE ?1 OR u.name LIKE ?1) AND u.deleted_at IS NULL"
            " ORDER BY u.name COLLATE NOCASE, u.id"
            " LIMIT ?2 OFFSET ?3",
            (pattern, limit, offset),
        )
        total = rows[0]["total"] if rows else 0
        return [User(r["id"], r["email"], r["name"], _roles(r)) for r in rows], total

    async def role_history(self, limit: int = 50) -> list[aiosqlite.Row]:
        return await self._all(
            "SELECT rc.at, rc.role, rc.action, u.name AS user_name, u.email AS user_email,"
            " a.name AS actor_name FROM role_changes rc JOIN users u ON u.id = rc.user_id"
            " LEFT JOIN users a ON a.id = rc.actor_id ORDER BY rc.id DESC LIMIT ?",
            (limit,),
        )

    # -- cohorts ----------------------------------------------------------------

    async def create_cohort(
        self, name: str, path_id: str, due_date: str | None, trainer_id: int, code: str, at: str
    ) -> int:
        rows = await self._write(
            "INSERT INTO cohorts (name, path_id, due_date, join_code, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (name, path_id, due_date, code, trainer_id, at),
        )
        return int(rows[0]["id"])

    async def update_cohort(
        self, cohort_id: int, name: str, due_date: str | None, archived_at: str | None
    ) -> None:
        await self._write(
            "UPDATE cohorts SET name = ?, due_date = ?, archived_at = ? WHERE id = ?",
            (name, due_date, archived_at, cohort_id),
        )

    async def set_join_link(self, cohort_id: int, code: str, enabled: bool) -> None:
        await self._write(
            "UPDATE cohorts SET join_code = ?, join_enabled = ? WHERE id = ?",
            (code, int(enabled), cohort_id),
        )

    async def add_trainer(self, cohort_id: int, user_id: int) -> None:
        await self._write(
            "INSERT INTO cohort_trainers (cohort_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (cohort_id, user_id),
        )

    async def cohort(self, cohort_id: int) -> Cohort | None:
        row = await self._one(
            f"SELECT {COHORT_COLUMNS} FROM cohorts c WHERE c.id = ?", (cohort_id,)
        )
        return _cohort(row) if row else None

    async def cohort_by_code(self, code: str) -> Cohort | None:
        row = await self._one(
            f"SELECT {COHORT_COLUMNS} FROM cohorts c WHERE c.join_code = ?", (code,)
        )
        return _cohort(row) if row else None

    async def trainer_cohort(self, cohort_id: int, trainer_id: int) -> Cohort | None:
        """The cohort if this user trains it: one query decides access and loads it."""
        row = await self._one(
            f"SELECT {COHORT_COLUMNS} FROM cohorts c JOIN cohort_trainers t"
            " ON t.cohort_id = c.id AND t.user_id = ? WHERE c.id = ?",
            (trainer_id, cohort_id),
        )
        return _cohort(row) if row else None

    async def trainer_cohorts(self, trainer_id: int) -> list[Cohort]:
        rows = await self._all(
            f"SELECT {COHORT_COLUMNS}, (SELECT count(*) FROM cohort_members m"
            " WHERE m.cohort_id = c.id) AS members FROM cohorts c JOIN cohort_trainers t"
            " ON t.cohort_id = c.id WHERE t.user_id = ? ORDER BY c.archived_at IS NOT NULL,"
            " c.created_at DESC",
            (trainer_id,),
        )
        return [_cohort(r) for r in rows]

    async def cohort_trainers(self, cohort_id: int) -> list[aiosqlite.Row]:
        return await self._all(
            "SELECT u.id, u.name, u.email FROM cohort_trainers t JOIN users u ON u.id = t.user_id"
            " WHERE t.cohort_id = ? ORDER BY u.name",
            (cohort_id,),
        )

    async def join_cohort(self, cohort_id: int, user_id: int, at: str) -> bool:
        rows = await self._write(
            "INSERT INTO cohort_members (cohort_id, user_id, joined_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING user_id",
            (cohort_id, user_id, at),
        )
        return bool(rows)

    async def remove_member(self, cohort_id: int, user_id: int) -> None:
        await self._write(
            "DELETE FROM cohort_members WHERE cohort_id = ? AND user_id = ?", (cohort_id, user_id)
        )

    async def set_plan_shared(self, cohort_id: int, user_id: int, shared: bool) -> None:
        await self._write(
            "UPDATE cohort_members SET plan_shared = ? WHERE cohort_id = ? AND user_id = ?",
            (int(shared), cohort_id, user_id),
        )

    async def add_invitations(self, cohort_id: int, people: list[dict[str, str]], at: str) -> None:
        """All rows or none: one statement over a JSON array."""
        await self._write(self._add_invitations_sql, (cohort_id, at, json.dumps(people)))

    async def member_emails(self, cohort_id: int) -> set[str]:
        rows = await self._all(
            "SELECT lower(u.email) AS email FROM cohort_members m JOIN users u ON u.id = m.user_id"
            " WHERE m.cohort_id = ? UNION SELECT lower(email) FROM invitations WHERE cohort_id = ?",
            (cohort_id, cohort_id),
        )
        return {r["email"] for r in rows}

    async def members(self, cohort_id: int, module_ids: tuple[str, ...]) -> list[MemberRow]:
        """Every learner of the cohort with their progress on the cohort's path.

        One row per learner (progress packed by group_concat): a 2,000-learner
        cohort is 2,000 rows to read, not 2,000 × modules. Only the modules of
        the cohort's path are read: what a learner does elsewhere (another path,
        its modules, their dates) is none of the trainer's business.
        """
        marks = ",".join("?" * len(module_ids))
        rows = await self._all(
            "SELECT m.user_id, u.name, u.email, m.joined_at, m.plan_shared,"
            " max(p.updated_at) AS last, group_concat(p.module_id || char(31) || p.attempts"
            " || char(31) || ifnull(CAST(p.best_score AS TEXT), '') || char(31)"
            " || ifnull(p.completed_at, ''),"
            " char(30)) AS packed, u.deleted_at IS NOT NULL AS deleted,"
            " u.email_confirmed_at IS NOT NULL AS confirmed"
            " FROM cohort_members m JOIN users u ON u.id = m.user_id"
            f" LEFT JOIN progress p ON p.user_id = m.user_id AND p.module_id IN ({marks})"
            " WHERE m.cohort_id = ? GROUP BY m.cohort_id, m.user_id, u.id",
            (*module_ids, cohort_id),
        )
        return [
            MemberRow(
                r[0], r[1], r[2], r[3], bool(r[4]), r[5], _unpack(r[6]), bool(r[7]), bool(r[8])
            )
            for r in rows
        ]

    async def cohort_certificates(self, cohort_id: int, path_id: str) -> dict[int, str]:
        rows = await self._all(
            "SELECT c.user_id, c.id FROM certificates c JOIN cohort_members m"
            " ON m.user_id = c.user_id AND m.cohort_id = ? WHERE c.path_id = ?",
            (cohort_id, path_id),
        )
        return {r["user_id"]: r["id"] for r in rows}

    async def cohort_answers(
        self, cohort_id: int, module_ids: tuple[str, ...]
    ) -> list[aiosqlite.Row]:
        """Every attempt's answers by the cohort's learners, for per-question rates."""
        marks = ",".join("?" * len(module_ids))
        return await self._all(
            "SELECT a.user_id, a.module_id, a.answers FROM attempts a JOIN cohort_members m"
            f" ON m.user_id = a.user_id AND m.cohort_id = ? WHERE a.module_id IN ({marks})",
            (cohort_id, *module_ids),
        )

    async def learner_attempts(
        self, user_id: int, module_ids: tuple[str, ...]
    ) -> list[aiosqlite.Row]:
        """One learner's quiz attempts on a path, newest first, for their trainer's page."""
        marks = ",".join("?" * len(module_ids))
        return await self._all(
            "SELECT module_id, score, passed, created_at FROM attempts"
            f" WHERE user_id = ? AND module_id IN ({marks}) ORDER BY id DESC LIMIT 200",
            (user_id, *module_ids),
        )

    async def learner_cohorts(self, user_id: int) -> list[tuple[Cohort, list[str], bool]]:
        """The learner's cohorts, their trainers' names, and whether the plan is shared."""
        rows = await self._all(
            f"SELECT {COHORT_COLUMNS}, m.plan_shared, (SELECT group_concat(u.name, '|')"
            " FROM cohort_trainers t JOIN users u ON u.id = t.user_id WHERE t.cohort_id = c.id)"
            " AS trainers FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id"
            " WHERE m.user_id = ? ORDER BY c.archived_at IS NOT NULL, c.created_at DESC",
            (user_id,),
        )
        return [
            (
                _cohort(r),
                sorted((r["trainers"] or "").split("|")) if r["trainers"] else [],
                bool(r["plan_shared"]),
            )
            for r in rows
        ]


USER_COLUMNS = (
    "u.id, u.email, u.name,"
    " (SELECT group_concat(role) FROM user_roles r WHERE r.user_id = u.id) AS roles"
)


def _roles(row: aiosqlite.Row) -> frozenset[str]:
    return frozenset((row["roles"] or "").split(",")) - {""}
