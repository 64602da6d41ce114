"""LTI Dynamic Registration (issue #17): the URL a platform's administrator pastes into the
platform (Moodle: « URL de l’outil »), which the platform then opens in a window or frame
with `openid_configuration` and, often, `registration_token`.

Anyone on the Internet could open such a URL, and the tool then makes requests to the
address it is given: so the URL carries a one-time token an administrator made on
/admin/lti (stored hashed, expiring, used once), checked before anything is fetched.
A GET changes state here because that is how the platforms open it; the token is the
credential, as in a password-reset link.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response

from server import clock
from server.lti import flow
from server.lti.dynamic import Failed
from server.lti.dynamic import register as register_tool
from server.security import token_hash
from server.state import state
from server.templating import render
from server.web import storage

log = logging.getLogger("alliances.lti")
LINKS = {
    "unknown": "Ce lien d’enregistrement est inconnu.",
    "used": "Ce lien d’enregistrement a déjà servi\u00a0: chaque lien n’enregistre qu’une"
    " plateforme.",
    "expired": "Ce lien d’enregistrement a expiré.",
}
NEW_LINK = (
    " Un administrateur ou une administratrice du cours peut en créer un nouveau sur la page"
    " «\u00a0Plateformes LTI\u00a0» de son administration."
)


def _page(request: Request, template: str, context: dict[str, object], status: int) -> Response:
    """Shown inside the platform's window or frame: framing allowed, never cached."""
    response = render(request, template, context, status=status)
    response.headers["content-security-policy"] = flow.FRAMEABLE_CSP
    response.headers["cache-control"] = "no-store"
    response.headers["referrer-policy"] = "no-referrer"  # the token is in the address
    return response


def _failed(request: Request, check: str, message: str, status: int) -> Response:
    log.warning("lti registration refused: %s", check)
    return _page(request, "lti/registration_failed.html", {"message": message}, status)


async def register(request: Request) -> Response:
    """Check the one-time link, then register with the platform that opened it."""
    token = request.path_params["token"]
    hashed = token_hash(token[:200])
    db = storage(request)
    claimed = await db.claim_lti_registration_link(hashed, clock.now())
    if claimed != "ok":
        return _failed(request, f"link {claimed}", LINKS[claimed] + NEW_LINK, 403)
    config_url = request.query_params.get("openid_configuration", "").strip()
    registration_token = request.query_params.get("registration_token", "").strip()
    settings = state(request).settings
    try:
        if not config_url:
            raise Failed(
                "no openid_configuration",
                "La plateforme n’a pas indiqué l’adresse de sa configuration"
                " (openid_configuration). Collez ce lien dans le champ prévu pour"
                " l’enregistrement dynamique de la plateforme, pas dans un navigateur.",
            )
        platform = await register_tool(
            config_url[:2000],
            registration_token[:4000] or None,
            settings.base_url,
            allow_http=not settings.production,
            transport=state(request).lti_transport,
        )
        platform_id = await db.add_lti_platform(platform)
        if platform_id is None:
            raise Failed(
                "registration: (issuer, client_id) already registered",
                "Cette plateforme est déjà enregistrée avec cet identifiant client.",
            )
    except Failed as failed:
        await db.release_lti_registration_link(hashed)  # the administrator may try again
        status = 400 if failed.check == "no openid_configuration" else 502
        return _failed(request, failed.check, failed.message, status)
    log.info(
        "lti registration: platform %s (%s, client %s) registered",
        platform_id,
        platform.issuer,
        platform.client_id,
    )
    return _page(request, "lti/registered.html", {"platform": platform}, 200)
