"""Certificats de réalisation: what a trainer fills in before issuing one (mixed into each backend).

The model of the arrêté of 21 December 2018 asks for facts the site cannot know: the
trainee's employer and the funder's file number. A trainer of the learner's cohort types
them; issuing stores them with the date, and the PDF is then made from them and from what
the site recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.storage.base import Database


@dataclass(frozen=True)
class PathCohort:
    """A cohort a learner follows a path in: when they joined it, and its trainers."""

    cohort_id: int
    name: str
    joined_at: str
    trainers: tuple[str, ...]


@dataclass(frozen=True)
class Realisation:
    user_id: int
    path_id: str
    employer: str
    funder_file: str
    issued_at: str


class RealisationQueries(Database):
    """Read and issue certificats de réalisation; the cohorts they may name."""

    async def realisation(self, user_id: int, path_id: str) -> Realisation | None:
        row = await self._one(
            "SELECT user_id, path_id, employer, funder_file, issued_at"
            " FROM realisation_certificates WHERE user_id = ? AND path_id = ?",
            (user_id, path_id),
        )
        return Realisation(**dict(row)) if row else None

    async def issue_realisation(
        self, user_id: int, path_id: str, employer: str, funder_file: str, by: int, at: str
    ) -> None:
        """Issue it, or issue it again with corrected details (the latest date is kept)."""
        await self._write(
            "INSERT INTO realisation_certificates"
            " (user_id, path_id, employer, funder_file, issued_by, issued_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, path_id) DO UPDATE SET"
            " employer = excluded.employer, funder_file = excluded.funder_file,"
            " issued_by = excluded.issued_by, issued_at = excluded.issued_at",
            (user_id, path_id, employer, funder_file, by, at),
        )

    async def path_cohorts(self, user_id: int, path_id: str) -> list[PathCohort]:
        """The learner's cohorts on a path, oldest membership first, with trainers' names.

        The attestation and the certificat de réalisation name the one the path was
        followed in (server/attestation.py `followed_in`).
        """
        rows = await self._all(
            "SELECT c.id, c.name, m.joined_at, (SELECT group_concat(u.name, '|')"
            " FROM cohort_trainers t JOIN users u ON u.id = t.user_id"
            " WHERE t.cohort_id = c.id) AS trainers"
            " FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id"
            " WHERE m.user_id = ? AND c.path_id = ? ORDER BY m.joined_at, c.id",
            (user_id, path_id),
        )
        return [
            PathCohort(
                int(r["id"]),
                r["name"],
                r["joined_at"],
                tuple(sorted(n for n in (r["trainers"] or "").split("|") if n)),
            )
            for r in rows
        ]
