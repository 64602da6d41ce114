"""SQL for the cohorts tied to platform courses (LTI contexts, issue #17 §3).

One cohort per (platform, context id): the first launch from a course creates it, in
one serialized transaction, so that two launches at the same moment find one cohort.
The roster import adds the platform's members in bulk and records how it went.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from server.storage.base import Database


@dataclass(frozen=True)
class RosterCounts:
    """What one roster import did: members read, added, already there, skipped, and
    those the platform marks inactive (reported, never removed)."""

    read: int = 0
    added: int = 0
    already: int = 0
    skipped: int = 0
    inactive: int = 0


@dataclass(frozen=True)
class LtiContext:
    """A platform course and its cohort here, with the last roster import."""

    platform_id: int
    context_id: str
    cohort_id: int
    title: str
    memberships_url: str
    issuer: str
    roster_at: str | None
    roster: RosterCounts
    roster_error: str | None


_CONTEXT = (
    "SELECT x.platform_id, x.context_id, x.cohort_id, x.title, x.memberships_url,"
    " p.issuer, x.roster_at, x.roster_read, x.roster_added, x.roster_already,"
    " x.roster_skipped, x.roster_inactive, x.roster_error"
    " FROM lti_contexts x JOIN lti_platforms p ON p.id = x.platform_id"
)


def _context(row: Any) -> LtiContext:
    counts = RosterCounts(
        row["roster_read"],
        row["roster_added"],
        row["roster_already"],
        row["roster_skipped"],
        row["roster_inactive"],
    )
    return LtiContext(
        row["platform_id"],
        row["context_id"],
        row["cohort_id"],
        row["title"],
        row["memberships_url"],
        row["issuer"],
        row["roster_at"],
        counts,
        row["roster_error"],
    )


class LtiContextQueries(Database):
    """Platform courses, their cohorts, and roster imports."""

    async def lti_context_cohort(
        self,
        platform_id: int,
        context_id: str,
        title: str,
        memberships_url: str,
        cohort: tuple[str, str, str],
        at: str,
    ) -> int:
        """The cohort of a platform course, created now (`cohort`: its name, path id and
        a fresh join code) unless it exists. The title and a memberships URL, when the
        launch carries one, are kept up to date; the cohort's own name is the trainers'."""
        name, path_id, code = cohort
        p = {"platform": platform_id, "context": context_id, "title": title}
        p |= {"url": memberships_url, "name": name, "path": path_id, "code": code, "at": at}
        known = "SELECT 1 FROM lti_contexts WHERE platform_id = :platform AND context_id = :context"
        results = await self._serialized(
            f"lti-context:{platform_id}\n{context_id}",
            [
                (
                    "INSERT INTO cohorts (name, path_id, join_code, created_at)"
                    f" SELECT :name, :path, :code, :at WHERE NOT EXISTS ({known})",
                    p,
                ),
                (
                    "INSERT INTO lti_contexts (platform_id, context_id, cohort_id, title,"
                    " memberships_url, created_at) SELECT :platform, :context, id, :title,"
                    " :url, :at FROM cohorts WHERE join_code = :code ON CONFLICT DO NOTHING",
                    p,
                ),
                (
                    "UPDATE lti_contexts SET title = :title, memberships_url = CASE WHEN"
                    " :url = '' THEN memberships_url ELSE :url END"
                    " WHERE platform_id = :platform AND context_id = :context",
                    p,
                ),
                (
                    "SELECT cohort_id FROM lti_contexts"
                    " WHERE platform_id = :platform AND context_id = :context",
                    p,
                ),
            ],
        )
        return int(results[-1][0]["cohort_id"])

    async def lti_context_of_cohort(self, cohort_id: int) -> LtiContext | None:
        """The platform course a cohort is tied to, if any."""
        row = await self._one(f"{_CONTEXT} WHERE x.cohort_id = ?", (cohort_id,))
        return None if row is None else _context(row)

    async def lti_users(self, issuer: str, subjects: list[str]) -> dict[str, int]:
        """The accounts these platform users launched into (or were imported into)."""
        rows = await self._all(
            "SELECT a.subject, a.user_id FROM lti_accounts a JOIN users u ON u.id = a.user_id"
            f" WHERE a.issuer = ? AND u.deleted_at IS NULL AND a.subject IN"
            f" ({self._json_texts.format('?')})",
            (issuer, json.dumps(subjects)),
        )
        return {row["subject"]: int(row["user_id"]) for row in rows}

    async def add_cohort_learners(
        self, cohort_id: int, path_id: str, user_ids: list[int], at: str
    ) -> int:
        """Make these accounts members of the cohort and enrol them in its path; how many
        were not members before."""
        ids = json.dumps(user_ids)
        results = await self._transaction(
            [
                (
                    "INSERT INTO cohort_members (cohort_id, user_id, joined_at)"
                    f" SELECT ?, u.id, ? FROM users u WHERE u.id IN ({self._json_ids.format('?')})"
                    " ON CONFLICT DO NOTHING RETURNING user_id",
                    (cohort_id, at, ids),
                ),
                (
                    "INSERT INTO enrolments (user_id, path_id, started_at)"
                    f" SELECT u.id, ?, ? FROM users u WHERE u.id IN ({self._json_ids.format('?')})"
                    " ON CONFLICT DO NOTHING",
                    (path_id, at, ids),
                ),
            ]
        )
        return len(results[0])

    async def add_cohort_trainers(self, cohort_id: int, user_ids: list[int]) -> int:
        """Make these accounts trainers of the cohort; how many were not before."""
        rows = await self._write(
            "INSERT INTO cohort_trainers (cohort_id, user_id)"
            f" SELECT ?, u.id FROM users u WHERE u.id IN ({self._json_ids.format('?')})"
            " ON CONFLICT DO NOTHING RETURNING user_id",
            (cohort_id, json.dumps(user_ids)),
        )
        return len(rows)

    async def drop_cohort_trainer(self, cohort_id: int, user_id: int) -> None:
        """A platform user launching as a learner no longer trains its course's cohort."""
        await self._write_if_any(
            "DELETE FROM cohort_trainers WHERE cohort_id = ? AND user_id = ? RETURNING user_id",
            (cohort_id, user_id),
        )

    async def record_roster_import(
        self, cohort_id: int, at: str, counts: RosterCounts, error: str | None
    ) -> None:
        """The last roster import of a cohort's platform course, for its page."""
        await self._write(
            "UPDATE lti_contexts SET roster_at = ?, roster_read = ?, roster_added = ?,"
            " roster_already = ?, roster_skipped = ?, roster_inactive = ?, roster_error = ?"
            " WHERE cohort_id = ?",
            (
                at,
                counts.read,
                counts.added,
                counts.already,
                counts.skipped,
                counts.inactive,
                error,
                cohort_id,
            ),
        )
