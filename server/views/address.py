"""The account's e-mail address: confirming it, and changing it.

An address is confirmed by the link sent to it (at sign-up, on « Renvoyer le
lien », or for a new address). A change takes effect only when the link sent
to the new address is followed, and the old address is told at once, with
the way to take the account back should someone else have asked. An account a
platform launch made has no address of its own to confirm or change: 403, saying why.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from server import security, urls
from server.mail.compose import compose
from server.rate_limits import wait_text
from server.state import state
from server.storage import User
from server.templating import render
from server.views import platform_account
from server.views.auth import EMAIL, MAX_EMAIL
from server.views.recovery import NO_REFERRER
from server.web import read_form, redirect, require_user, storage, text_field

NOTICES = {
    "lien-envoye": (
        "Un nouveau lien de confirmation vous a été envoyé. Il est valable 7\u00a0jours."
    ),
    "deja-confirmee": "Votre adresse est déjà confirmée.",
    "changement-envoye": (
        "Un lien de confirmation a été envoyé à votre nouvelle adresse. Le changement "
        "prendra effet quand vous l’aurez suivi (il est valable 7\u00a0jours)."
    ),
}
RESULTS = {
    "confirmed": (200, "Adresse confirmée", "Merci, votre adresse électronique est confirmée."),
    "changed": (
        200,
        "Adresse modifiée",
        "Votre nouvelle adresse électronique est confirmée\u00a0: c’est désormais elle "
        "qui vous sert à vous connecter.",
    ),
    "taken": (
        409,
        "Adresse déjà utilisée",
        "Un autre compte utilise désormais cette adresse électronique\u00a0: votre compte "
        "garde son adresse actuelle. Vous pouvez demander le changement vers une autre adresse.",
    ),
}


async def confirm_link(request: Request) -> Response:
    """The link from a confirmation message: confirm the address, or move the account to it."""
    token = request.path_params["token"]
    db = storage(request)
    result = await db.confirm_address(security.token_hash(token)) if len(token) <= 100 else None
    if result is None or result == "invalid":
        response = render(request, "auth/link_invalid.html", {"what": "confirm"}, status=410)
    else:
        status, title, message = RESULTS[result]
        context = {"title": title, "message": message, "result": result}
        response = render(request, "auth/confirmed.html", context, status=status)
    response.headers.update(NO_REFERRER)
    return response


async def address_page(request: Request) -> Response:
    user = await require_user(request)
    await platform_account.refuse_if_launched(request, user, platform_account.NO_ADDRESS)
    notice = NOTICES.get(request.query_params.get("fait", ""))
    return await _page(request, user, notice=notice)


async def _page(
    request: Request,
    user: User,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    wait: int = 0,
    status: int = 200,
) -> Response:
    context = {
        "address": await storage(request).address_status(user.id),
        "notice": notice,
        "errors": errors or {},
        "values": values or {},
        "wait": wait_text(wait) if wait else None,
    }
    response = render(request, "account/adresse.html", context, status=status)
    if wait:
        response.headers["retry-after"] = str(wait)
    return response


async def resend_confirmation(request: Request) -> Response:
    """« Renvoyer le lien »: a fresh confirmation link for the current address (throttled)."""
    user = await require_user(request)
    await read_form(request)
    await platform_account.refuse_if_launched(request, user, platform_account.NO_ADDRESS)
    db = storage(request)
    address = await db.address_status(user.id)
    if address is None or address.confirmed_at:
        return redirect(urls.my_address() + "?fait=deja-confirmee#confirmation")
    wait = await state(request).account_limits.reserve(db, "confirm_per_account", str(user.id))
    if wait:
        return await _page(request, user, wait=wait, status=429)
    settings = state(request).settings
    token = security.new_token()
    link = f"{settings.base_url}{urls.confirm_address(token)}"
    message = compose(
        "confirm", address.email, user.name, {"link": link}, base_url=settings.base_url, secret=True
    )
    await db.record_confirmation(user.id, security.token_hash(token), message)
    return redirect(urls.my_address() + "?fait=lien-envoye#confirmation")


async def change_address(request: Request) -> Response:
    """Ask for a new address: the current password, then a link to the new address."""
    user = await require_user(request)
    form = await read_form(request)
    await platform_account.refuse_if_launched(request, user, platform_account.NO_ADDRESS)
    email = text_field(form, "email").lower()
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    values = {"email": email[:MAX_EMAIL]}
    db = storage(request)
    errors: dict[str, str] = {}
    if len(email) > MAX_EMAIL or not EMAIL.match(email):
        errors["email"] = "Indiquez une adresse électronique valide, par exemple nom@exemple.fr."
    elif email == user.email:
        errors["email"] = "C’est déjà l’adresse de votre compte\u00a0: indiquez la nouvelle."
    if not password:
        errors["password"] = "Indiquez votre mot de passe actuel."
    if errors:
        return await _page(request, user, errors=errors, values=values, status=400)
    # Counted before the password is checked: this form must not become a guessing tool.
    wait = await state(request).account_limits.reserve(db, "confirm_per_account", str(user.id))
    if wait:
        return await _page(request, user, values=values, wait=wait, status=429)
    found = await db.credentials(user.email)
    stored = found[1] if found else None
    if not await run_in_threadpool(security.verify_password, stored, password[:1024]):
        errors["password"] = "Ce mot de passe n’est pas celui de votre compte."
    elif await db.email_taken(email):
        errors["email"] = "Cette adresse est déjà celle d’un autre compte."
    if errors:
        return await _page(request, user, errors=errors, values=values, status=400)
    settings = state(request).settings
    token = security.new_token()
    link = f"{settings.base_url}{urls.confirm_address(token)}"
    message = compose(
        "confirm_change", email, user.name, {"link": link}, base_url=settings.base_url, secret=True
    )
    notice = compose(
        "email_change_notice",
        user.email,
        user.name,
        {"new_email": email, "reset_url": f"{settings.base_url}{urls.forgot()}"},
        base_url=settings.base_url,
    )
    await db.record_confirmation(user.id, security.token_hash(token), message, notice)
    return redirect(urls.my_address() + "?fait=changement-envoye#confirmation")
