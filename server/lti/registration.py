"""A platform registered by hand: the fields checked once, for the CLI and /admin/lti,
and what the platform's administrator must enter on their side."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from server import clock, urls
from server.storage.lti import LtiPlatform

FIELDS = {
    "issuer": "l’identifiant de la plateforme (issuer)",
    "client_id": "l’identifiant client (client ID)",
    "auth_url": "l’adresse d’authentification (OIDC auth URL)",
    "token_url": "l’adresse des jetons d’accès (token URL)",
    "keyset_url": "l’adresse des clés publiques (keyset URL)",
}
MAX_FIELD = 500


def _url_problem(value: str, allow_http: bool) -> str | None:
    """The scheme the address must have, when it is not a usable address of that kind."""
    wanted = "http(s)" if allow_http else "https"
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # « https://[oops »
        return wanted
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not host or any(c.isspace() for c in value):
        return wanted
    return None


def parse_platform(
    values: dict[str, str], deployments: list[str], *, allow_http: bool
) -> tuple[LtiPlatform | None, dict[str, str]]:
    """The platform the fields describe, or the French message for each wrong field.

    `allow_http`: a development site may register a platform on localhost without TLS.
    """
    errors: dict[str, str] = {}
    clean = {name: " ".join(values.get(name, "").split()) for name in (*FIELDS, "name")}
    for name, label in FIELDS.items():
        value = clean[name]
        if not value:
            errors[name] = f"Indiquez {label}."
        elif len(value) > MAX_FIELD:
            errors[name] = f"{label[0].upper()}{label[1:]} dépasse {MAX_FIELD} caractères."
        elif name != "client_id" and (scheme := _url_problem(value, allow_http)):
            errors[name] = f"{label[0].upper()}{label[1:]} doit être une adresse {scheme}://…"
    kept = sorted({d.strip() for d in deployments if d.strip()})
    if not kept:
        errors["deployments"] = "Indiquez au moins un identifiant de déploiement (deployment ID)."
    elif any(len(d) > MAX_FIELD for d in kept):
        errors["deployments"] = f"Un identifiant de déploiement dépasse {MAX_FIELD} caractères."
    if errors:
        return None, errors
    platform = LtiPlatform(
        id=0,
        issuer=clean["issuer"],
        client_id=clean["client_id"],
        name=clean["name"][:200],
        auth_url=clean["auth_url"],
        token_url=clean["token_url"],
        keyset_url=clean["keyset_url"],
        deployments=tuple(kept),
        created_at=clock.now(),
    )
    return platform, {}


@dataclass(frozen=True)
class ToolConfig:
    """What a platform's administrator enters for a manual set-up (Moodle: « Outil externe »)."""

    tool_url: str
    login_url: str
    redirect_uris: tuple[str, ...]
    keyset_url: str
    deep_linking_url: str  # Moodle's « Content Selection URL »: the launch URL too


def tool_config(base_url: str) -> ToolConfig:
    return ToolConfig(
        tool_url=base_url + urls.lti_launch(),
        login_url=base_url + urls.lti_login(),
        redirect_uris=(base_url + urls.lti_launch(),),
        keyset_url=base_url + urls.lti_jwks(),
        deep_linking_url=base_url + urls.lti_launch(),
    )
