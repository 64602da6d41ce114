"""ASGI middleware: security headers, request body cap, CSRF cookie.

Over HTTPS (in production) cookies carry the `__Host-` prefix. The request's
state gets `session_cookie` (the raw session cookie, read under the right name)
and `csrf_cookie`: what CSRF tokens are signed over, the browser's CSRF cookie
bound to its session cookie (server/security.py `csrf_binding`).

Written as plain ASGI (not BaseHTTPMiddleware) to keep per-request cost low.
"""

from __future__ import annotations

import secrets

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.security import cookie_name, csrf_binding

CSRF_COOKIE = "at_csrf"
SESSION_COOKIE = "at_session"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
# Added to every response that does not set its own; personalised pages are never cached.
DEFAULT_HEADERS = tuple(
    (name.encode(), value.encode())
    for name, value in {**SECURITY_HEADERS, "cache-control": "no-store"}.items()
)


class BodyTooLarge(Exception):
    pass


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, max_body: int, https: bool) -> None:
        self.app = app
        self.max_body = max_body
        self.https = https
        self.csrf_name = cookie_name(CSRF_COOKIE, https)
        self.session_name = cookie_name(SESSION_COOKIE, https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        csrf = cookies.get(self.csrf_name)
        new_csrf = None
        if not csrf or len(csrf) > 64:
            csrf = new_csrf = new_csrf_cookie()
        session = cookies.get(self.session_name)
        state = scope.setdefault("state", {})
        state["session_cookie"] = session
        state["csrf_cookie"] = csrf_binding(csrf, session)
        secure = self.https or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name for name, _ in headers}
                headers += [h for h in DEFAULT_HEADERS if h[0] not in present]
                if new_csrf and not any(
                    name == b"set-cookie" and value.startswith(self.csrf_name.encode() + b"=")
                    for name, value in headers
                ):
                    flags = "; Secure" if secure else ""
                    cookie = f"{self.csrf_name}={new_csrf}; Path=/; HttpOnly; SameSite=Lax{flags}"
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await _too_large(scope, receive, send_with_headers)
            return
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, capped_receive, send_with_headers)
        except BodyTooLarge:
            await _too_large(scope, receive, send_with_headers)


def new_csrf_cookie() -> str:
    return secrets.token_urlsafe(24)


def _cookies(scope: Scope) -> dict[str, str]:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            return cookie_parser(value.decode("latin-1"))
    return {}


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    from server.errors import too_large_response

    response = too_large_response(scope)
    await response(scope, receive, send)
