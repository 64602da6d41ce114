"""The platform simulator's Names and Role Provisioning Services endpoint (issue #17 §3).

A course's roster at its context memberships URL, served through the simulator's
transport (`Platform.handlers`) as NRPS 2.0 says: only with a bearer token the
simulator's token endpoint gave for the contextmembership.readonly scope, only in the
membership container media type, in pages linked by `Link: <…>; rel="next"`. It can
be made to fail (`down`), to see the tool say so and change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2

from tests.lti_platform import Platform, bearer_scopes

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


def person(sub: str, name: str, role: str = "Learner", status: str = "Active") -> dict[str, Any]:
    """A member as Moodle lists one (a role in full, or a name of the membership
    vocabulary; `status` as NRPS spells it)."""
    given, _, family = name.partition(" ")
    return {
        "status": status,
        "name": name,
        "given_name": given,
        "family_name": family,
        "email": f"{sub}@example.fr",
        "user_id": sub,
        "roles": [role if "://" in role else LIS + role],
    }


@dataclass
class Memberships:
    """One course's roster on the simulated platform."""

    platform: Platform
    context_id: str = "cours-3"
    members: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2
    down: bool = False  # answers 503, as a platform under maintenance
    requests: list[httpx2.Request] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.platform.issuer}/mod/lti/services.php/{self.context_id}/memberships"

    def claim(self) -> dict[str, Any]:
        """The launch claim that offers the service (pass it to `Platform.launch`)."""
        return {NRPS_CLAIM: {"context_memberships_url": self.url, "service_versions": ["2.0"]}}

    def install(self) -> Memberships:
        self.platform.handlers.append(self.handle)
        return self

    def handle(self, request: httpx2.Request) -> httpx2.Response | None:
        parts = urlsplit(str(request.url))
        if f"{parts.scheme}://{parts.netloc}{parts.path}" != self.url:
            return None
        self.requests.append(request)
        if self.down:
            return httpx2.Response(503, json={"error": "Service Unavailable"})
        if request.method != "GET":
            return httpx2.Response(405)
        scopes = bearer_scopes(self.platform, request)
        if scopes is None:
            return httpx2.Response(401, json={"error": "invalid_token"})
        if SCOPE not in scopes:
            return httpx2.Response(403, json={"error": "insufficient_scope"})
        if MEDIA_TYPE not in request.headers.get("accept", ""):
            return httpx2.Response(406)
        page = int(parse_qs(parts.query).get("page", ["1"])[0])
        start = (page - 1) * self.page_size
        body = {
            "id": self.url,
            "context": {"id": self.context_id, "label": "COOP", "title": "Coopérer"},
            "members": self.members[start : start + self.page_size],
        }
        headers = {"content-type": MEDIA_TYPE}
        if start + self.page_size < len(self.members):
            headers["link"] = f'<{self.url}?page={page + 1}>; rel="next"'
        return httpx2.Response(200, json=body, headers=headers)
