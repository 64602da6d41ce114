"""Assignment and Grade Services 2.0 on the wire: a score posted to a line item, and the
line item found or made when the launch named only the context's container.

Every call carries a bearer token from server/lti/service_token.py; a 401 drops the
cached token and tries once more with a new one. `ServiceError.status` tells the
sender what to do: a 4xx other than 401, 408 and 429 is the platform's refusal (not
retried), anything else (5xx, network, token trouble) is retried later.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx2

from server.lti.service_token import ServiceError, access_token, read_limited, reason_of
from server.storage.lti import LtiPlatform
from server.storage.lti_grades import Grade

if TYPE_CHECKING:
    from server.state import AppState

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCORE_SCOPE = AGS + "score"
LINEITEM_SCOPE = AGS + "lineitem"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
TAG = "alliances-territoires"  # as the deep-linking response's line items (deep_linking.py)
TIMEOUT = 15.0
MAX_BYTES = 512 * 1024
RETRIED = frozenset({401, 408, 425, 429})  # 4xx statuses that are not a refusal


def refused(error: ServiceError) -> bool:
    """The platform said no for good (a user who is not gradable, a line item gone)."""
    return error.status is not None and 400 <= error.status < 500 and error.status not in RETRIED


def scores_url(lineitem: str) -> str:
    """`<lineitem>/scores`, the line item's query string kept (Moodle puts its type there)."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def with_query(url: str, **params: str) -> str:
    """`url` with `params` added to the query it may already have."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def score_body(grade: Grade) -> dict[str, Any]:
    """The score as AGS 2.0 §3.4 and Moodle want it: without activityProgress,
    gradingProgress and timestamp, Moodle refuses it."""
    return {
        "userId": grade.subject,
        "scoreGiven": grade.score,
        "scoreMaximum": 100,
        "activityProgress": "Completed" if grade.completed else "InProgress",
        "gradingProgress": "FullyGraded",
        "timestamp": grade.scored_at,
    }


async def _call(
    app: AppState,
    platform: LtiPlatform,
    scope: str,
    method: str,
    url: str,
    *,
    accept: str,
    body: dict[str, Any] | None = None,
    content_type: str = "",
) -> tuple[int, bytes]:
    """One service request with a bearer token; a 401 renews the token and tries again."""
    for renewed in (False, True):
        try:
            token = await access_token(app, platform, (scope,))
        except ServiceError as exc:  # token trouble is retried, never a refusal of the grade
            raise ServiceError(f"jeton d’accès\u00a0: {exc.reason}") from exc
        headers = {"authorization": f"Bearer {token}", "accept": accept}
        content = None
        if body is not None:
            headers["content-type"] = content_type
            content = json.dumps(body).encode()
        try:
            async with httpx2.AsyncClient(transport=app.lti_transport, timeout=TIMEOUT) as client:
                request = client.build_request(method, url, content=content, headers=headers)
                response = await client.send(request, stream=True)
                try:
                    answer = await read_limited(response, MAX_BYTES)
                finally:
                    await response.aclose()
        except (httpx2.HTTPError, httpx2.InvalidURL) as exc:
            raise ServiceError(f"{method} {url[:200]}: {type(exc).__name__}: {exc}") from exc
        if response.status_code == 401 and not renewed:
            app.lti_tokens.forget(platform.id, (scope,))
            continue
        if response.status_code >= 300:
            raise ServiceError(reason_of(response.status_code, answer), response.status_code)
        return response.status_code, answer
    raise AssertionError("unreachable")  # pragma: no cover


async def post_score(app: AppState, platform: LtiPlatform, grade: Grade, lineitem: str) -> None:
    """POST the grade's score to the line item's scores endpoint."""
    await _call(
        app,
        platform,
        SCORE_SCOPE,
        "POST",
        scores_url(lineitem),
        accept="application/json",
        body=score_body(grade),
        content_type=SCORE_TYPE,
    )


async def find_or_create_lineitem(app: AppState, platform: LtiPlatform, grade: Grade) -> str:
    """The resource link's line item in the container: the one already there for it
    (`?resource_link_id=`), else a new one out of 100, labelled with the target's title."""
    link = grade.resource_link_id
    _, answer = await _call(
        app,
        platform,
        LINEITEM_SCOPE,
        "GET",
        with_query(grade.lineitems_url, resource_link_id=link),
        accept=CONTAINER_TYPE,
    )
    items = _json(answer)
    if isinstance(items, list):
        for item in items:
            if (
                isinstance(item, dict)
                and item.get("resourceLinkId") == link
                and isinstance(item.get("id"), str)
            ):
                return str(item["id"])
    new = {
        "scoreMaximum": 100,
        "label": grade.label or "Alliances & Territoires",
        "resourceLinkId": link,
        "tag": TAG,
    }
    _, answer = await _call(
        app,
        platform,
        LINEITEM_SCOPE,
        "POST",
        grade.lineitems_url,
        accept=LINEITEM_TYPE,
        body=new,
        content_type=LINEITEM_TYPE,
    )
    made = _json(answer)
    url = made.get("id") if isinstance(made, dict) else None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ServiceError("the platform made a line item but gave no usable id")
    return url


def _json(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError as exc:
        raise ServiceError("the platform's answer is not JSON") from exc
