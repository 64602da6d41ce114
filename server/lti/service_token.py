"""Access tokens for the LTI Advantage services (AGS, NRPS): the OAuth 2 client-credentials
grant with a JWT client assertion (RFC 7523, 1EdTech Security Framework §4.1).

The assertion is signed with the tool's current key (the one its public keyset shows,
`kid` in the header); it names the platform's token endpoint as its audience and
lives five minutes at most. Tokens are cached in memory, per platform and scopes,
until shortly before they expire; a service answering 401 calls `forget` and asks again.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx2
import jwt

from server.lti.keys import tool_keys
from server.storage.lti import LtiPlatform

if TYPE_CHECKING:
    from server.state import AppState

TIMEOUT = 10.0
MAX_BYTES = 64 * 1024
ASSERTION_SECONDS = 300  # the client assertion's lifetime (the spec asks for a short one)
MARGIN = 60.0  # a cached token is renewed this long before the platform says it ends
DEFAULT_LIFETIME = 3600.0  # when the platform's answer gives no expires_in
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class ServiceError(Exception):
    """A service could not be reached or refused the tool; `reason` says why, for the log
    and the admin page; `status` is the platform's HTTP status, when it answered."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass
class _Token:
    value: str
    until: float  # time.monotonic() after which it is not used any more


@dataclass
class TokenCache:
    """The access tokens this process holds, by (platform id, scopes)."""

    _tokens: dict[tuple[int, tuple[str, ...]], _Token] = field(default_factory=dict)
    _locks: dict[tuple[int, tuple[str, ...]], asyncio.Lock] = field(default_factory=dict)
    fetches: int = 0  # how many tokens were asked for (tests, logs)

    def forget(self, platform_id: int, scopes: tuple[str, ...]) -> None:
        """Drop a token the platform refused (401): the next call asks for a new one."""
        self._tokens.pop((platform_id, tuple(sorted(scopes))), None)


def client_assertion(platform: LtiPlatform, key: Any, kid: str, now: int | None = None) -> str:
    """The signed JWT by which the tool proves it is the platform's client."""
    issued = int(time.time()) if now is None else now
    claims = {
        "iss": platform.client_id,
        "sub": platform.client_id,
        "aud": platform.token_url,
        "iat": issued,
        "exp": issued + ASSERTION_SECONDS,
        "jti": secrets.token_urlsafe(24),
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


async def access_token(app: AppState, platform: LtiPlatform, scopes: tuple[str, ...]) -> str:
    """A bearer token for `scopes` on `platform`: the cached one, or a fresh grant."""
    wanted = tuple(sorted(set(scopes)))
    cache = app.lti_tokens
    slot = (platform.id, wanted)
    cached = cache._tokens.get(slot)
    if cached is not None and cached.until > time.monotonic():
        return cached.value
    lock = cache._locks.setdefault(slot, asyncio.Lock())
    async with lock:
        cached = cache._tokens.get(slot)  # another request may have fetched it meanwhile
        if cached is not None and cached.until > time.monotonic():
            return cached.value
        settings = app.settings
        try:
            keys = await asyncio.to_thread(
                tool_keys, settings.lti_keys_dir, configured=settings.lti_keys is not None
            )
        except ValueError as exc:
            raise ServiceError(f"the tool's key cannot be read: {exc}") from exc
        assertion = client_assertion(platform, keys.current.private, keys.current.kid)
        cache.fetches += 1
        token = await _grant(platform, assertion, wanted, app.lti_transport)
        cache._tokens[slot] = token
        return token.value


async def _grant(
    platform: LtiPlatform,
    assertion: str,
    scopes: tuple[str, ...],
    transport: httpx2.AsyncBaseTransport | None,
) -> _Token:
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": " ".join(scopes),
    }
    where = f"token endpoint {platform.token_url[:200]}"
    try:
        async with httpx2.AsyncClient(transport=transport, timeout=TIMEOUT) as client:
            request = client.build_request(
                "POST", platform.token_url, data=form, headers={"accept": "application/json"}
            )
            response = await client.send(request, stream=True)
            try:
                body = await read_limited(response, MAX_BYTES)
            finally:
                await response.aclose()
    except (httpx2.HTTPError, httpx2.InvalidURL) as exc:
        raise ServiceError(f"{where}: {type(exc).__name__}: {exc}") from exc
    if response.status_code >= 300:
        raise ServiceError(
            f"{where}: HTTP {response.status_code} {_excerpt(body)}", response.status_code
        )
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ServiceError(f"{where}: answer is not JSON") from exc
    value = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(value, str) or not value or len(value) > 8000:
        raise ServiceError(f"{where}: answer has no access_token")
    lifetime = data.get("expires_in", DEFAULT_LIFETIME)
    if not isinstance(lifetime, int | float) or isinstance(lifetime, bool) or lifetime <= 0:
        lifetime = DEFAULT_LIFETIME
    keep = max(float(lifetime) - MARGIN, min(float(lifetime) / 2, MARGIN))
    return _Token(value, time.monotonic() + keep)


async def read_limited(response: httpx2.Response, limit: int) -> bytes:
    """A streamed answer's body, refused past `limit` bytes (a platform is not trusted)."""
    body = b""
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            raise ServiceError(f"answer larger than {limit} bytes", response.status_code)
    return body


def _excerpt(body: bytes) -> str:
    """What a refusal said, short and on one line: the platform's reason, for the admin."""
    text = body[:400].decode("utf-8", "replace")
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        parts = [
            str(data[k]) for k in ("error", "error_description", "reason", "message") if data.get(k)
        ]
        if parts:
            text = " — ".join(parts)
    return " ".join(text.split())[:300]


def reason_of(response_status: int, body: bytes) -> str:
    """`HTTP <status> <what the platform said>`, for the outbox's last error."""
    return f"HTTP {response_status} {_excerpt(body)}".strip()
