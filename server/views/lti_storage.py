"""LTI launches inside the platform's frame, without cookies (issue #17 §2).

Browsers (Safari first) refuse the state cookie in the platform's frame. A platform
offering 1EdTech's « LTI Client Side postMessage storage » says so with
`lti_storage_target` in the login initiation; the tool then keeps the state and the
nonce in the platform's window instead of a cookie:

1. /lti/login answers `login_page`, whose script (static/lti-storage-login.js) sends
   `lti.put_data` for `lti_state_<state>` and `lti_nonce_<nonce>` to the target frame,
   addressed to the origin of the platform's registered authorisation endpoint (so the
   browser delivers it to the platform only), waits for both `lti.put_data.response`
   from that origin, then goes on to the authorisation endpoint.
2. /lti/launch, without the cookie, answers `check_page`, whose script
   (static/lti-storage-launch.js) asks `lti.get_data` for both keys and posts the
   id_token to /lti/launch/storage only if the platform's window gives back this
   launch's state and nonce: the proof that this browser started the login.
3. The course's pages refuse framing and its session cookie is Lax, which a frame on
   the platform's site neither sends nor keeps; making them frameable would mean a
   cookie-less session in every URL. So a resource-link launch ends on `open_page`:
   one button opens the course in a new window with a one-time ticket (/lti/open).
   A deep-linking launch shows its picker in the frame, which needs no cookie.

Whatever fails (no answer within 2 s, an error, a mismatch, scripts off) leaves the
page's « Ouvrir dans une nouvelle fenêtre » link, which starts the login again in a
window of its own, where the cookie works.

CSRF: /lti/launch/storage and /lti/open take no form token, for the reason /lti/launch
does: their page answers the platform's cross-site request and has no session to bind a
token to. /lti/launch/storage accepts only what /lti/launch would (an id_token signed by
a registered platform, whose nonce is that of the storage-mode login its state names,
used once); /lti/open only a ticket signed by the site that names such a launch, spent
once. Both also require the browser's Origin (or Sec-Fetch-Site) to say that this
site's own page posted them, so a page elsewhere cannot skip the check in the platform's
window.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from server import clock
from server.lti import flow
from server.lti.launch import ASK_ADMIN, Refused
from server.rate_limits import wait_text
from server.security import token_hash
from server.state import state
from server.storage.lti import LtiLogin, LtiPlatform
from server.templating import render
from server.views.auth import _start_session
from server.web import storage, unchecked_form

log = logging.getLogger("alliances.lti")
TARGET = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")  # '_parent' or a frame's name
OPEN_SECONDS = flow.LOGIN_SECONDS  # the ticket lives as long as its login row


def _page(request: Request, template: str, context: Mapping[str, object], status: int) -> Response:
    response = render(request, template, dict(context), status=status)
    response.headers["content-security-policy"] = flow.FRAMEABLE_CSP
    response.headers["cache-control"] = "no-store"
    return response


def platform_origin(auth_url: str) -> str:
    """Where the platform's storage lives: its authorisation endpoint's origin."""
    parts = urlsplit(auth_url)
    return f"{parts.scheme}://{parts.netloc}"


def _site_origins(request: Request) -> set[str]:
    base = state(request).settings.base_url
    return {platform_origin(base), f"{request.url.scheme}://{request.url.netloc}"}


def from_this_site(request: Request) -> bool:
    """Whether this site's own page posted the request: a page elsewhere cannot make the
    browser say so (Origin and Sec-Fetch-Site are set by the browser alone)."""
    origin = request.headers.get("origin")
    if origin:
        return origin in _site_origins(request)
    return request.headers.get("sec-fetch-site") == "same-origin"


async def storage_target(request: Request) -> str | None:
    """The initiation's `lti_storage_target`, when the platform offers its storage."""
    source = request.query_params if request.method == "GET" else await unchecked_form(request)
    value = source.get("lti_storage_target")
    return value.strip() if isinstance(value, str) and TARGET.match(value.strip()) else None


def login_page(
    request: Request,
    platform: LtiPlatform,
    params: dict[str, str],
    keys: tuple[str, str, str],
    location: str,
) -> Response:
    """The page that stores (state, nonce) in the platform's window, then goes on to
    `location`, the platform's authorisation endpoint."""
    target, state_value, nonce = keys
    log.info("lti login inside a frame: platform storage %r", target)
    context = {
        "origin": platform_origin(platform.auth_url),
        "target": target,
        "state": state_value,
        "nonce": nonce,
        "next": location,
        "relaunch": flow.relaunch_url(params),
    }
    return _page(request, "lti/storage_login.html", context, 200)


async def check_page(request: Request, login: LtiLogin, state_value: str, token: str) -> Response:
    """The page that asks the platform's window for this launch's state and nonce, and
    posts the id_token back to /lti/launch/storage if they are there."""
    platform = await storage(request).lti_platform(login.platform_id)
    if platform is None:
        raise Refused(
            "platform removed",
            403,
            "Cette plateforme n’est plus enregistrée sur ce site. " + ASK_ADMIN,
        )
    log.info("lti launch without state cookie: checking the platform's storage")
    context = {
        "origin": platform_origin(platform.auth_url),
        "target": login.storage_target,
        "state": state_value,
        "nonce": login.nonce,
        "id_token": token,
        "relaunch": flow.relaunch_url(login.params),
    }
    return _page(request, "lti/storage_check.html", context, 200)


def proven(request: Request, login: LtiLogin) -> str:
    """'ok' when /lti/launch/storage may stand for the state cookie, else 'bad'."""
    if login.storage_target is None:
        log.warning("lti storage launch: the login was not started in storage mode")
        return "bad"
    if not from_this_site(request):
        log.warning("lti storage launch: not posted by this site's page")
        return "bad"
    return "ok"


async def refused(request: Request, refusal: Refused) -> Response:
    """A refused storage launch, with the new-window link when its login is known."""
    log.warning("lti %s refused: %s", request.url.path, refusal.check)
    form = await unchecked_form(request)
    value = form.get("state")
    login = None
    if isinstance(value, str) and 0 < len(value) <= 200:
        login = await storage(request).lti_login(token_hash(value), clock.now())
    context: dict[str, Any] = {"message": refusal.message}
    if login is not None:
        context["relaunch"] = flow.relaunch_url(login.params)
    return _page(request, "lti/refused.html", context, refusal.status)


def _tickets(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(state(request).settings.secret_key, salt="lti-open")


def open_page(request: Request, state_hash: str, user_id: int, landing: str) -> Response:
    """In the frame, after a storage-mode launch: one click opens the course in a window."""
    ticket = _tickets(request).dumps({"s": state_hash, "u": user_id, "l": landing})
    log.info("lti launch in a frame: user %s offered the course in a new window", user_id)
    return _page(request, "lti/open.html", {"ticket": ticket}, 200)


async def open_course(request: Request) -> Response:
    """The ticket's new window: signed in, at the launch's landing page. Once only."""
    if (limited := await too_many(request, "launch")) is not None:
        return limited
    form = await unchecked_form(request)  # CSRF-exempt by design: see the module's docstring
    raw = form.get("ticket")
    expired = "Ce lien d’ouverture a expiré ou a déjà servi. "
    relaunch = "Relancez l’activité depuis votre plateforme."
    if not from_this_site(request):
        log.warning("lti open refused: not posted by this site's page")
        return _page(request, "lti/refused.html", {"message": expired + relaunch}, 403)
    try:
        data = _tickets(request).loads(raw if isinstance(raw, str) else "", max_age=OPEN_SECONDS)
        state_hash, user_id, landing = str(data["s"]), int(data["u"]), str(data["l"])
    except (BadSignature, KeyError, TypeError, ValueError):
        log.warning("lti open refused: ticket invalid")
        return _page(request, "lti/refused.html", {"message": expired + relaunch}, 400)
    if not landing.startswith("/") or not await storage(request).open_lti_login(
        state_hash, clock.now()
    ):
        log.warning("lti open refused: ticket spent or expired")
        return _page(request, "lti/refused.html", {"message": expired + relaunch}, 400)
    return await _start_session(request, user_id, landing)


async def too_many(request: Request, step: str) -> Response | None:
    """None when this client address may take one more LTI `step` now (it is counted),
    else the frameable French page that says how long to wait (429 and Retry-After)."""
    address = request.client.host if request.client else ""
    limits = state(request).account_limits
    wait = await limits.reserve(storage(request), "lti_per_address", f"{step}:{address}")
    if not wait:
        return None
    log.warning("lti %s refused: rate limit for %s", request.url.path, address)
    message = (
        "Trop de lancements du cours sont partis de votre réseau en peu de temps. "
        f"Réessayez dans {wait_text(wait)}."
    )
    response = _page(request, "lti/refused.html", {"message": message}, 429)
    response.headers["retry-after"] = str(wait)
    return response
