"""What a platform does for Deep Linking 2.0 (issue #17), on top of tests/lti_platform.py:
send a teacher's LtiDeepLinkingRequest through the usual login and launch, then receive
the tool's answer at its return URL and verify it as Moodle would, with PyJWT against the
tool's published keyset, every claim checked."""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from typing import Any

import jwt
from starlette.testclient import TestClient

from tests.lti_platform import CLAIM, REMOVE, Platform

DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DL_SETTINGS = CLAIM + "deep_linking_settings"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
RETURN_URL = "https://moodle.example.net/mod/lti/contentitem_return.php?course=3&id=1"
DATA = "opaque-moodle-data-7f3a"
FORM = re.compile(r'<form method="post" action="([^"]+)" data-autosubmit>')
JWT_FIELD = re.compile(r'<input type="hidden" name="JWT" value="([^"]+)">')


def settings(**changes: Any) -> dict[str, Any]:
    """Moodle's deep_linking_settings claim; `changes` replace entries (REMOVE drops one)."""
    claim: dict[str, Any] = {
        "deep_link_return_url": RETURN_URL,
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "accept_multiple": False,
        "auto_create": True,
        "data": DATA,
    }
    for name, value in changes.items():
        if value is REMOVE:
            claim.pop(name, None)
        else:
            claim[name] = value
    return claim


def request_claims(platform: Platform, nonce: str, /, **changes: Any) -> dict[str, Any]:
    """A teacher's deep-linking request: no resource link, the settings claim, Instructor."""
    base: dict[str, Any] = {
        "lti_message_type": "LtiDeepLinkingRequest",
        "lti_resource_link": REMOVE,
        "lti_custom": REMOVE,
        "lti_roles": [INSTRUCTOR],
        "lti_deep_linking_settings": settings(),
        "sub": "moodle-teacher-9",
        "name": "Dominique Martin",
    }
    return platform.claims(nonce, **{**base, **changes})


def deep_link(client: TestClient, platform: Platform, **changes: Any) -> Any:
    """Login, auth and the deep-linking launch; the tool's answer (the picking page)."""
    auth = platform.authorize(platform.initiate(client))
    token = platform.sign(request_claims(platform, auth.nonce, **changes))
    return platform.post_launch(client, auth, token)


@dataclass(frozen=True)
class Returned:
    """What reached the platform's return URL: where, and the verified claims."""

    action: str
    claims: dict[str, Any]

    @property
    def item(self) -> dict[str, Any]:
        items = self.claims[DL_CLAIM + "content_items"]
        assert isinstance(items, list) and len(items) == 1
        item = items[0]
        assert isinstance(item, dict)
        return item


def receive(client: TestClient, platform: Platform, page: str) -> Returned:
    """The return page's form as the browser posts it, its JWT verified like a platform:
    RS256 by the tool's key named by kid in its public keyset, every claim checked."""
    form, field = FORM.search(page), JWT_FIELD.search(page)
    assert form and field, page
    token = html.unescape(field[1])
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    keyset = jwt.PyJWKSet.from_dict(client.get("/lti/jwks.json").json())
    key = next(k for k in keyset.keys if k.key_id == header["kid"])
    claims = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience=platform.issuer,
        issuer=platform.client_id,
        options={"require": ["iss", "aud", "exp", "iat", "nonce"]},
    )
    now = time.time()
    assert claims["iat"] <= now + 5 and now < claims["exp"] <= now + 3600
    assert isinstance(claims["nonce"], str) and len(claims["nonce"]) >= 16
    assert claims[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[CLAIM + "version"] == "1.3.0"
    assert claims[CLAIM + "deployment_id"] == platform.deployment_id
    return Returned(html.unescape(form[1]), claims)
