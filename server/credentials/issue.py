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

    def status_list_url(self, key_number: int) -> str:
        return f"{self.base_url}{urls.badge_status_list(key_number)}"

    def links(self, certificate_id: str) -> badges.Links:
        return badges.Links(
            credential=f"{self.base_url}{urls.certificate_badge(certificate_id)}",
            evidence=f"{self.base_url}{urls.certificate(certificate_id)}",
            status_list=self.status_list_url(self.keys.current.number),
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


async def status_list_credential(
    storage: Storage, issuing: Issuing, key_number: int
) -> dict[str, Any] | None:
    """The BitstringStatusListCredential signed by key `key_number` (None: no such key).

    Every key, retired ones too, signs its own list with the same bits: a verifier
    that wants the list's issuer to be the credential's issuer finds it so, after
    any number of rotations. Signed again only when a bit changed.
    """
    key = next((k for k in issuing.keys.keys if k.number == key_number), None)
    if key is None:
        return None
    highest, revoked = await storage.badge_statuses()
    cache_key = (issuing.base_url, key.did, highest, tuple(revoked))
    cached = _status_cache.get(cache_key)
    if cached is not None:
        return cached
    url = issuing.status_list_url(key_number)
    unsigned = {
        "@context": [badges.VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": key.did,
        "validFrom": _created(),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(revoked, highest),
        },
    }
    signed = await asyncio.to_thread(sign, unsigned, key, _created())
    for stale in [k for k in _status_cache if k[:2] == cache_key[:2]]:
        del _status_cache[stale]  # this key's older list is never asked again
    _status_cache[cache_key] = signed
    return signed


def _created() -> str:
    return badges.xsd_datetime(now())
