"""The browser side of an LTI launch: the state cookie, and where the learner lands.

The state cookie binds the OIDC login to the browser that started it. It is
`SameSite=None; Secure` because the platform posts the launch from its own site
(a cross-site POST, which a Lax cookie would not follow), and signed, so that it
cannot be made up; one cookie per login, so two launches in two tabs do not clash.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from course.models import Course
from server import urls

LOGIN_SECONDS = 600  # from the login to the launch: the platform's sign-in may take a while
# What the new-window link repeats of the initiation (never anything else the platform sent).
LOGIN_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "lti_deployment_id",
    "client_id",
)
# The LTI pages (not the course) may show inside the platform's frame: they only explain,
# or offer a link that opens a new window. Clickjacking them gains nothing.
FRAMEABLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " font-src 'self'; form-action 'self'; frame-ancestors *; base-uri 'none'; object-src 'none'"
)


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="lti-state")


def state_cookie_name(state: str) -> str:
    return "at_lti_" + hashlib.sha256(state.encode()).hexdigest()[:16]


def set_state_cookie(response: Response, secret: str, state: str) -> None:
    response.set_cookie(
        state_cookie_name(state),
        _serializer(secret).dumps(state),
        max_age=LOGIN_SECONDS,
        path=urls.lti_launch(),
        httponly=True,
        samesite="none",
        secure=True,
    )


def clear_state_cookie(response: Response, state: str) -> None:
    response.delete_cookie(
        state_cookie_name(state), path=urls.lti_launch(), samesite="none", secure=True
    )


def state_cookie(request: Request, secret: str, state: str) -> str | None:
    """None (no cookie), 'bad' or 'ok': whether this browser started the login of `state`."""
    raw = request.cookies.get(state_cookie_name(state))
    if raw is None:
        return None
    try:
        signed = _serializer(secret).loads(raw, max_age=LOGIN_SECONDS)
    except BadSignature:
        return "bad"
    return "ok" if signed == state else "bad"


def relaunch_url(params: dict[str, str]) -> str:
    """The login again, with the platform's own initiation parameters: opened in a new
    window, where the cookies the frame was denied are the site's own."""
    kept = {name: params[name] for name in LOGIN_PARAMS if params.get(name)}
    return f"{urls.lti_login()}?{urlencode(kept)}"


def landing(course: Course, custom: dict[str, str]) -> str:
    """Where the resource link's custom parameters send the learner (`path=4h`,
    `module=…`, both for a module of a given path); the course home otherwise."""
    path = course.path(custom.get("path", "").strip())
    module_id = custom.get("module", "").strip()
    if module_id and module_id in course.modules:
        if path is not None and module_id in path.module_ids:
            return urls.module(path.id, module_id)
        if any(module_id in p.module_ids for p in course.paths):
            return urls.module_permalink(module_id)
    if path is not None:
        return urls.path(path.id)
    return urls.home()
