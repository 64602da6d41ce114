"""Sign-up, login and logout."""

from __future__ import annotations

import re
import unicodedata

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from course.certificates import MAX_NAME
from server import security, session_cookies, urls
from server.clock import now
from server.passwords import password_problem, too_long
from server.rate_limits import wait_text
from server.signup import create_account, signup_wait
from server.state import state
from server.templating import render
from server.throttle import wait_message
from server.views.navigation import wanted_module
from server.web import (
    SESSION_DAYS,
    current_user,
    read_form,
    redirect,
    safe_next,
    session_cookie,
    storage,
    text_field,
)

# Why the login page is shown, after an action that signed the person out.
LOGIN_NOTICES = {
    "deconnecte-partout": "Toutes vos sessions sont fermées, sur tous vos appareils.",
    "session-fermee": "Votre session est fermée. Connectez-vous pour continuer.",
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 254


def clean_name(raw: str) -> str:
    """NFC, single spaces, no control characters: names print as typed, safely."""
    name = unicodedata.normalize("NFC", raw)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return " ".join(name.split())


async def signup_form(request: Request) -> Response:
    if await current_user(request):
        return redirect(urls.home())
    return render(request, "auth/signup.html", {"values": {}, "errors": {}, "next": _next(request)})


async def signup(request: Request) -> Response:
    form = await read_form(request)
    email = text_field(form, "email").lower()
    name = clean_name(text_field(form, "name"))
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Indiquez votre nom\u00a0: il figurera sur votre attestation."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Le nom ne doit pas dépasser {MAX_NAME} caractères."
    if len(email) > MAX_EMAIL or not EMAIL.match(email):
        errors["email"] = "Indiquez une adresse électronique valide, par exemple nom@exemple.fr."
    if problem := password_problem(password, email, name):
        errors["password"] = problem
    values = {"email": email, "name": name}
    target = safe_next(text_field(form, "next"))
    if not errors and (wait := await signup_wait(request)):
        context = {"values": values, "errors": {}, "next": target, "wait": wait_text(wait)}
        response = render(request, "auth/signup.html", context, status=429)
        response.headers["retry-after"] = str(wait)
        return response
    if not errors:
        password_hash = await run_in_threadpool(security.hash_password, password)
        user_id = await create_account(request, email, name, password_hash)
        if user_id is None:
            errors["email"] = (
                "Un compte existe déjà avec cette adresse. Connectez-vous, "
                "ou utilisez une autre adresse."
            )
        else:
            return await _start_session(request, user_id, target)
    return render(
        request,
        "auth/signup.html",
        {"values": values, "errors": errors, "next": target},
        status=400,
    )


async def login_form(request: Request) -> Response:
    if await current_user(request):
        return redirect(safe_next(request.query_params.get("next")))
    target = _next(request)
    context: dict[str, object] = {
        "values": {},
        "error": None,
        "next": target,
        "wanted": wanted_module(request, target),
        "notice": LOGIN_NOTICES.get(request.query_params.get("fait", "")),
    }
    return render(request, "auth/login.html", context)


async def login(request: Request) -> Response:
    form = await read_form(request)
    email = text_field(form, "email").lower()[:MAX_EMAIL]
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    target = safe_next(text_field(form, "next"))
    problem = too_long(password)  # refused as typed, never cut to fit
    if problem:
        return _login_page(request, email, problem, target, status=400)
    # The attempt is counted before the password is checked: concurrent guesses
    # cannot all pass a check that only later failures would have closed.
    throttle = state(request).login_throttle
    address = request.client.host if request.client else ""
    wait = await throttle.reserve(storage(request), address, email)
    if wait:
        response = _login_page(request, email, wait_message(wait), target, status=429)
        response.headers["retry-after"] = str(wait)
        return response
    found = await storage(request).credentials(email) if email else None
    password_hash = found[1] if found else None
    ok = await run_in_threadpool(security.verify_password, password_hash, password)
    if found and ok:
        await throttle.succeeded(storage(request), address, email)
        user, stored = found
        await storage(request).signed_in(user.id, now())  # voids an inactivity warning
        if security.needs_rehash(stored):
            new_hash = await run_in_threadpool(security.hash_password, password)
            await storage(request).update_password_hash(user.id, new_hash)
        return await _start_session(request, user.id, target)
    await throttle.failed(storage(request))
    error = "Adresse électronique ou mot de passe incorrect."
    return _login_page(request, email, error, target, status=400)


def _login_page(request: Request, email: str, error: str, target: str, status: int) -> Response:
    values = {"email": email}
    context = {
        "values": values,
        "error": error,
        "next": target,
        "wanted": wanted_module(request, target),
    }
    return render(request, "auth/login.html", context, status=status)


async def logout(request: Request) -> Response:
    await read_form(request)
    await current_user(request)
    token = getattr(request.state, "session_token", None)
    if token:
        await storage(request).end_session(security.token_hash(token))
    response = redirect(urls.home())
    session_cookies.end(request, response)
    return response


async def _start_session(request: Request, user_id: int, target: str) -> Response:
    """A fresh session id at each sign-in, so a planted cookie cannot be reused."""
    old = state(request).signer.session_token(session_cookie(request))
    if old:
        await storage(request).end_session(security.token_hash(old))
    token = security.new_token()
    agent = request.headers.get("user-agent", "")  # « Mon compte » names the device from it
    await storage(request).create_session(
        user_id, security.token_hash(token), SESSION_DAYS, user_agent=agent
    )
    response = redirect(target)
    session_cookies.start(request, response, state(request).signer.session_cookie(token))
    return response


def _next(request: Request) -> str:
    return safe_next(request.query_params.get("next"))
