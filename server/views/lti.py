"""LTI 1.3 launches (issue #17): the tool's keyset, the OIDC login, the launch.

CSRF: /lti/login and /lti/launch take no form token, by design. The platform's
own page sends them, from its own site, so they can carry none; what protects
them instead is what LTI specifies: the login only starts a flow (it changes
nothing but a one-time state), and the launch is accepted only with an id_token
signed by a registered platform, whose nonce matches a login this site started,
whose state is the one bound to this browser by a signed cookie, used once.

Inside the platform's frame, where the browser may refuse that cookie, the state is
bound to the browser by the platform's postMessage storage instead, when the platform
offers one: /lti/launch/storage takes the id_token again once the tool's page found the
state there, and /lti/open opens the course in a new window with a one-time ticket.
Neither takes a form token either; their proof is the same id_token and one-time login
record, and the Origin of this site's own page (server/views/lti_storage.py).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from course.certificates import MAX_NAME
from server import clock, urls
from server.lti import flow, grades
from server.lti.contexts import file_launch
from server.lti.keys import tool_keys
from server.lti.launch import ASK_ADMIN, DEEP_LINKING, Launch, Refused, check_id_token
from server.security import token_hash
from server.state import state
from server.templating import render
from server.views import lti_storage
from server.views.auth import _start_session, clean_name
from server.views.lti_deep_linking import picker
from server.web import course, storage, unchecked_form

log = logging.getLogger("alliances.lti")
RELAUNCH = "Relancez l’activité depuis votre plateforme."


async def jwks(request: Request) -> Response:
    """The tool's public keys; read from the folder each time, so a rotation shows at once."""
    settings = state(request).settings
    keys = await run_in_threadpool(
        tool_keys, settings.lti_keys_dir, configured=settings.lti_keys is not None
    )
    return JSONResponse(keys.jwks(clock.moment()), headers={"cache-control": "max-age=300"})


def _page(request: Request, template: str, context: Mapping[str, object], status: int) -> Response:
    response = render(request, template, dict(context), status=status)
    response.headers["content-security-policy"] = flow.FRAMEABLE_CSP
    response.headers["cache-control"] = "no-store"
    return response


def _refused(request: Request, refused: Refused) -> Response:
    log.warning("lti %s refused: %s", request.url.path, refused.check)
    return _page(request, "lti/refused.html", {"message": refused.message}, refused.status)


def _new_window(request: Request, params: dict[str, str], why: str) -> Response:
    log.info("lti %s: %s, offering a new window", request.url.path, why)
    context = {"relaunch": flow.relaunch_url(params)}
    return _page(request, "lti/new_window.html", context, 200)


async def _params(request: Request) -> dict[str, str]:
    """The initiation's parameters, from the query (GET) or the form (POST)."""
    source = request.query_params if request.method == "GET" else await unchecked_form(request)
    return {
        name: value.strip()[:2000]
        for name in flow.LOGIN_PARAMS
        if isinstance(value := source.get(name), str) and value.strip()
    }


async def login(request: Request) -> Response:
    """OIDC third-party-initiated login: check who asks, then send the browser to the
    platform's authorisation endpoint with a fresh state and nonce."""
    if (limited := await lti_storage.too_many(request, "login")) is not None:
        return limited
    try:
        return await _login(request)
    except Refused as refused:
        return _refused(request, refused)


async def _login(request: Request) -> Response:
    params = await _params(request)
    for required in ("iss", "login_hint", "target_link_uri"):
        if required not in params:
            raise Refused(
                f"login: missing {required}",
                400,
                "La demande de connexion est incomplète. " + ASK_ADMIN,
            )
    platforms = await storage(request).lti_platforms(params["iss"])
    if "client_id" in params:
        platforms = [p for p in platforms if p.client_id == params["client_id"]]
    if len(platforms) != 1:
        check = "unknown issuer or client_id" if not platforms else "client_id needed"
        raise Refused(
            f"login: {check}",
            403 if not platforms else 400,
            "Cette plateforme n’est pas enregistrée sur ce site. " + ASK_ADMIN,
        )
    platform = platforms[0]
    deployment = params.get("lti_deployment_id")
    if deployment and deployment not in platform.deployments:
        raise Refused(
            f"login: deployment_id {deployment!r} not registered",
            403,
            "Ce déploiement de l’outil n’est pas enregistré sur ce site. " + ASK_ADMIN,
        )
    settings = state(request).settings
    try:
        target = urlsplit(params["target_link_uri"]).netloc
    except ValueError:  # « http://[oops »: not a URL at all
        target = ""
    if target not in {urlsplit(settings.base_url).netloc, request.url.netloc}:
        raise Refused(
            "login: target_link_uri is not this site",
            400,
            "Ce lien ne mène pas à ce site. " + ASK_ADMIN,
        )
    storage_to = None
    if request.headers.get("sec-fetch-dest") == "iframe":
        # Browsers block the state cookie in a frame: the state goes to the platform's
        # postMessage storage if it offers one (server/views/lti_storage.py), else the
        # login starts over in a window of its own.
        storage_to = await lti_storage.storage_target(request)
        if storage_to is None:
            return _new_window(request, params, "login inside a frame")
    state_value = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    moment = clock.moment()
    expires = clock.stamp(moment + timedelta(seconds=flow.LOGIN_SECONDS))
    await storage(request).start_lti_login(
        token_hash(state_value),
        nonce,
        platform.id,
        params,
        expires,
        clock.stamp(moment),
        storage_target=storage_to,
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": settings.base_url + urls.lti_launch(),
        "login_hint": params["login_hint"],
        "state": state_value,
        "nonce": nonce,
    }
    if "lti_message_hint" in params:
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_url else "?"
    location = f"{platform.auth_url}{separator}{urlencode(query)}"
    if storage_to is not None:
        keys = (storage_to, state_value, nonce)
        return lti_storage.login_page(request, platform, params, keys, location)
    response = RedirectResponse(location, 302)
    flow.set_state_cookie(response, settings.secret_key, state_value)
    return response


async def launch(request: Request) -> Response:
    """The id_token the platform posts: checked, then the learner is signed in and lands
    in the path or module the resource link names."""
    if (limited := await lti_storage.too_many(request, "launch")) is not None:
        return limited
    try:
        return await _launch(request)
    except Refused as refused:
        return _refused(request, refused)


async def launch_storage(request: Request) -> Response:
    """The launch again, posted by the page of a launch without state cookie once the
    platform's storage gave back its state: the same checks, with that for the cookie."""
    if (limited := await lti_storage.too_many(request, "launch")) is not None:
        return limited
    try:
        return await _launch(request, storage_checked=True)
    except Refused as refused:
        return await lti_storage.refused(request, refused)


async def _launch(request: Request, storage_checked: bool = False) -> Response:
    form = await unchecked_form(request)  # CSRF-exempt by design: see the module's docstring
    error = form.get("error")
    if isinstance(error, str) and error:
        raise Refused(
            f"platform answered error={error[:100]!r}",
            400,
            "La plateforme n’a pas autorisé ce lancement. " + ASK_ADMIN,
        )
    state_value, token = form.get("state"), form.get("id_token")
    if not isinstance(state_value, str) or not state_value or len(state_value) > 200:
        raise Refused(
            "missing state",
            400,
            "Le lancement est incomplet. " + RELAUNCH,
        )
    if not isinstance(token, str) or not token or len(token) > 64_000:
        raise Refused(
            "missing id_token",
            400,
            "Le lancement est incomplet. " + RELAUNCH,
        )
    db = storage(request)
    at = clock.now()
    hashed = token_hash(state_value)
    login = await db.lti_login(hashed, at)
    if login is None:
        raise Refused(
            "state unknown",
            400,
            "Ce lancement est inconnu ou trop ancien. " + RELAUNCH,
        )
    settings = state(request).settings
    cookie = flow.state_cookie(request, settings.secret_key, state_value)
    if storage_checked:  # instead of the cookie, the platform's storage had the state
        cookie = lti_storage.proven(request, login)
    elif cookie is None and not login.used and login.storage_target is not None:
        return await lti_storage.check_page(request, login, state_value, token)
    if cookie is None and not login.used:
        return _new_window(request, login.params, "state cookie missing")
    if cookie != "ok" and not login.used:
        raise Refused(
            "state cookie does not match",
            400,
            "Ce lancement n’a pas été commencé dans ce navigateur. " + RELAUNCH,
        )
    if login.expired:
        raise Refused(
            "login expired",
            401,
            "Ce lancement a expiré. " + RELAUNCH,
        )
    platform = await db.lti_platform(login.platform_id)
    if platform is None:
        raise Refused(
            "platform removed",
            403,
            "Cette plateforme n’est plus enregistrée sur ce site. " + ASK_ADMIN,
        )
    checked = await check_id_token(token, platform, state(request).lti_keysets)
    if checked.nonce != login.nonce:
        raise Refused(
            "nonce does not match the login", 401, "Ce lancement est invalide. " + RELAUNCH
        )
    if not await db.use_lti_login(hashed, checked.nonce, at):
        raise Refused("nonce already used", 401, "Ce lancement a déjà servi. " + RELAUNCH)
    if checked.message_type == DEEP_LINKING:  # a teacher adding the activity: no sign-in
        response = await picker(request, checked)
        flow.clear_state_cookie(response, state_value)
        return response
    user_id = await _account(request, checked)
    await grades.record_launch(storage(request), course(request), checked, user_id)
    log.info("lti launch: platform %s, user %s", platform.id, user_id)
    landing = await file_launch(db, course(request), checked, user_id)  # NRPS
    landing = landing or flow.landing(course(request), checked.custom)
    if login.storage_target is not None:  # in the platform's frame: the course opens apart
        return lti_storage.open_page(request, hashed, user_id, landing)
    response = await _start_session(request, user_id, landing)
    flow.clear_state_cookie(response, state_value)
    return response


async def _account(request: Request, checked: Launch) -> int:
    """The platform user's own account: the one made at their first launch, or a new one
    (never a local account that shares their e-mail address).

    A later launch refreshes the name and the platform's e-mail when those claims
    changed since the last launch; a claim left empty erases nothing. Certificates
    already issued keep the name they were issued with."""
    db = storage(request)
    issuer = checked.platform.issuer
    name = clean_name(checked.name)[:MAX_NAME].rstrip()
    email = checked.email[:254]
    found = await db.lti_account(issuer, checked.subject)
    if found is not None:
        # As a login: active again, an inactivity warning void; one write either way.
        await db.lti_relaunched(
            found.user_id,
            issuer,
            checked.subject,
            clock.now(),
            name=name if name and name != found.name else None,
            email=email if email and email != found.email else None,
        )
        return found.user_id
    placeholder = f"lti-{secrets.token_hex(12)}@lti.invalid"
    return await db.create_lti_user(
        issuer,
        checked.subject,
        placeholder,
        name or "Apprenant ou apprenante",
        email,
        clock.now(),
    )
