"""Password reset and address confirmation: the one-time links sent by e-mail.

« Mot de passe oublié » answers the same page, in the same time, whether the
address has an account or not: the token is drawn and the message composed in
both cases, and both write one transaction (server/storage/tokens.py); only an
existing account gets a token and a message. The link's token (256 random
bits, only its hash stored) leaves the address bar at once: its page moves it
into a short-lived cookie limited to the reset pages and redirects to a URL
without it, and sends no Referer.
"""

from __future__ import annotations

from functools import cache

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from server import security, urls
from server.mail.compose import compose
from server.passwords import password_problem, too_long
from server.rate_limits import wait_text
from server.state import state
from server.templating import render
from server.views.auth import EMAIL, MAX_EMAIL, _start_session
from server.web import read_form, redirect, storage, text_field

RESET_COOKIE = "at_reset"
NO_REFERRER = {"referrer-policy": "no-referrer"}
COOKIE_SECONDS = 60 * 60  # no longer than the token itself is valid


@cache
def _cookie_signer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="password-reset-link")


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def too_many(request: Request, template: str, context: dict[str, object], wait: int) -> Response:
    """The form again, with how long to wait (429 and Retry-After)."""
    response = render(request, template, {**context, "wait": wait_text(wait)}, status=429)
    response.headers["retry-after"] = str(wait)
    return response


# -- « Mot de passe oublié » --------------------------------------------------------


async def forgot_form(request: Request) -> Response:
    return render(request, "auth/forgot.html", {"values": {}, "error": None})


async def forgot(request: Request) -> Response:
    form = await read_form(request)
    email = text_field(form, "email").lower()
    if len(email) > MAX_EMAIL or not EMAIL.match(email):
        error = "Indiquez une adresse électronique valide, par exemple nom@exemple.fr."
        context = {"values": {"email": email[:MAX_EMAIL]}, "error": error}
        return render(request, "auth/forgot.html", context, status=400)
    db = storage(request)
    limits = state(request).account_limits
    wait = await limits.reserve(db, "reset_per_address", client_address(request))
    if wait:
        return too_many(
            request, "auth/forgot.html", {"values": {"email": email}, "error": None}, wait
        )
    await send_reset(request, email)
    return redirect(urls.forgot_sent())


async def send_reset(request: Request, email: str) -> None:
    """Record a reset link for `email` if it has an account; the same work if not.

    Past the per-address limit (a mailbox flooded with requests), nothing is
    sent, and the page still says the same: the limit itself tells nothing.
    """
    db = storage(request)
    settings = state(request).settings
    allowed = not await state(request).account_limits.reserve(db, "reset_per_email", email)
    user = await db.reset_account(email)
    token = security.new_token()
    link = f"{settings.base_url}{urls.reset_link(token)}"
    name = user.name if user else ""
    message = compose("reset", email, name, {"link": link}, base_url=settings.base_url, secret=True)
    send = user is not None and allowed
    await db.record_reset(
        user.id if send and user else None, security.token_hash(token), message if send else None
    )


async def forgot_sent(request: Request) -> Response:
    return render(request, "auth/forgot_sent.html")


# -- the reset link and the new password ------------------------------------------


def _cookie_name(request: Request) -> str:
    return security.cookie_name(RESET_COOKIE, bool(state(request).settings.production))


def _reset_token(request: Request) -> str | None:
    """The token the link left in its cookie, if signed by us and under an hour old."""
    cookie = request.cookies.get(_cookie_name(request))
    if not cookie:
        return None
    signer = _cookie_signer(state(request).settings.secret_key)
    try:
        value = signer.loads(cookie, max_age=COOKIE_SECONDS)
    except BadSignature:  # also an expired one (SignatureExpired)
        return None
    return value if isinstance(value, str) else None


def _secure(request: Request) -> bool:
    return bool(state(request).settings.production) or request.url.scheme == "https"


def link_invalid(request: Request) -> Response:
    response = render(request, "auth/link_invalid.html", {"what": "reset"}, status=410)
    response.headers.update(NO_REFERRER)
    return response


async def reset_link(request: Request) -> Response:
    """The link from the message: its token goes into a cookie, out of the address bar."""
    token = request.path_params["token"]
    if len(token) > 100 or not await storage(request).reset_owner(security.token_hash(token)):
        return link_invalid(request)
    response = redirect(urls.reset())
    response.headers.update(NO_REFERRER)
    signer = _cookie_signer(state(request).settings.secret_key)
    response.set_cookie(
        _cookie_name(request),
        signer.dumps(token),
        max_age=COOKIE_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    return response


async def reset_form(request: Request) -> Response:
    token = _reset_token(request)
    if token is None or not await storage(request).reset_owner(security.token_hash(token)):
        return link_invalid(request)
    response = render(request, "auth/reset.html", {"errors": {}})
    response.headers.update(NO_REFERRER)
    return response


async def reset_password(request: Request) -> Response:
    """Set the new password: every session of the account ends, then this browser signs in.

    Signing in here (a fresh session) rather than sending the person to the
    login page: they just proved they hold the address and chose the password,
    so typing it again adds nothing but a step; every older session, perhaps
    an intruder's, is gone either way.
    """
    form = await read_form(request)
    token = _reset_token(request)
    db = storage(request)
    owner = await db.reset_owner(security.token_hash(token)) if token else None
    if token is None or owner is None:
        return link_invalid(request)
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    again = form.get("password_again")
    again = again if isinstance(again, str) else ""
    errors: dict[str, str] = {}
    if problem := too_long(password) or password_problem(password, owner.email, owner.name):
        errors["password"] = problem
    elif again != password:
        errors["password_again"] = "Les deux mots de passe ne sont pas identiques."
    if errors:
        response = render(request, "auth/reset.html", {"errors": errors}, status=400)
        response.headers.update(NO_REFERRER)
        return response
    password_hash = await run_in_threadpool(security.hash_password, password)
    user_id = await db.use_reset_token(security.token_hash(token), password_hash)
    if user_id is None:
        return link_invalid(request)
    signed_in = await _start_session(request, user_id, urls.reset_done())
    signed_in.delete_cookie(
        _cookie_name(request), path="/", httponly=True, samesite="lax", secure=_secure(request)
    )
    return signed_in


async def reset_done(request: Request) -> Response:
    return render(request, "auth/reset_done.html")
