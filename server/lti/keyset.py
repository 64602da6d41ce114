"""The platforms' public keysets, fetched with httpx2 and cached.

A keyset is kept for TTL; a token signed with a `kid` the cached keyset lacks (the
platform rotated its keys) makes one fresh fetch, at most once per MIN_REFRESH per
URL, so a stream of forged kids cannot turn the tool into a flood of requests.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2
import jwt

log = logging.getLogger("alliances.lti")
TTL = 3600.0
MIN_REFRESH = 10.0
TIMEOUT = 10.0
MAX_BYTES = 256 * 1024


class KeysetError(Exception):
    """The keyset could not be had, or holds no key of that kid."""


@dataclass
class _Entry:
    keys: dict[str, jwt.PyJWK]
    fetched: float


@dataclass
class KeysetCache:
    """Keysets by URL; `transport` is for tests (a platform simulator in the process)."""

    transport: httpx2.AsyncBaseTransport | None = None
    min_refresh: float = MIN_REFRESH
    _entries: dict[str, _Entry] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def key(self, url: str, kid: str | None) -> jwt.PyJWK:
        """The key of `kid` (or the only key, when the token names none)."""
        entry = self._entries.get(url)
        now = time.monotonic()
        if entry is None or now - entry.fetched > TTL:
            entry = await self._fetch(url, entry)
        elif _pick(entry, kid) is None and now - entry.fetched >= self.min_refresh:
            log.info("lti keyset: unknown kid %r, fetching %s again", kid, url)
            entry = await self._fetch(url, entry)
        found = _pick(entry, kid)
        if found is None:
            raise KeysetError(f"no key {kid!r} in the keyset at {url}")
        return found

    async def _fetch(self, url: str, seen: _Entry | None) -> _Entry:
        """A fresh keyset, unless a request we waited for just fetched one."""
        lock = self._locks.setdefault(url, asyncio.Lock())
        async with lock:
            cached = self._entries.get(url)
            if cached is not None and cached is not seen:
                return cached
            try:
                async with httpx2.AsyncClient(transport=self.transport, timeout=TIMEOUT) as client:
                    response = await client.get(url, headers={"accept": "application/json"})
                response.raise_for_status()
                if len(response.content) > MAX_BYTES:
                    raise KeysetError(f"the keyset at {url} is too large")
                data: Any = response.json()
                keys = _parse(data)
            except (httpx2.HTTPError, httpx2.InvalidURL, ValueError, jwt.PyJWKSetError) as exc:
                raise KeysetError(f"cannot read the keyset at {url}: {exc}") from exc
            entry = _Entry(keys, time.monotonic())
            self._entries[url] = entry
            return entry


def _parse(data: Any) -> dict[str, jwt.PyJWK]:
    """The RSA signing keys of a JWKS, by kid ("" for a key without one)."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise ValueError("not a JWK set")
    keys = {}
    for item in data["keys"]:
        if (
            not isinstance(item, dict)
            or item.get("kty") != "RSA"
            or item.get("use", "sig") != "sig"
        ):
            continue
        try:
            keys[str(item.get("kid", ""))] = jwt.PyJWK(item, algorithm="RS256")
        except jwt.PyJWKError:
            continue
    if not keys:
        raise ValueError("no usable RSA key in the JWK set")
    return keys


def _pick(entry: _Entry, kid: str | None) -> jwt.PyJWK | None:
    if kid is None:
        return next(iter(entry.keys.values())) if len(entry.keys) == 1 else None
    return entry.keys.get(kid)
