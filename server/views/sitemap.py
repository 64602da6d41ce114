"""The site map (/plan-du-site): RGAA 12.1's second way to reach every page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.templating import render
from server.web import course, current_user


async def site_map(request: Request) -> Response:
    """Public, so that a visitor sees every kind of page before signing in."""
    await current_user(request)
    current = course(request)
    return render(
        request,
        "plan_du_site.html",
        {
            "paths": current.paths,
            "modules": current.modules,
            "pages": sorted(current.pages.values(), key=lambda page: page.title),
            "templates": sorted(current.templates.values(), key=lambda t: t.title),
        },
    )
