"""A certificate's signed Open Badges credential, and the signed revocation status list.

The credential is built and signed once (at issue, or on first request for a
certificate issued before badges existed), then stored frozen: serving it again
never signs again. The status list is computed from the certificates' own
`revoked_at`, so `alliances revoke-certificate` and account deletion flip the bit
with no step of their own, and the public page and the list cannot disagree.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
from dataclasses import dataclass
from typing import Any

from course import badges
from course.certificates import Certificate
from course.models import Course
from server import urls
from server.clock import now
from server.credentials.keys import KeyRing
from server.credentials.signing import sign
from server.storage import Storage

STATUS_LIST_MEDIA_TYPE = "application/vc+ld+json"


@dataclass(frozen=True)
class Issuing:
    """What signing needs besides the certificate: keys, the site's address and name."""

    keys: KeyRing
    base_url: str
    organisation: str

    @property
    def issuer(self) -> badges.Issuer:
        return badges.Issuer(self.keys.current.did, self.organisation, self.base_url)

    def status_list_url(self) -> str:
        return f"{self.base_url}{urls.badge_status_list()}"

    def links(self, certificate_id: str) -> badges.Links:
        return badges.Links(
            credential=f"{self.base_url}{urls.certificate_badge(certificate_id)}",
            evidence=f"{self.base_url}{urls.certificate(certificate_id)}",
            status_list=self.status_list_url(),
        )


async def certificate_credential(
    storage: Storage, issuing: Issuing, course: Course, certificate: Certificate
) -> dict[str, Any] | None:
    """The stored credential, signed now when it has none; None for a withdrawn certificate.

    A certificate withdrawn by its holder (account deleted) has no name left to
    put in a credential: its status bit says revoked, and nothing more is served.
    """
    if not certificate.learner_name:
        return None
    index, stored = await storage.badge_slot(certificate.id)
    if stored is None:
        user = await storage.user_by_id(certificate.user_id)
        if user is None:
            return None
        path = next((p for p in course.paths if p.id == certificate.path_id), None)
        unsigned = badges.credential(
            certificate,
            path,
            issuing.issuer,
            issuing.links(certificate.id),
            badges.email_identity(user.email),
            index,
        )
        signed = await asyncio.to_thread(sign, unsigned, issuing.keys.current, _created())
        stored = await storage.keep_badge(certificate.id, json.dumps(signed, ensure_ascii=False))
    found: dict[str, Any] = json.loads(stored)
    return found


def encoded_list(revoked: list[int], highest: int) -> str:
    """Bitstring Status List `encodedList`: multibase `u` + base64url (no padding) of the
    GZIP of the bits, index 0 the leftmost bit, at least 16 KB long."""
    size = max(badges.STATUS_LIST_MIN_BITS, highest + 1)
    size = -(-size // 8) * 8
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


_status_cache: dict[tuple[Any, ...], dict[str, Any]] = {}


async def status_list_credential(storage: Storage, issuing: Issuing) -> dict[str, Any]:
    """The signed BitstringStatusListCredential, signed again only when a bit changed."""
    highest, revoked = await storage.badge_statuses()
    key = (issuing.base_url, issuing.keys.current.did, highest, tuple(revoked))
    cached = _status_cache.get(key)
    if cached is not None:
        return cached
    url = issuing.status_list_url()
    unsigned = {
        "@context": [badges.VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuing.issuer.id,
        "validFrom": _created(),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(revoked, highest),
        },
    }
    signed = await asyncio.to_thread(sign, unsigned, issuing.keys.current, _created())
    _status_cache.clear()  # one list is current: the older ones are never asked again
    _status_cache[key] = signed
    return signed


def _created() -> str:
    return badges.xsd_datetime(now())
