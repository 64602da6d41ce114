"""LTI Dynamic Registration (1EdTech, issue #17): the platform's OpenID configuration is
fetched and checked, the tool's client registration posted to it, and the answer turned
into a platform exactly as a manual registration would record it.

Each failure raises `Failed` with the check for the log and a French message for the
platform's administrator, who sees the page inside the platform's window.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx2

from server import urls
from server.lti.registration import parse_platform
from server.storage.lti import LtiPlatform

TIMEOUT = 10.0
MAX_BYTES = 256 * 1024
PLATFORM_CLAIM = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CLAIM = "https://purl.imsglobal.org/spec/lti-tool-configuration"
CLIENT_NAME = "Alliances & Territoires"
# Grades (AGS) and rosters (NRPS): asked for when the platform offers them.
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
ASK = " Vérifiez la configuration de la plateforme, puis relancez l’enregistrement."


class Failed(Exception):
    """The registration stops here: `check` for the log, `message` for the page."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(check)
        self.check = check
        self.message = message


@dataclass(frozen=True)
class PlatformConfig:
    """What the tool needs of the platform's OpenID configuration."""

    issuer: str
    auth_url: str
    token_url: str
    keyset_url: str
    registration_url: str
    family: str
    scopes: tuple[str, ...]


def _origin(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url)
        return (parts.scheme, parts.netloc.lower()) if parts.hostname else None
    except ValueError:
        return None


def usable_url(value: object, allow_http: bool) -> bool:
    """An absolute https address (http too on a development site), without spaces."""
    if not isinstance(value, str) or len(value) > 500 or any(c.isspace() for c in value):
        return False
    origin = _origin(value)
    return origin is not None and origin[0] in (("https", "http") if allow_http else ("https",))


async def _json(client: httpx2.AsyncClient, request: httpx2.Request, what: str) -> Any:
    """The answer's JSON body, read up to MAX_BYTES; `what` names the request in errors."""
    try:
        response = await client.send(request, stream=True)
        try:
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise Failed(f"{what}: answer larger than {MAX_BYTES} bytes", "")
        finally:
            await response.aclose()
    except (httpx2.HTTPError, httpx2.InvalidURL) as exc:
        raise Failed(f"{what}: {type(exc).__name__}: {exc}", "") from exc
    if response.status_code >= 300:
        raise Failed(f"{what}: HTTP {response.status_code} {body[:300]!r}", "")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise Failed(f"{what}: not JSON", "") from exc


def check_configuration(url: str, data: Any, allow_http: bool) -> PlatformConfig:
    """The configuration's fields the tool relies on, each checked."""
    if not isinstance(data, dict):
        raise Failed("configuration: not a JSON object", "")
    issuer = data.get("issuer")
    if not usable_url(issuer, allow_http) or _origin(str(issuer)) != _origin(url):
        raise Failed(
            f"configuration: issuer {str(issuer)[:200]!r} does not match {url[:200]!r}",
            "L’identifiant de la plateforme (issuer) ne correspond pas à l’adresse de sa"
            " configuration." + ASK,
        )
    for name in ENDPOINTS:
        if not usable_url(data.get(name), allow_http):
            raise Failed(f"configuration: {name} missing or not a URL", "")
    lti = data.get(PLATFORM_CLAIM)
    if not isinstance(lti, dict):
        raise Failed(f"configuration: no {PLATFORM_CLAIM} claim", "")
    messages = lti.get("messages_supported", [])
    types = (
        {m.get("type") for m in messages if isinstance(m, dict)}
        if isinstance(messages, list)
        else set()
    )
    if messages and "LtiResourceLinkRequest" not in types:
        raise Failed(
            "configuration: LtiResourceLinkRequest not supported",
            "La plateforme n’accepte pas les liens d’activité LTI (LtiResourceLinkRequest)." + ASK,
        )
    for name, wanted in (
        ("id_token_signing_alg_values_supported", "RS256"),
        ("token_endpoint_auth_methods_supported", "private_key_jwt"),
    ):
        offered = data.get(name)
        if isinstance(offered, list) and wanted not in offered:
            raise Failed(f"configuration: {name} lacks {wanted}", "")
    supported = data.get("scopes_supported")
    scopes = tuple(s for s in SCOPES if not isinstance(supported, list) or s in supported)
    family = lti.get("product_family_code")
    return PlatformConfig(
        issuer=str(issuer),
        auth_url=data["authorization_endpoint"],
        token_url=data["token_endpoint"],
        keyset_url=data["jwks_uri"],
        registration_url=data["registration_endpoint"],
        family=family[:50] if isinstance(family, str) else "",
        scopes=scopes,
    )


def client_registration(base_url: str, scopes: tuple[str, ...]) -> dict[str, Any]:
    """The tool's client registration (OpenID Connect Dynamic Client Registration + LTI)."""
    launch = base_url + urls.lti_launch()
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": base_url + urls.lti_login(),
        "redirect_uris": [launch],
        "client_name": CLIENT_NAME,
        "jwks_uri": base_url + urls.lti_jwks(),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        TOOL_CLAIM: {
            "domain": urlsplit(base_url).netloc,
            "target_link_uri": launch,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": launch},
                {"type": "LtiDeepLinkingRequest", "target_link_uri": launch, "label": CLIENT_NAME},
            ],
        },
    }


async def register(
    config_url: str,
    registration_token: str | None,
    base_url: str,
    *,
    allow_http: bool,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> LtiPlatform:
    """The whole exchange: the platform to record, or `Failed`."""
    if not usable_url(config_url, allow_http):
        raise Failed(
            "openid_configuration is not a usable URL",
            "L’adresse de configuration envoyée par la plateforme n’est pas utilisable." + ASK,
        )
    headers = {"accept": "application/json"}
    async with httpx2.AsyncClient(transport=transport, timeout=TIMEOUT) as client:
        try:
            data = await _json(
                client, client.build_request("GET", config_url, headers=headers), "configuration"
            )
        except Failed as failed:
            raise Failed(
                failed.check,
                "La configuration de la plateforme n’a pas pu être lue." + ASK,
            ) from failed
        try:
            config = check_configuration(config_url, data, allow_http)
        except Failed as failed:
            raise Failed(
                failed.check,
                failed.message or "La configuration de la plateforme est incomplète." + ASK,
            ) from failed
        if registration_token:
            headers["authorization"] = f"Bearer {registration_token}"
        payload = client_registration(base_url, config.scopes)
        request = client.build_request(
            "POST", config.registration_url, json=payload, headers=headers
        )
        try:
            answer = await _json(client, request, "registration")
        except Failed as failed:
            raise Failed(
                failed.check, "La plateforme a refusé l’enregistrement de l’outil." + ASK
            ) from failed
    return _platform(config, answer, allow_http)


def _platform(config: PlatformConfig, answer: Any, allow_http: bool) -> LtiPlatform:
    """The platform as a manual registration would record it, from the platform's answer."""
    tool = answer.get(TOOL_CLAIM) if isinstance(answer, dict) else None
    client_id = answer.get("client_id") if isinstance(answer, dict) else None
    deployment = tool.get("deployment_id") if isinstance(tool, dict) else None
    if not isinstance(client_id, str | int) or not isinstance(deployment, str | int):
        raise Failed(
            "registration: the answer lacks client_id or deployment_id",
            "La plateforme n’a pas renvoyé d’identifiant client ou de déploiement."
            " Enregistrez-la à la main sur cette page d’administration.",
        )
    host = urlsplit(config.issuer).netloc
    values = {
        "issuer": config.issuer,
        "client_id": str(client_id),
        "name": f"{config.family.capitalize()} — {host}" if config.family else host,
        "auth_url": config.auth_url,
        "token_url": config.token_url,
        "keyset_url": config.keyset_url,
    }
    platform, errors = parse_platform(values, [str(deployment)], allow_http=allow_http)
    if platform is None:
        raise Failed(
            f"registration: unusable answer ({', '.join(sorted(errors))})",
            "La réponse de la plateforme est inutilisable." + ASK,
        )
    return platform
