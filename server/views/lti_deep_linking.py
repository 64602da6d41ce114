"""LTI Deep Linking 2.0 pages (issue #17): the teacher's choice, and the answer to the platform.

The deep-linking launch itself goes through /lti/launch (server/views/lti.py) with
every check; it shows `picker`. The choice is posted to /lti/deep-link with the signed
request token (server/lti/deep_linking.py); the answer is a page whose form posts the
signed response to the platform's return URL, by itself with JavaScript, or by the
teacher's click without it.

CSRF: /lti/deep-link takes no site form token, by design. The picking page answers the
platform's cross-site POST, which carries none of this site's Lax cookies, so a form
token made there is bound to no session and would be refused to a teacher who is signed
in here. What authorises the choice is the request token: signed with the site's secret,
valid for CHOICE_SECONDS, made only after a verified deep-linking launch by an
instructor. Forging a post gains nothing either: all it can make is a page that posts a
link to the return URL of the platform that asked.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from server import clock
from server.lti import deep_linking, flow
from server.lti.keys import tool_keys
from server.lti.launch import ASK_ADMIN, Launch
from server.state import state
from server.templating import render
from server.web import course, storage, unchecked_form

log = logging.getLogger("alliances.lti")
NO_CHOICE = "Choisissez un parcours ou un module à ajouter."
STALE = "Cette page de choix a expiré. Ajoutez de nouveau l’activité depuis votre plateforme."


def _page(
    request: Request,
    template: str,
    context: Mapping[str, object],
    status: int,
    csp: str = flow.FRAMEABLE_CSP,
) -> Response:
    response = render(request, template, dict(context), status=status)
    response.headers["content-security-policy"] = csp
    response.headers["cache-control"] = "no-store"
    return response


def _refused(request: Request, check: str, status: int, message: str) -> Response:
    log.warning("lti %s refused: %s", request.url.path, check)
    return _page(request, "lti/refused.html", {"message": message}, status)


def _picker(request: Request, token: str, errors: dict[str, str], status: int) -> Response:
    context = {"token": token, "errors": errors, "paths": course(request).paths}
    return _page(request, "lti/deep_link.html", context, status)


async def picker(request: Request, launch: Launch) -> Response:
    """The page listing the paths and their modules; Refused for a learner."""
    asked = deep_linking.request_of(launch)
    log.info("lti deep linking: platform %s, deployment %s", asked.platform_id, asked.deployment_id)
    token = deep_linking.pick_token(state(request).settings.secret_key, asked)
    return _picker(request, token, {}, 200)


async def respond(request: Request) -> Response:
    """The chosen path or module, as a signed LtiDeepLinkingResponse posted to the platform."""
    form = await unchecked_form(request)  # the signed request token authorises it
    settings = state(request).settings
    token = form.get("request")
    asked = (
        deep_linking.read_pick_token(settings.secret_key, token) if isinstance(token, str) else None
    )
    if asked is None or not isinstance(token, str):
        return _refused(request, "deep linking: request token forged or stale", 400, STALE)
    platform = await storage(request).lti_platform(asked.platform_id)
    if platform is None or platform.issuer != asked.issuer:
        message = "Cette plateforme n’est plus enregistrée sur ce site. " + ASK_ADMIN
        return _refused(request, "deep linking: platform removed", 403, message)
    choice = form.get("choice")
    item = (
        deep_linking.content_item(course(request), settings.base_url, choice)
        if isinstance(choice, str)
        else None
    )
    if item is None:
        return _picker(request, token, {"choix": NO_CHOICE}, 400)
    keys = await run_in_threadpool(
        tool_keys, settings.lti_keys_dir, configured=settings.lti_keys is not None
    )
    signed = deep_linking.response_jwt(keys.current, asked, item, clock.moment())
    log.info("lti deep linking: platform %s gets %s", platform.id, item["custom"])
    origin = deep_linking.return_origin(asked.return_url)
    csp = flow.FRAMEABLE_CSP.replace("form-action 'self'", f"form-action 'self' {origin}")
    context = {"return_url": asked.return_url, "jwt": signed, "title": item["title"]}
    return _page(request, "lti/deep_link_return.html", context, 200, csp)
