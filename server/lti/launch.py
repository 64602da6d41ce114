"""Checking a platform's id_token, one named check after another.

Each failure raises `Refused` naming the check that failed (for the log) with a
French sentence for the learner and a status: 400 for a malformed request, 401
for a token that does not prove who sent it (signature, dates, nonce), 403 for a
sender or deployment this site does not accept. Nothing here answers a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from server.lti.keyset import KeysetCache, KeysetError
from server.storage.lti import LtiPlatform

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
LEEWAY = 60  # seconds of clock difference tolerated on exp, iat and nbf
MESSAGE_TYPE = "LtiResourceLinkRequest"
DEEP_LINKING = (
    "LtiDeepLinkingRequest"  # a teacher choosing what to add (server/lti/deep_linking.py)
)
VERSION = "1.3.0"
ASK_ADMIN = "Prévenez l’administrateur de votre plateforme de formation."


class Refused(Exception):
    """A launch or login refused: `check` for the log, `message` for the person."""

    def __init__(self, check: str, status: int, message: str) -> None:
        super().__init__(check)
        self.check = check
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Launch:
    """What a checked resource-link launch says."""

    platform: LtiPlatform
    subject: str
    nonce: str
    name: str
    email: str
    deployment_id: str
    resource_link_id: str  # empty for a deep-linking request, which has none
    custom: dict[str, str]
    message_type: str = MESSAGE_TYPE
    roles: tuple[str, ...] = ()
    deep_linking: dict[str, Any] | None = None  # the deep_linking_settings claim, as sent
    # The context (the platform's course) the link sits in; empty when not sent.
    context_id: str = ""
    context_title: str = ""
    # Assignment and Grade Services: where scores go (empty when the platform offers none).
    ags_scopes: tuple[str, ...] = ()
    ags_lineitem: str = ""  # the link's own line item, when the platform made one
    ags_lineitems: str = ""  # the context's line-item container
    # Names and Role Provisioning Services: the context's membership URL, if offered.
    nrps_url: str = ""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


async def check_id_token(token: str, platform: LtiPlatform, keysets: KeysetCache) -> Launch:
    """The launch the token carries, once every check of LTI 1.3 core §5.1.3 passed
    (but the nonce's single use, which the caller records in the database)."""
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        raise Refused("id_token malformed", 400, "Le jeton de lancement est illisible.") from exc
    if header.get("alg") != "RS256":
        raise Refused(f"alg {header.get('alg')!r} is not RS256", 401, "Le jeton n’est pas signé.")
    if unverified.get("iss") != platform.issuer:
        raise Refused("iss does not match the login's platform", 403, _unknown_platform())
    kid = header.get("kid")
    try:
        key = await keysets.key(platform.keyset_url, kid if isinstance(kid, str) else None)
    except KeysetError as exc:
        raise Refused(
            f"signature: {exc}",
            401,
            "La signature du lancement ne peut pas être vérifiée. " + ASK_ADMIN,
        ) from exc
    claims = _verified(token, key, platform)
    _check_azp(claims, platform)
    return _launch(claims, platform)


def _verified(token: str, key: jwt.PyJWK, platform: LtiPlatform) -> dict[str, Any]:
    expired = "Ce lien de lancement a expiré. Relancez l’activité depuis votre plateforme."
    try:
        return jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
        )
    except jwt.InvalidSignatureError as exc:
        raise Refused("signature invalid", 401, "La signature du lancement est invalide.") from exc
    except jwt.ExpiredSignatureError as exc:
        raise Refused("exp: token expired", 401, expired) from exc
    except jwt.ImmatureSignatureError as exc:
        raise Refused("iat/nbf: token from the future", 401, expired) from exc
    except jwt.InvalidAudienceError as exc:
        raise Refused("aud: not this tool's client id", 403, _unknown_platform()) from exc
    except jwt.InvalidIssuerError as exc:
        raise Refused("iss: not the platform's issuer", 403, _unknown_platform()) from exc
    except jwt.MissingRequiredClaimError as exc:
        raise _missing(exc.claim) from exc
    except jwt.InvalidTokenError as exc:
        raise Refused(
            f"id_token invalid: {exc}", 400, "Le jeton de lancement est invalide."
        ) from exc


def _check_azp(claims: dict[str, Any], platform: LtiPlatform) -> None:
    """azp, when present or when aud names several parties, must be this tool."""
    audience = claims["aud"]
    several = isinstance(audience, list) and len(audience) > 1
    if ("azp" in claims or several) and claims.get("azp") != platform.client_id:
        raise Refused("azp: not this tool's client id", 403, _unknown_platform())


def _launch(claims: dict[str, Any], platform: LtiPlatform) -> Launch:
    deployment = _text(claims.get(CLAIM + "deployment_id"))
    if not deployment:
        raise _missing("deployment_id")
    if deployment not in platform.deployments:
        raise Refused(
            f"deployment_id {deployment!r} not registered",
            403,
            "Ce déploiement de l’outil n’est pas enregistré sur ce site. " + ASK_ADMIN,
        )
    message_type = claims.get(CLAIM + "message_type")
    if message_type is None:
        raise _missing("message_type")
    if message_type not in (MESSAGE_TYPE, DEEP_LINKING):
        raise Refused(
            f"message_type {message_type!r} not supported",
            400,
            "Ce type de lancement n’est pas pris en charge par ce site.",
        )
    version = claims.get(CLAIM + "version")
    if version is None:
        raise _missing("version")
    if version != VERSION:
        raise Refused(
            f"version {version!r} is not 1.3.0",
            400,
            "Cette version de LTI n’est pas prise en charge.",
        )
    link = claims.get(CLAIM + "resource_link")
    link_id = _text(link.get("id")) if isinstance(link, dict) else ""
    if not link_id and message_type == MESSAGE_TYPE:
        raise _missing("resource_link.id")
    settings = claims.get(CLAIM + "deep_linking_settings")
    if message_type == DEEP_LINKING and not isinstance(settings, dict):
        raise _missing("deep_linking_settings")
    roles = claims.get(CLAIM + "roles")
    subject = _text(claims.get("sub"))
    if not subject:
        raise _missing("sub")
    custom = claims.get(CLAIM + "custom")
    name = _text(claims.get("name")) or " ".join(
        part for part in (_text(claims.get("given_name")), _text(claims.get("family_name"))) if part
    )
    return Launch(
        platform=platform,
        subject=subject,
        nonce=_text(claims.get("nonce")),
        name=name,
        email=_text(claims.get("email")),
        deployment_id=deployment,
        resource_link_id=link_id,
        custom={str(k): str(v) for k, v in custom.items()} if isinstance(custom, dict) else {},
        message_type=message_type,
        roles=tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else (),
        deep_linking=settings if message_type == DEEP_LINKING else None,
        **_services(claims),
    )


def _url(value: Any) -> str:
    """An absolute http(s) URL or "" (a platform's malformed claim is ignored, not fatal)."""
    text = _text(value)
    return text if text.startswith(("https://", "http://")) and len(text) <= 2000 else ""


def _services(claims: dict[str, Any]) -> dict[str, Any]:
    """The optional context, AGS and NRPS claims; anything malformed reads as absent."""
    context = claims.get(CLAIM + "context")
    ags = claims.get(AGS_CLAIM)
    nrps = claims.get(NRPS_CLAIM)
    fields: dict[str, Any] = {}
    if isinstance(context, dict):
        fields["context_id"] = _text(context.get("id"))[:255]
        fields["context_title"] = _text(context.get("title"))[:255]
    if isinstance(ags, dict):
        scopes = ags.get("scope")
        if isinstance(scopes, list):
            fields["ags_scopes"] = tuple(s for s in scopes if isinstance(s, str))
        fields["ags_lineitem"] = _url(ags.get("lineitem"))
        fields["ags_lineitems"] = _url(ags.get("lineitems"))
    if isinstance(nrps, dict):
        fields["nrps_url"] = _url(nrps.get("context_memberships_url"))
    return fields


def _missing(claim: str) -> Refused:
    return Refused(
        f"missing claim {claim}",
        400,
        "Le lancement est incomplet (une information attendue manque). " + ASK_ADMIN,
    )


def _unknown_platform() -> str:
    return "Ce lancement ne vient pas d’une plateforme enregistrée sur ce site. " + ASK_ADMIN
