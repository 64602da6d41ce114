"""Sign-up, login and logout."""

from __future__ import annotations

import re
import unicodedata

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from course.certificates import MAX_NAME
from server import security
from server.templating import render
from server.web import (
    SESSION_COOKIE,
    SESSION_DAYS,
    current_user,
    read_form,
    redirect,
    safe_next,
    storage,
    text_field,
)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_EMAIL = 254


def clean_name(raw: str) -> str:
    """NFC, single spaces, no control characters: names print as typed, safely."""
    name = unicodedata.normalize("NFC", raw)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return " ".join(name.split())


async def signup_form(request: Request) -> Response:
    if await current_user(request):
        return redirect("/")
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
    if len(password) < MIN_PASSWORD:
        errors["password"] = f"Choisissez un mot de passe d'au moins {MIN_PASSWORD} caractères."
    elif len(password) > MAX_PASSWORD:
        errors["password"] = "Ce mot de passe est trop long."
    values = {"email": email, "name": name}
    target = safe_next(text_field(form, "next"))
    if not errors:
        password_hash = await run_in_threadpool(security.hash_password, password)
        user = await storage(request).create_user(email, name, password_hash)
        if user is None:
            errors["email"] = (
                "Un compte existe déjà avec cette adresse. Connectez-vous, "
                "ou utilisez une autre adresse."
            )
        else:
            return await _start_session(request, user.id, target)
    return render(
        request,
        "auth/signup.html",
        {"values": values, "errors": errors, "next": target},
        status=400,
    )


async def login_form(request: Request) -> Response:
    if await current_user(request):
        return redirect(safe_next(request.query_params.get("next")))
    return render(request, "auth/login.html", {"values": {}, "error": None, "next": _next(request)})


async def login(request: Request) -> Response:
    form = await read_form(request)
    email = text_field(form, "email").lower()[:MAX_EMAIL]
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    target = safe_next(text_field(form, "next"))
    throttle = request.app.state.login_throttle
    wait = throttle.wait_seconds(email)
    if wait:
        minutes = -(-wait // 60)
        return render(
            request,
            "auth/login.html",
            {
                "values": {"email": email},
                "error": f"Trop de tentatives de connexion pour cette adresse. "
                f"Réessayez dans {minutes} minute{'s' if minutes > 1 else ''}.",
                "next": target,
            },
            status=429,
        )
    found = await storage(request).credentials(email) if email else None
    password_hash = found[1] if found else None
    ok = await run_in_threadpool(security.verify_password, password_hash, password[:MAX_PASSWORD])
    if found and ok:
        throttle.succeeded(email)
        user, stored = found
        if security.needs_rehash(stored):
            new_hash = await run_in_threadpool(security.hash_password, password)
            await storage(request).update_password_hash(user.id, new_hash)
        return await _start_session(request, user.id, target)
    throttle.failed(email)
    return render(
        request,
        "auth/login.html",
        {
            "values": {"email": email},
            "error": "Adresse électronique ou mot de passe incorrect.",
            "next": target,
        },
        status=400,
    )


async def logout(request: Request) -> Response:
    await read_form(request)
    await current_user(request)
    token = getattr(request.state, "session_token", None)
    if token:
        await storage(request).end_session(security.token_hash(token))
    response = redirect("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def _start_session(request: Request, user_id: int, target: str) -> Response:
    """A fresh session id at each sign-in, so a planted cookie cannot be reused."""
    old = request.app.state.signer.session_token(request.cookies.get(SESSION_COOKIE))
    if old:
        await storage(request).end_session(security.token_hash(old))
    token = security.new_token()
    await storage(request).create_session(user_id, security.token_hash(token), SESSION_DAYS)
    response = redirect(target)
    response.set_cookie(
        SESSION_COOKIE,
        request.app.state.signer.session_cookie(token),
        max_age=SESSION_DAYS * 86400,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.production or request.url.scheme == "https",
    )
    return response


def _next(request: Request) -> str:
    return safe_next(request.query_params.get("next"))
