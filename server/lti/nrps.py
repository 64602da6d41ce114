"""Names and Role Provisioning Services 2.0 (issue #17 §3): a platform course's roster.

The context's memberships URL (from the launch) is read with a bearer token of the
contextmembership.readonly scope, page after page as its `Link: rel="next"` headers
say. A platform is not trusted: every page is size-limited, the pages and members are
counted, a next page on another site is refused (it would carry the tool's token away),
and the whole roster is read before anything is done with it, so a failure halfway
changes nothing.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import httpx2

from server.lti.service_token import ServiceError, access_token, read_limited, reason_of
from server.storage.lti import LtiPlatform

if TYPE_CHECKING:
    from server.state import AppState

SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
TIMEOUT = 15.0
MAX_BYTES = 4 * 1024 * 1024  # one page
MAX_PAGES = 50
MAX_MEMBERS = 10_000
MAX_FIELD = 255


@dataclass(frozen=True)
class Member:
    """One member as the platform lists them."""

    user_id: str
    name: str
    email: str
    roles: tuple[str, ...]
    status: str  # Active, Inactive (or Deleted, in a differences list)


@dataclass
class Roster:
    """Every member read, and how many entries could not be read (no user id...)."""

    members: list[Member] = field(default_factory=list)
    unreadable: int = 0


def _text(value: Any) -> str:
    """A field as a name prints: NFC, no control characters, single spaces, bounded."""
    if not isinstance(value, str):
        return ""
    value = unicodedata.normalize("NFC", value)
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C")
    return " ".join(value.split())[:MAX_FIELD]


def member(item: Any) -> Member | None:
    """A member of the container, or None when it names no user."""
    if not isinstance(item, dict):
        return None
    user_id = item.get("user_id")
    if not isinstance(user_id, str | int) or isinstance(user_id, bool) or not str(user_id).strip():
        return None
    name = _text(item.get("name")) or " ".join(
        part for part in (_text(item.get("given_name")), _text(item.get("family_name"))) if part
    )
    roles = item.get("roles")
    status = _text(item.get("status")) or "Active"  # the specification's default
    return Member(
        str(user_id).strip()[:MAX_FIELD],
        name,
        _text(item.get("email")),
        tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else (),
        status,
    )


def _same_site(url: str, origin: str) -> bool:
    first, second = urlsplit(url), urlsplit(origin)
    return (first.scheme, first.netloc) == (second.scheme, second.netloc)


async def roster(app: AppState, platform: LtiPlatform, url: str) -> Roster:
    """The whole roster at `url`, or ServiceError saying why it cannot be had."""
    read = Roster()
    next_url: str | None = url
    pages = 0
    renewed = False
    async with httpx2.AsyncClient(transport=app.lti_transport, timeout=TIMEOUT) as client:
        while next_url is not None:
            if pages >= MAX_PAGES:
                raise ServiceError(f"more than {MAX_PAGES} pages of members")
            token = await access_token(app, platform, (SCOPE,))
            status, body, link = await _page(client, next_url, token)
            if status == 401 and not renewed:  # a token the platform took back: once more
                app.lti_tokens.forget(platform.id, (SCOPE,))
                renewed = True
                continue
            if status >= 300:
                raise ServiceError(f"memberships: {reason_of(status, body)}", status)
            pages += 1
            _read_page(body, read)
            if len(read.members) > MAX_MEMBERS:
                raise ServiceError(f"more than {MAX_MEMBERS} members")
            next_url = urljoin(next_url, link) if link else None
            if next_url is not None and not _same_site(next_url, url):
                raise ServiceError("memberships: the next page is on another site")
    return read


async def _page(client: httpx2.AsyncClient, url: str, token: str) -> tuple[int, bytes, str]:
    """One page: its status, its body, and its next page's link ("" when it is the last)."""
    headers = {"accept": MEDIA_TYPE, "authorization": f"Bearer {token}"}
    try:
        response = await client.send(client.build_request("GET", url, headers=headers), stream=True)
        try:
            body = await read_limited(response, MAX_BYTES)
        finally:
            await response.aclose()
    except (httpx2.HTTPError, httpx2.InvalidURL) as exc:
        raise ServiceError(f"memberships: {type(exc).__name__}: {exc}") from exc
    link = response.links.get("next", {}).get("url", "")
    return response.status_code, body, link if isinstance(link, str) else ""


def _read_page(body: bytes, read: Roster) -> None:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ServiceError("memberships: the answer is not JSON") from exc
    members = data.get("members") if isinstance(data, dict) else None
    if not isinstance(members, list):
        raise ServiceError("memberships: the answer has no members list")
    for item in members:
        found = member(item)
        if found is None:
            read.unreadable += 1
        else:
            read.members.append(found)
