"""Personal data in the learner's own hands: download it, or delete the account.

RGPD articles 15 and 20 (`/compte/donnees`) and 17 (`/compte/supprimer`),
without writing to anyone: the site does it at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from server import clock, security, session_cookies
from server.mail.compose import SITE_NAME
from server.passwords import too_long
from server.personal_export import export_zip
from server.personal_purge import days_fr, purge_after
from server.settings import Settings
from server.state import state
from server.storage import User
from server.templating import render
from server.throttle import wait_message
from server.views import platform_account
from server.views.platform_account import FRESH_LAUNCH, RELAUNCH, TYPE_THE_WORD
from server.web import course, read_form, require_user, storage

WRONG_PASSWORD = "Mot de passe incorrect\u00a0: votre compte n’a pas été supprimé."
NO_PASSWORD = "Saisissez votre mot de passe pour confirmer la suppression."


def retention(settings: Settings) -> dict[str, object]:
    """What the pages say about the periods in force, from the settings."""
    days = settings.retention_days
    until = clock.moment() + timedelta(days=days) if days else None
    return {
        "retention_days": days,
        "retention_period": days_fr(days) if days else "",
        "retention_until": until,
        "inactive_period": days_fr(settings.inactive_days),
    }


async def data_page(request: Request) -> Response:
    await require_user(request)
    return render(request, "account/donnees.html", retention(state(request).settings))


async def data_download(request: Request) -> Response:
    """The ZIP, from a form (CSRF-checked, never prefetched like a link could be)."""
    user = await require_user(request)
    await read_form(request)
    settings = state(request).settings
    # The hits of the last seconds are still in memory (server/activity_log.py): written
    # first, so the export holds every working stretch the site knows of.
    await state(request).activity.flush(storage(request))
    data = await storage(request).personal_data(user.id)
    archive = await run_in_threadpool(
        export_zip, data, course(request), SITE_NAME, settings.base_url
    )
    filename = f"mes-donnees-{clock.today()}.zip"
    return Response(
        archive,
        media_type="application/zip",
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )


async def delete_page(request: Request) -> Response:
    user = await require_user(request)
    return await _delete_form(request, user, {})


async def _delete_form(
    request: Request, user: User, errors: dict[str, str], status: int = 200
) -> Response:
    """The page; for the site's only admin, it says why the account cannot go yet; for
    an account a platform launch made, whether its session is fresh enough to confirm."""
    platform = await platform_account.identity(request, user)
    context = {
        "errors": errors,
        "only_admin": user.has("admin") and await storage(request).only_admin(user.id),
        "platform": platform,
        "fresh": platform is not None and await platform_account.launched_recently(request, user),
        "fresh_minutes": FRESH_LAUNCH.seconds // 60,
        "relaunch": RELAUNCH,
        **retention(state(request).settings),
    }
    return render(request, "account/supprimer.html", context, status=status)


async def _launched_proof(
    request: Request, user: User, form: Mapping[str, object]
) -> Response | None:
    """For an account a platform launch made: the refusal, or None when its owner proved
    themselves (a launch moments ago, and the word typed)."""
    if not await platform_account.launched_recently(request, user):
        return await _delete_form(request, user, {}, 403)  # the page says to relaunch
    if not platform_account.confirmed(form.get("confirmation")):
        return await _delete_form(request, user, {"confirmation": TYPE_THE_WORD}, 400)
    return None


async def delete_account(request: Request) -> Response:
    """Erase the account once its owner proved themselves again, then sign out: by its
    password, or, for an account a platform launch made, by a fresh launch."""
    user = await require_user(request)
    form = await read_form(request)
    if await platform_account.identity(request, user) is not None:
        refused = await _launched_proof(request, user, form)
        return refused or await _erase(request, user)
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    if not password:  # nothing guessed: not counted by the throttle
        return await _delete_form(request, user, {"password": NO_PASSWORD}, 400)
    if problem := too_long(password):
        return await _delete_form(request, user, {"password": problem}, 400)
    throttle = state(request).login_throttle
    address = request.client.host if request.client else ""
    wait = await throttle.reserve(storage(request), address, user.email)
    if wait:
        response = await _delete_form(request, user, {"password": wait_message(wait)}, 429)
        response.headers["retry-after"] = str(wait)
        return response
    found = await storage(request).credentials(user.email)
    ok = await run_in_threadpool(security.verify_password, found[1] if found else None, password)
    if not ok:
        await throttle.failed(storage(request))
        return await _delete_form(request, user, {"password": WRONG_PASSWORD}, 400)
    return await _erase(request, user)


async def _erase(request: Request, user: User) -> Response:
    """The deletion itself, as its owner asked and proved (the only admin cannot)."""
    if user.has("admin") and await storage(request).only_admin(user.id):
        return await _delete_form(request, user, {}, 409)  # the page says why
    settings = state(request).settings
    moment = clock.moment()
    await storage(request).delete_account(
        user.id, clock.stamp(moment), purge_after(settings, moment), actor_id=user.id
    )
    request.state.user = None  # the page is shown signed out
    response = render(request, "account/supprime.html", retention(settings))
    session_cookies.end(request, response)
    return response
