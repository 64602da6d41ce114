"""The legal pages every French site owes: accessibility, legal notice, personal data."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.state import state
from server.templating import render
from server.views.personal_data import retention
from server.web import current_user

DECLARATION_DATE = "27 novembre 2026"


async def _page(request: Request, template: str, **extra: object) -> Response:
    await current_user(request)
    settings = state(request).settings
    return render(
        request,
        template,
        {"site_url": settings.base_url, "declaration_date": DECLARATION_DATE, **extra},
    )


async def accessibility(request: Request) -> Response:
    return await _page(request, "legal/accessibilite.html")


async def legal_notice(request: Request) -> Response:
    return await _page(request, "legal/mentions_legales.html")


async def personal_data(request: Request) -> Response:
    # The periods in force, from the settings: the page never states a placeholder.
    return await _page(
        request, "legal/donnees_personnelles.html", **retention(state(request).settings)
    )
