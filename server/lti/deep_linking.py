"""LTI Deep Linking 2.0: a teacher picks a path or a module, the tool answers with a link.

The deep-linking request arrives through the same login and launch as any launch
(server/views/lti.py), so every check of server/lti/launch.py has passed. What it
asks is kept in a signed, timed token carried by the picking form rather than in the
database: nothing is stored until the platform creates the link on its side.

Launch URL matching: the link's `url` is the tool's launch URL exactly as registered
(its redirection URI, no query) and the choice travels in its custom parameters. The
login accepts any `target_link_uri` on this site's host, query included, and always
answers with the bare registered redirection URI, so that a link whose URL carries a
query (`…/lti/launch?path=4h`, made by hand) still matches a platform's exact comparison.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jwt
from itsdangerous import BadSignature, URLSafeTimedSerializer

from course.models import Course
from server import urls
from server.lti.keys import ToolKey
from server.lti.launch import ASK_ADMIN, CLAIM, VERSION, Launch, Refused

DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RESPONSE = "LtiDeepLinkingResponse"
LINK_TYPE = "ltiResourceLink"
RESPONSE_SECONDS = 600  # the response JWT's lifetime: it is posted at once
CHOICE_SECONDS = 3600  # how long the picking page may stay open before its form is stale
TAG = "alliances-territoires"  # the line items' tag, so that grades find theirs
MAX_DATA = 2000
# Who may add the activity: the course's instructors and content developers, and the
# platform's administrators (Moodle sends both a membership and an institution role).
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
TEACHING_ROLES = frozenset(
    {
        LIS + "membership#Instructor",
        LIS + "membership#ContentDeveloper",
        LIS + "membership#Administrator",
        LIS + "membership/Instructor#TeachingAssistant",
        LIS + "institution/person#Administrator",
        LIS + "institution/person#Instructor",
        LIS + "system/person#Administrator",
    }
)


@dataclass(frozen=True)
class Request:
    """What the deep-linking request asked, for the response: who to answer, and where."""

    platform_id: int
    issuer: str
    client_id: str
    deployment_id: str
    return_url: str
    data: str | None


def teaches(roles: tuple[str, ...]) -> bool:
    return any(role in TEACHING_ROLES for role in roles)


def _bad_return_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return True
    # The page's Content-Security-Policy names its origin: nothing there may break it.
    return (
        parts.scheme not in ("https", "http")
        or not parts.hostname
        or any(c.isspace() or c in ";,'\"" for c in url)
    )


def request_of(launch: Launch) -> Request:
    """The checked deep-linking request, or Refused: only an instructor, and only from a
    platform that accepts a resource link back at a usable return URL."""
    if not teaches(launch.roles):
        raise Refused(
            "deep linking: not an instructor",
            403,
            "Seuls les formateurs et formatrices du cours peuvent y ajouter cette activité."
            " Demandez-le à l’enseignant ou à l’enseignante de votre cours.",
        )
    settings = launch.deep_linking or {}
    return_url = settings.get("deep_link_return_url")
    if not isinstance(return_url, str) or len(return_url) > 2000 or _bad_return_url(return_url):
        raise Refused(
            "deep linking: deep_link_return_url missing or not a URL",
            400,
            "La demande d’ajout est incomplète (adresse de retour). " + ASK_ADMIN,
        )
    accepted = settings.get("accept_types")
    if not isinstance(accepted, list) or LINK_TYPE not in accepted:
        raise Refused(
            "deep linking: accept_types lacks ltiResourceLink",
            400,
            "Votre plateforme n’accepte pas de lien d’activité en retour. " + ASK_ADMIN,
        )
    data = settings.get("data")
    return Request(
        platform_id=launch.platform.id,
        issuer=launch.platform.issuer,
        client_id=launch.platform.client_id,
        deployment_id=launch.deployment_id,
        return_url=return_url,
        data=data[:MAX_DATA] if isinstance(data, str) else None,
    )


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="lti-deep-link")


def pick_token(secret: str, request: Request) -> str:
    return _serializer(secret).dumps(
        [
            request.platform_id,
            request.issuer,
            request.client_id,
            request.deployment_id,
            request.return_url,
            request.data,
        ]
    )


def read_pick_token(secret: str, token: str) -> Request | None:
    """The request a picking form carries; None when forged or older than CHOICE_SECONDS."""
    try:
        values = _serializer(secret).loads(token, max_age=CHOICE_SECONDS)
        platform_id, issuer, client_id, deployment, return_url, data = values
    except (BadSignature, ValueError, TypeError):
        return None
    return Request(platform_id, issuer, client_id, deployment, return_url, data)


def content_item(course: Course, base_url: str, choice: str) -> dict[str, Any] | None:
    """The resource link for `choice` (« 4h » for a path, « 4h/module » for one of its
    modules), or None when the course has no such thing."""
    path_id, _, module_id = choice.partition("/")
    path = course.path(path_id)
    if path is None or (module_id and module_id not in path.module_ids):
        return None
    if module_id:
        module = course.modules[module_id]
        title, resource, custom = module.title, module_id, {"path": path_id, "module": module_id}
        text = f"Module du parcours « {path.title} » — {course.title}"
    else:
        title, resource, custom = path.title, path_id, {"path": path_id}
        text = path.description or course.title
    return {
        "type": LINK_TYPE,
        "title": title,
        "text": text,
        "url": base_url + urls.lti_launch(),
        "custom": custom,
        "lineItem": {"scoreMaximum": 100, "label": title, "resourceId": resource, "tag": TAG},
    }


def response_jwt(key: ToolKey, request: Request, item: dict[str, Any], at: datetime) -> str:
    """The LtiDeepLinkingResponse, signed by the tool's current key (the platform checks it
    against the tool's keyset by its kid)."""
    now = int(at.timestamp())
    claims: dict[str, Any] = {
        "iss": request.client_id,
        "aud": request.issuer,
        "iat": now,
        "exp": now + RESPONSE_SECONDS,
        "nonce": secrets.token_urlsafe(24),
        CLAIM + "deployment_id": request.deployment_id,
        CLAIM + "message_type": RESPONSE,
        CLAIM + "version": VERSION,
        DL_CLAIM + "content_items": [item],
    }
    if request.data is not None:
        claims[DL_CLAIM + "data"] = request.data
    return jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": key.kid})


def return_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
