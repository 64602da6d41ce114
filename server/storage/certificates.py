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
