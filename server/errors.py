"""Friendly French error pages: never a traceback, always the right status code."""

from __future__ import annotations

import logging
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Scope

from server import form_expired
from server.form_expired import FormExpired
from server.state import AppState
from server.templating import ENV

log = logging.getLogger("alliances")
REASONS = {status.phrase for status in HTTPStatus}  # Starlette's default details, not ours

MESSAGES = {
    400: ("Demande invalide", "La demande envoyée n'a pas pu être traitée."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page."),
    404: ("Page introuvable", "La page demandée n'existe pas ou a été déplacée."),
    405: ("Méthode non autorisée", "Cette adresse ne s'utilise pas de cette façon."),
    413: ("Envoi trop volumineux", "Les données envoyées dépassent la taille autorisée."),
    500: ("Erreur du serveur", "Une erreur inattendue s'est produite. Réessayez plus tard."),
    503: ("Service indisponible", "Le service est momentanément indisponible."),
}


def error_page(
    request: Request,
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    back: str | None = None,
) -> HTMLResponse:
    default_title, default = MESSAGES.get(status, MESSAGES[400])
    title = title or default_title
    # Defensive: an error may come before the app's state or the request's is set.
    shared: AppState | None = getattr(request.app.state, "alliances", None)
    signer = shared.signer if shared else None
    csrf_cookie = getattr(request.state, "csrf_cookie", None)
    pinned = request.scope.get("state", {}).get("snapshot")
    live = pinned or (shared.content.snapshot if shared else None)
    context = {
        "title": title,
        "message": detail or default,
        "status": status,
        "user": getattr(request.state, "user", None),
        "course": live.course if live else None,
        # so the header's logout button still works on an error page
        "csrf_token": signer.csrf_token(csrf_cookie) if signer and csrf_cookie else "",
        "request": request,
        "back": back,
    }
    html = ENV.get_template("error.html").render(context)
    return HTMLResponse(html, status_code=status)


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code >= 400:
        await _load_user(request)
    detail = exc.detail if exc.detail and exc.detail not in REASONS else None
    if isinstance(exc, FormExpired):
        response = error_page(
            request, 403, exc.detail, title=form_expired.TITLE, back=form_expired.way_back(request)
        )
    else:
        response = error_page(request, exc.status_code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    from server.storage.errors import is_unavailable, storage_failure

    if is_unavailable(exc):  # raised outside the routes (a middleware): still a 503
        return await storage_failure(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500)


async def not_durable(request: Request, exc: Exception) -> Response:
    """The disk failed a flush: say so plainly; only a restart clears it."""
    log.critical("writes can no longer be confirmed, restart the server: %s", exc, exc_info=exc)
    return error_page(
        request,
        503,
        "Votre dernière action n'a pas pu être enregistrée de façon sûre. "
        "Le service est momentanément indisponible\u00a0; réessayez plus tard.",
    )


async def _load_user(request: Request) -> None:
    """Error pages keep the signed-in header; a failing database must not hide the error."""
    from server.web import current_user

    try:
        await current_user(request)
    except Exception:  # the error page matters more than the header
        request.state.user = None


def too_large_response(scope: Scope) -> Response:
    request = Request(scope)
    return error_page(request, 413)
