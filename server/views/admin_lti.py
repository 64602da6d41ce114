"""`/admin/lti`: the platforms (Moodle, Chamilo…) that may launch the course, registered by
hand, and what their administrators must enter on their side."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from server import clock, urls
from server.ids import path_id
from server.lti.registration import parse_platform, tool_config
from server.security import token_hash
from server.state import state
from server.templating import render
from server.views.admin_lti_grades import NOTICES as GRADE_NOTICES
from server.views.admin_lti_grades import grades_context
from server.views.admin_mail import when
from server.web import read_form, redirect, require_role, storage, text_field

FORM_FIELDS = ("name", "issuer", "client_id", "deployments", "auth_url", "token_url", "keyset_url")
LINK_HOURS = 24  # a registration link is pasted into the platform at once, or made again
NOTICES = {
    "ajoutee": "La plateforme est enregistrée\u00a0: ses lancements sont acceptés dès maintenant.",
    "supprimee": "La plateforme est retirée\u00a0: ses lancements sont refusés désormais."
    " Les comptes qu’elle a créés restent.",
}


async def _page(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    link: str | None = None,
) -> Response:
    settings = state(request).settings
    context = {
        "link": link,
        "link_hours": LINK_HOURS,
        "platforms": await storage(request).lti_platforms(),
        "config": tool_config(settings.base_url),
        "values": values,
        "errors": errors,
        "notice": (NOTICES | GRADE_NOTICES).get(request.query_params.get("fait", "")),
        "when": when,
        **await grades_context(request),  # the grades sent to the platforms
    }
    return render(request, "admin/lti.html", context, status=status)


async def lti_page(request: Request) -> Response:
    await require_role(request, "admin")
    return await _page(request, {}, {})


async def add_platform(request: Request) -> Response:
    await require_role(request, "admin")
    form = await read_form(request)
    values = {name: text_field(form, name) for name in FORM_FIELDS}
    deployments = re.split(r"[\s,;]+", values["deployments"])
    allow_http = not state(request).settings.production
    platform, errors = parse_platform(values, deployments, allow_http=allow_http)
    if platform is not None:
        if await storage(request).add_lti_platform(platform) is not None:
            return redirect(f"{urls.admin_lti()}?{urlencode({'fait': 'ajoutee'})}#avis")
        errors = {"client_id": "Cette plateforme est déjà enregistrée avec cet identifiant client."}
    return await _page(request, values, errors, status=400)


async def remove_platform(request: Request) -> Response:
    await require_role(request, "admin")
    await read_form(request)  # the CSRF check
    platform_id = path_id(request, "platform_id", "Cette plateforme n’existe pas.")
    await storage(request).remove_lti_platform(platform_id)  # twice is harmless
    return redirect(f"{urls.admin_lti()}?{urlencode({'fait': 'supprimee'})}#avis")


async def new_registration_link(request: Request) -> Response:
    """A one-time LTI Dynamic Registration link, shown once: only its hash is kept."""
    await require_role(request, "admin")
    await read_form(request)  # the CSRF check
    token = secrets.token_urlsafe(32)
    moment = clock.moment()
    expires = clock.stamp(moment + timedelta(hours=LINK_HOURS))
    await storage(request).add_lti_registration_link(
        token_hash(token), clock.stamp(moment), expires
    )
    link = state(request).settings.base_url + urls.lti_register(token)
    response = await _page(request, {}, {}, link=link)
    response.headers["cache-control"] = "no-store"
    return response
