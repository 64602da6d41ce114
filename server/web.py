"""Request helpers shared by the views: who is signed in, forms, CSRF, redirects."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from urllib.parse import parse_qsl

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from course.models import Course
from course.progress import ModuleProgress
from server import clock, urls
from server.form_expired import FormExpired
from server.security import token_hash
from server.state import snapshot, state
from server.storage import Storage, User
from server.storage.errors import is_unavailable, log

SESSION_DAYS = 30
# How stale a session's « last seen » mark may get: refreshed at most this often.
SEEN_EVERY = timedelta(hours=1)
MAX_FIELDS = 200


def course(request: Request) -> Course:
    return snapshot(request).course


def storage(request: Request) -> Storage:
    return state(request).storage


def session_cookie(request: Request) -> str | None:
    """The signed session cookie, read by the middleware under its name (`__Host-` over HTTPS)."""
    return getattr(request.state, "session_cookie", None)


async def current_user(request: Request) -> User | None:
    """The signed-in user, from the signed cookie and one session query."""
    if hasattr(request.state, "user"):
        return request.state.user
    shared = state(request)
    if shared.settings.preview:
        request.state.user = shared.preview_user
        request.state.session_token = None
        return shared.preview_user
    token = shared.signer.session_token(session_cookie(request))
    hashed = token_hash(token) if token else None
    user = await storage(request).session_user(hashed) if hashed else None
    request.state.user = user
    request.state.session_token = token if user else None
    if user and hashed:
        await keep_seen(request, user, hashed)
    return user


async def keep_seen(request: Request, user: User, session: str) -> None:
    """Mark the session (and its account) as seen, once its mark is an hour old.

    The mark comes with the session query the request makes anyway: a write
    happens at most once an hour per session, never a read more.
    """
    moment = clock.moment()
    seen = user.session_seen_at
    if seen is not None and seen >= clock.stamp(moment - SEEN_EVERY):
        return
    try:
        await storage(request).touch_session(session, user.id, clock.stamp(moment))
    except (sqlite3.Error, OSError) as exc:
        # A page that only reads must still show on a full disk: the mark can wait.
        if isinstance(exc, sqlite3.Error) and not is_unavailable(exc):
            raise
        log.warning("session not marked as seen: %s", exc)


def session_hash(request: Request) -> str | None:
    """The hashed token of the session this request carries, for session-keyed queries.

    In preview mode everyone on localhost shares the preview user's own session.
    """
    shared = state(request)
    if shared.settings.preview:
        return shared.preview_session
    token = shared.signer.session_token(session_cookie(request))
    return token_hash(token) if token else None


async def learner_in_module(
    request: Request, module_id: str
) -> tuple[User, ModuleProgress | None, dict[str, str]]:
    """The signed-in user with their progress and answers in a module, in one query.

    Their progress in every module is kept in `request.state.progress` for the outline.
    """
    session = session_hash(request)
    if session is None:
        raise to_login(request)
    db = storage(request)
    user, everywhere, answers, cohorts = await db.session_learner_state(session, module_id)
    if user is None:
        raise to_login(request)
    request.state.user = user  # as `current_user` would have found it
    request.state.progress = everywhere  # the path's outline needs every module's status
    request.state.cohorts = cohorts  # whom the learner may ask a question (issue #18)
    request.state.session_token = None
    shared = state(request)
    if not shared.settings.preview:
        cookie = session_cookie(request)
        request.state.session_token = shared.signer.session_token(cookie)
        await keep_seen(request, user, session)
        # Measured time (issue #18 §2): noted in memory, written in batches, no round trip.
        shared.activity.note(shared.storage, user.id, module_id)
    return user, everywhere.get(module_id), answers


async def require_user(request: Request) -> User:
    user = await current_user(request)
    if user is None:
        raise to_login(request)
    return user


def to_login(request: Request) -> HTTPException:
    """Send a signed-out visitor to the login page, and back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return HTTPException(303, headers={"Location": urls.login(target)})


ROLE_NAMES = {"trainer": "formateurs", "editor": "éditeurs", "admin": "administrateurs"}


async def require_role(request: Request, *roles: str) -> User:
    """A signed-in user holding one of the roles; others are told which roles may enter."""
    user = await require_user(request)
    if not any(user.has(role) for role in roles):
        names = [ROLE_NAMES.get(role, role) for role in roles]
        who = " et ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        raise HTTPException(403, f"Cette page est réservée aux {who}.")
    return user


async def read_form(request: Request) -> FormData:
    """Parse a form and check its CSRF token; a forged or stale form is refused."""
    form = await _parse_form(request)
    token = form.get("csrf_token")
    if not state(request).signer.csrf_valid(
        request.state.csrf_cookie, token if isinstance(token, str) else None
    ):
        raise FormExpired()
    return form


async def unchecked_form(request: Request) -> FormData:
    """The form without its CSRF check: only to refill a page, never to act on it."""
    return await _parse_form(request)


async def _parse_form(request: Request) -> FormData:
    """Our forms are URL-encoded: the standard library parses them several times faster."""
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        body = (await request.body()).decode("utf-8", errors="replace")
        try:
            items: list[tuple[str, str | UploadFile]] = list(
                parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS)
            )
        except ValueError as exc:
            raise HTTPException(400, "Ce formulaire contient trop de champs.") from exc
        return FormData(items)
    return await request.form(max_files=0, max_fields=MAX_FIELDS)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None) -> str:
    """Only same-site paths: a crafted `next` must not send users elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return urls.home()


def text_field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
