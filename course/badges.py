"""Open Badges 3.0 rules: what a certificate's credential says, before any signature.

Pure data: the server signs the result (server/credentials/) and stores it with
the certificate. Every fact comes from the frozen certificate, so a credential
built long after the issue says what the certificate said on that day; only the
path's description and objectives come from the course, when the path still exists.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from course.certificates import Certificate, format_duration
from course.models import Path

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS = [VC_CONTEXT, OB_CONTEXT]
# Bitstring Status List: at least 16 KB (131,072 entries) so that one index tells
# a verifier nothing about whose certificate it is (herd privacy).
STATUS_LIST_MIN_BITS = 16 * 1024 * 8


@dataclass(frozen=True)
class Issuer:
    """Who signs: the key's did:key, the organisation's name, the site's address."""

    id: str
    name: str
    url: str

    def profile(self) -> dict[str, Any]:
        return {"id": self.id, "type": ["Profile"], "name": self.name, "url": self.url}


def badge_path(base_url: str, path_id: str) -> str:
    """The achievement's id: one per path, stable across content versions."""
    return f"{base_url}/paths/{path_id}#badge"


def badge_image(base_url: str, path_id: str) -> str:
    return f"{base_url}/badges/{path_id}.svg"


def name_identity(name: str) -> dict[str, Any]:
    """The learner's name as printed on the certificate: in clear, as a verifier shows it."""
    return {
        "type": "IdentityObject",
        "identityHash": name,
        "identityType": "name",
        "hashed": False,
    }


def email_identity(email: str, salt: str | None = None) -> dict[str, Any]:
    """The learner's address as OB 3.0 wants it hashed: `sha256$` + hex of address + salt.

    The address is trimmed and lower-cased first, so the holder can prove it
    however they type it.
    """
    salt = salt if salt is not None else secrets.token_hex(16)
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def criteria(certificate: Certificate, path: Path | None) -> str:
    """What the learner had to do, in French, from the path's objectives."""
    done = (
        f"Suivre tous les modules du parcours « {certificate.path_title} » "
        f"({format_duration(certificate.duration_minutes)}) et réussir le quiz de chacun."
    )
    if path is None or not path.outcomes:
        return done
    goals = "\n".join(f"- {outcome}" for outcome in path.outcomes)
    return f"{done}\n\nObjectifs du parcours :\n{goals}"


def description(certificate: Certificate, path: Path | None) -> str:
    duration = format_duration(certificate.duration_minutes)
    about = path.description if path is not None else ""
    head = f"Parcours de {duration} de la formation « {certificate.course_title} »."
    return f"{head} {about}".strip()


@dataclass(frozen=True)
class Links:
    """The site's addresses a credential points to (built by the server's url module)."""

    credential: str  # where this credential is served
    evidence: str  # the certificate's public verification page
    status_list: str  # the signed status list credential


def credential(
    certificate: Certificate,
    path: Path | None,
    issuer: Issuer,
    links: Links,
    identity: dict[str, Any],
    status_index: int,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of a certificate."""
    c = certificate
    achievement = {
        "id": badge_path(issuer.url, c.path_id),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": c.path_title,
        "description": description(c, path),
        "criteria": {"narrative": criteria(c, path)},
        "image": {
            "id": badge_image(issuer.url, c.path_id),
            "type": "Image",
            "caption": f"Badge du parcours « {c.path_title} »",
        },
        "creator": issuer.profile(),
    }
    return {
        "@context": list(CONTEXTS),
        "id": links.credential,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{c.course_title} — {c.path_title}",
        "issuer": issuer.profile(),
        "validFrom": xsd_datetime(c.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            # OB 3.0's AchievementSubject has no `name` (its schema closes the object):
            # the name printed on the certificate is an identity of identityType "name".
            "identifier": [name_identity(c.learner_name), identity],
            "achievement": achievement,
        },
        "evidence": [
            {
                "id": links.evidence,
                "type": ["Evidence"],
                "name": "Attestation vérifiable en ligne",
            }
        ],
        "credentialStatus": {
            "id": f"{links.status_list}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": links.status_list,
        },
    }


def xsd_datetime(stamp: str) -> str:
    """A stored UTC timestamp (`2026-01-02T03:04:05Z` or with `+00:00`) as xsd:dateTime."""
    stamp = stamp.strip().replace(" ", "T")
    if stamp.endswith("+00:00"):
        stamp = stamp[: -len("+00:00")] + "Z"
    if len(stamp) == 10:  # a bare date
        stamp += "T00:00:00Z"
    if not stamp.endswith("Z") and "+" not in stamp[10:]:
        stamp += "Z"
    return stamp
