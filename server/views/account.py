"""« Mon compte »: the account's name, password and active sessions, in its owner's hands.

An account a platform launch made has no password nor address here: those parts are
not offered to it, the page says where it comes from (server/views/platform_account.py).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from course.certificates import MAX_NAME
from server import security, session_cookies, urls
from server.devices import device_label
from server.passwords import password_problem, too_long
from server.state import state
from server.storage import User
from server.templating import render
from server.throttle import wait_message
from server.views import platform_account
from server.views.auth import clean_name
from server.web import read_form, redirect, require_user, session_hash, storage, text_field

NOTICES = {
    "nom": "Votre nom a été modifié.",
    "mot-de-passe": (
        "Votre mot de passe a été modifié. Vos autres sessions ont été fermées\u00a0: "
        "sur vos autres appareils, il faudra vous reconnecter avec le nouveau mot de passe."
    ),
    "session-fermee": "La session a été fermée\u00a0: cet appareil devra se reconnecter.",
    "session-deja-fermee": "Cette session était déjà fermée.",
    "autres-sessions": "Vos autres sessions ont été fermées. Celle-ci reste ouverte.",
    "relances": "Votre choix pour les relances par courriel est enregistré.",
}
PUBLIC_ID_LENGTH = 16  # hex digits: 64 bits, enough to tell one account's sessions apart


def public_id(secret_key: str, token_hash: str) -> str:
    """What the page shows for a session: a keyed digest, never the stored hash itself."""
    digest = hmac.new(secret_key.encode(), b"session-id\0" + token_hash.encode(), hashlib.sha256)
    return digest.hexdigest()[:PUBLIC_ID_LENGTH]


async def account_page(request: Request) -> Response:
    user = await require_user(request)
    notice = NOTICES.get(request.query_params.get("fait", ""))
    return await _page(request, user, notice=notice)


async def change_name(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    typed = text_field(form, "name")
    name = clean_name(typed)
    if not name:
        error = "Indiquez votre nom\u00a0: il figurera sur vos prochaines attestations."
    elif len(name) > MAX_NAME:
        error = f"Le nom ne doit pas dépasser {MAX_NAME} caractères."
    else:
        await storage(request).rename_user(user.id, name)
        return redirect(urls.account() + "?fait=nom#confirmation")
    return await _page(request, user, errors={"name": error}, values={"name": typed}, status=400)


async def change_password(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    await platform_account.refuse_if_launched(request, user, platform_account.NO_PASSWORD)
    current, new = _secret(form.get("current_password")), _secret(form.get("new_password"))
    errors: dict[str, str] = {}
    if problem := too_long(current):
        return await _page(request, user, errors={"current_password": problem}, status=400)
    # Guesses of the current password count against the login throttle: this form
    # must not be a way around it for someone who finds a signed-in browser.
    throttle = state(request).login_throttle
    address = request.client.host if request.client else ""
    wait = await throttle.reserve(storage(request), address, user.email)
    if wait:
        errors["current_password"] = wait_message(wait)
        response = await _page(request, user, errors=errors, status=429)
        response.headers["retry-after"] = str(wait)
        return response
    found = await storage(request).credentials(user.email)
    stored = found[1] if found else None
    if not await run_in_threadpool(security.verify_password, stored, current):
        await throttle.failed(storage(request))
        errors["current_password"] = "Le mot de passe actuel est incorrect."
        return await _page(request, user, errors=errors, status=400)
    await throttle.succeeded(storage(request), address, user.email)
    if problem := password_problem(new, user.email, user.name):
        return await _page(request, user, errors={"new_password": problem}, status=400)
    password_hash = await run_in_threadpool(security.hash_password, new)
    await storage(request).update_password_hash(user.id, password_hash)
    await storage(request).end_sessions_of(user.id, keep=session_hash(request))
    return redirect(urls.account() + "?fait=mot-de-passe#confirmation")


async def close_session(request: Request) -> Response:
    """End one of the account's sessions, named by its public id."""
    user = await require_user(request)
    form = await read_form(request)
    wanted = text_field(form, "session")
    if not wanted:
        raise HTTPException(400, "Choisissez la session à fermer.")
    secret = state(request).settings.secret_key
    sessions = await storage(request).active_sessions(user.id)
    found = next((s for s in sessions if public_id(secret, s.token_hash) == wanted), None)
    if found is None:
        return redirect(urls.account() + "?fait=session-deja-fermee#confirmation")
    await storage(request).end_session_of(user.id, found.token_hash)
    if found.token_hash == session_hash(request):
        response = redirect(urls.login() + "?fait=session-fermee")
        session_cookies.end(request, response)
        return response
    return redirect(urls.account() + "?fait=session-fermee#confirmation")


async def end_other_sessions(request: Request) -> Response:
    user = await require_user(request)
    await read_form(request)
    await storage(request).end_sessions_of(user.id, keep=session_hash(request))
    return redirect(urls.account() + "?fait=autres-sessions#confirmation")


async def end_all_sessions(request: Request) -> Response:
    """« Se déconnecter partout »: this browser too, then the login page says what happened."""
    user = await require_user(request)
    await read_form(request)
    await storage(request).end_sessions_of(user.id)
    response = redirect(urls.login() + "?fait=deconnecte-partout")
    session_cookies.end(request, response)
    return response


def _secret(value: object) -> str:
    """A password as typed: never stripped, never cut."""
    return value if isinstance(value, str) else ""


async def _page(
    request: Request,
    user: User,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    db = storage(request)
    profile = await db.profile(user.id)
    if profile is None:  # deleted between the session query and this one
        raise HTTPException(404, "Ce compte n'existe plus.")
    secret = state(request).settings.secret_key
    current = session_hash(request)
    sessions = [
        {
            "id": public_id(secret, s.token_hash),
            "device": device_label(s.user_agent),
            "created_at": s.created_at,
            "last_seen_at": s.last_seen_at or s.created_at,
            "current": s.token_hash == current,
        }
        for s in await db.active_sessions(user.id)
    ]
    sessions.sort(key=lambda s: not s["current"])  # this one first
    certificates = sorted(
        (c for c in (await db.certificates_for(user.id)).values() if c.valid),
        key=lambda c: c.issued_at,
    )
    context: dict[str, Any] = {
        "profile": profile,
        "sessions": sessions,
        "certificates": certificates,
        "errors": errors or {},
        "values": {"name": user.name, **(values or {})},
        "notice": notice,
        "max_name": MAX_NAME,
        "reminders_on": not await db.reminders_off(user.id),
        "platform": await platform_account.identity(request, user),
        "no_password": platform_account.NO_PASSWORD,
        "no_address": platform_account.NO_ADDRESS,
    }
    return render(request, "account/index.html", context, status=status)
