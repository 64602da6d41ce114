"""Certificates: issued once per learner and path, frozen, revocable (mixed into each backend)."""

from __future__ import annotations

from course.certificates import Certificate
from server.clock import now
from server.storage.base import Database


class CertificateQueries(Database):
    """Issue, read and revoke certificates."""

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

    async def path_activity(
        self, user_id: int, path_id: str, module_ids: tuple[str, ...]
    ) -> tuple[str | None, str | None]:
        """The first and last dated activity on a path, for the attestation de fin de formation.

        First: the path's start or the earliest quiz attempt on its modules; last: the latest
        attempt or module completion. Modules shared with a shorter path count when done there.
        """
        marks = ",".join("?" * len(module_ids))
        row = await self._one(
            "SELECT (SELECT started_at FROM enrolments WHERE user_id = ? AND path_id = ?)"
            " AS started,"
            f" (SELECT MIN(created_at) FROM attempts WHERE user_id = ? AND module_id IN ({marks}))"
            " AS first_attempt,"
            f" (SELECT MAX(created_at) FROM attempts WHERE user_id = ? AND module_id IN ({marks}))"
            " AS last_attempt,"
            " (SELECT MAX(completed_at) FROM progress WHERE user_id = ?"
            f" AND module_id IN ({marks})) AS last_done",
            (user_id, path_id, user_id, *module_ids, user_id, *module_ids, user_id, *module_ids),
        )
        if row is None:
            return None, None
        firsts = [v for v in (row["started"], row["first_attempt"], row["last_done"]) if v]
        lasts = [v for v in (row["last_attempt"], row["last_done"], row["started"]) if v]
        return (min(firsts) if firsts else None), (max(lasts) if lasts else None)

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

    # Open Badges 3.0 (issue #16): the signed credential kept beside its certificate.

    async def badge_slot(self, certificate_id: str) -> tuple[int, str | None]:
        """The certificate's status-list index (given once, for good) and its credential."""
        await self._write(
            "INSERT INTO badge_credentials (certificate_id) VALUES (?)"
            " ON CONFLICT (certificate_id) DO NOTHING",
            (certificate_id,),
        )
        row = await self._one(
            "SELECT status_index, credential FROM badge_credentials WHERE certificate_id = ?",
            (certificate_id,),
        )
        assert row is not None
        return int(row["status_index"]), row["credential"]

    async def keep_badge(self, certificate_id: str, credential: str) -> str:
        """Store a signed credential unless one is already kept: the first one stays."""
        await self._write(
            "UPDATE badge_credentials SET credential = ?, signed_at = ?"
            " WHERE certificate_id = ? AND credential IS NULL",
            (credential, now(), certificate_id),
        )
        row = await self._one(
            "SELECT credential FROM badge_credentials WHERE certificate_id = ?",
            (certificate_id,),
        )
        assert row is not None and row["credential"] is not None
        return str(row["credential"])

    async def badge_statuses(self) -> tuple[int, list[int]]:
        """The highest index given and the revoked ones (revoked or purged certificates)."""
        top = await self._one("SELECT MAX(status_index) AS top FROM badge_credentials")
        rows = await self._all(
            "SELECT b.status_index FROM badge_credentials b"
            " LEFT JOIN certificates c ON c.id = b.certificate_id"
            " WHERE c.id IS NULL OR c.revoked_at IS NOT NULL ORDER BY b.status_index"
        )
        highest = int(top["top"]) if top and top["top"] is not None else 0
        return highest, [int(row["status_index"]) for row in rows]


CERT_COLUMNS = (
    "id, user_id, path_id, learner_name, path_title, duration_minutes, course_title,"
    " content_version, issued_at, revoked_at, revoked_reason"
)
