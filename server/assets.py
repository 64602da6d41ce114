"""Fingerprinted static assets: `/static/site.css?v=<hash>`, cached for a year.

The hash of each file is computed once at start-up; a changed file gets a new
URL, so browsers may keep the old one forever without ever showing stale CSS.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

YEAR = "public, max-age=31536000, immutable"


def fingerprints(folder: Path) -> dict[str, str]:
    return {
        file.relative_to(folder).as_posix(): hashlib.sha256(file.read_bytes()).hexdigest()[:12]
        for file in sorted(folder.rglob("*"))
        if file.is_file()
    }


class Assets:
    """Serves `static/`; a request carrying the current fingerprint is cacheable for a year."""

    def __init__(self, folder: Path) -> None:
        self.files = StaticFiles(directory=folder)
        self.hashes = fingerprints(folder)

    def url(self, name: str) -> str:
        digest = self.hashes.get(name)
        return f"/static/{name}?v={digest}" if digest else f"/static/{name}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"].removeprefix(scope.get("root_path", "")).lstrip("/")
        name = name.removeprefix("static/")
        query = scope.get("query_string", b"").decode("latin-1")
        current = self.hashes.get(name)
        cacheable = current is not None and query == f"v={current}"

        async def send_cached(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message["headers"] if k != b"cache-control"]
                value = YEAR if cacheable else "no-cache"
                message["headers"] = [*headers, (b"cache-control", value.encode())]
            await send(message)

        await self.files(scope, receive, send_cached)


STATIC = Path(__file__).resolve().parent.parent / "static"
ASSETS = Assets(STATIC)  # the one fingerprint table, computed at start-up
