"""Setting the session and CSRF cookies at login and logout.

Both change together: a new session gets a new CSRF cookie, and so do the
signed-out pages after a logout, so no form token from before the change is
accepted after it (CSRF tokens are also bound to the session: see
server/security.py `csrf_binding`). Over HTTPS the names carry `__Host-`,
which requires `Secure`, `Path=/` and no `Domain`, as set here.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.middleware import CSRF_COOKIE, SESSION_COOKIE, new_csrf_cookie
from server.security import cookie_name
from server.state import state
from server.web import SESSION_DAYS


def _https(request: Request) -> bool:
    return bool(state(request).settings.production)


def _secure(request: Request) -> bool:
    return _https(request) or request.url.scheme == "https"


def start(request: Request, response: Response, signed_session: str) -> None:
    """Give the browser its new session, and a new CSRF cookie with it."""
    response.set_cookie(
        cookie_name(SESSION_COOKIE, _https(request)),
        signed_session,
        max_age=SESSION_DAYS * 86400,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    _rotate_csrf(request, response)


def end(request: Request, response: Response) -> None:
    """Forget the session in the browser, and the CSRF cookie that went with it."""
    response.delete_cookie(
        cookie_name(SESSION_COOKIE, _https(request)),
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    _rotate_csrf(request, response)


def _rotate_csrf(request: Request, response: Response) -> None:
    response.set_cookie(
        cookie_name(CSRF_COOKIE, _https(request)),
        new_csrf_cookie(),
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
