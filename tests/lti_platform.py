"""A platform simulator for the LTI tests (issue #17): an LMS that plays by LTI 1.3 core.

It has its own RSA keys and serves their JWKS to the tool through an httpx2
MockTransport (the tool's keyset cache is given that transport); it initiates the
OIDC login like Moodle's page does, reads the tool's authentication request as its
auth endpoint would, and posts signed id_tokens back to the tool's redirection URI.
Each claim can be changed or removed, to make every refusal the tool must make.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key
from starlette.testclient import TestClient

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
REMOVE = object()  # a claim's value that removes it from the token


def _new_key() -> RSAPrivateKey:
    return generate_private_key(65537, 2048)


@dataclass(frozen=True)
class AuthRequest:
    """What the tool sent the browser to the platform's auth endpoint with."""

    state: str
    nonce: str
    redirect_uri: str
    query: dict[str, str]


@dataclass
class Platform:
    issuer: str = "https://moodle.example.net"
    client_id: str = "alliances-outil"
    deployment_id: str = "1"
    tool_url: str = "https://formation.example.org/lti/launch"
    keys: dict[str, RSAPrivateKey] = field(default_factory=lambda: {"cle-1": _new_key()})
    keyset_fetches: int = 0
    # The services (token endpoint, tests/lti_services.py): the tool's keyset as the
    # platform fetched it (`trust_tool`), the tokens it gave, and the assertions it saw.
    tool_jwks: dict[str, Any] | None = None
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> scopes
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    seen_jti: set[str] = field(default_factory=set)
    handlers: list[Any] = field(default_factory=list)  # more endpoints: request -> response

    @property
    def auth_url(self) -> str:
        return f"{self.issuer}/mod/lti/auth.php"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/mod/lti/token.php"

    @property
    def keyset_url(self) -> str:
        return f"{self.issuer}/mod/lti/certs.php"

    @property
    def kid(self) -> str:
        return list(self.keys)[-1]

    def rotate(self) -> str:
        """A new current key; the old one leaves the keyset, as a rotation ends."""
        kid = f"cle-{len(self.keys) + 1}-{uuid.uuid4().hex[:6]}"
        self.keys = {kid: _new_key()}
        return kid

    def jwks(self) -> dict[str, Any]:
        out = []
        for kid, key in self.keys.items():
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
            out.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
        return {"keys": out}

    def transport(self) -> httpx2.MockTransport:
        """The platform's keyset endpoint, as the tool reaches it."""

        def handle(request: httpx2.Request) -> httpx2.Response:
            if str(request.url) == self.keyset_url:
                self.keyset_fetches += 1
                return httpx2.Response(200, json=self.jwks())
            if str(request.url) == self.token_url and request.method == "POST":
                return token_endpoint(self, request)
            for handler in self.handlers:
                answer = handler(request)
                if answer is not None:
                    return answer
            return httpx2.Response(404)

        return httpx2.MockTransport(handle)

    def cli_args(self) -> list[str]:
        return [
            "lti",
            "add-platform",
            "--issuer",
            self.issuer,
            "--client-id",
            self.client_id,
            "--deployment",
            self.deployment_id,
            "--auth-url",
            self.auth_url,
            "--token-url",
            self.token_url,
            "--keyset-url",
            self.keyset_url,
            "--name",
            "Moodle de test",
        ]

    def trust_tool(self, client: TestClient) -> None:
        """Fetch the tool's public keyset, as the platform does to check its assertions."""
        self.tool_jwks = client.get("/lti/jwks.json").json()

    # -- the launch, step by step ---------------------------------------------------

    def initiate(
        self,
        client: TestClient,
        method: str = "POST",
        storage_target: str | None = None,
        **headers: str,
    ) -> Any:
        """The third-party-initiated login, as the platform's page sends the browser;
        `storage_target` offers its postMessage storage (as Canvas sends `_parent`)."""
        params = {
            "iss": self.issuer,
            "login_hint": "42",
            "target_link_uri": self.tool_url,
            "lti_message_hint": '{"cmid":7}',
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }
        if storage_target is not None:
            params["lti_storage_target"] = storage_target
        if method == "GET":
            return client.get("/lti/login", params=params, headers=headers, follow_redirects=False)
        return client.post("/lti/login", data=params, headers=headers, follow_redirects=False)

    def authorize(self, response: Any) -> AuthRequest:
        """The auth endpoint reading the tool's request: every OIDC parameter checked."""
        assert response.status_code == 302, response.text
        location = response.headers["location"]
        assert location.startswith(self.auth_url + "?")
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        assert query["scope"] == "openid" and query["response_type"] == "id_token"
        assert query["response_mode"] == "form_post" and query["prompt"] == "none"
        assert query["client_id"] == self.client_id and query["login_hint"] == "42"
        assert query["lti_message_hint"] == '{"cmid":7}'
        return AuthRequest(query["state"], query["nonce"], query["redirect_uri"], query)

    def claims(self, nonce: str, /, **changes: Any) -> dict[str, Any]:
        """A resource-link launch's claims; `changes` replace them (REMOVE drops one)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": "moodle-user-42",
            "exp": now + 300,
            "iat": now,
            "nonce": nonce,
            "name": "Camille Dupont",
            "given_name": "Camille",
            "family_name": "Dupont",
            "email": "camille@example.fr",
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "target_link_uri": self.tool_url,
            CLAIM + "resource_link": {"id": "lien-7", "title": "Alliances & Territoires"},
            CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            CLAIM + "context": {"id": "cours-3", "title": "Coopérer"},
            CLAIM + "custom": {"path": "1h"},
        }
        for name, value in changes.items():
            name = CLAIM + name[len("lti_") :] if name.startswith("lti_") else name
            if value is REMOVE:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def sign(
        self, claims: dict[str, Any], kid: str | None = None, key: RSAPrivateKey | None = None
    ) -> str:
        kid = kid or self.kid
        return jwt.encode(claims, key or self.keys[kid], algorithm="RS256", headers={"kid": kid})

    def post_launch(self, client: TestClient, auth: AuthRequest, id_token: str) -> Any:
        """The auto-submitted form the platform returns to the browser."""
        path = urlsplit(auth.redirect_uri).path
        return client.post(
            path, data={"id_token": id_token, "state": auth.state}, follow_redirects=False
        )

    def launch(self, client: TestClient, **changes: Any) -> Any:
        """The whole journey with the given claim changes: login, auth, launch."""
        auth = self.authorize(self.initiate(client))
        return self.post_launch(client, auth, self.sign(self.claims(auth.nonce, **changes)))


def token_endpoint(platform: Platform, request: httpx2.Request) -> httpx2.Response:
    """The OAuth 2 token endpoint (1EdTech Security Framework §4.1): a client-credentials
    grant whose JWT assertion is checked against the tool's keyset, audience, dates and
    a jti used once; the access token it gives lasts an hour."""
    form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
    platform.token_requests.append(form)

    def refuse(why: str) -> httpx2.Response:
        return httpx2.Response(400, json={"error": "invalid_client", "error_description": why})

    if form.get("grant_type") != "client_credentials":
        return httpx2.Response(400, json={"error": "unsupported_grant_type"})
    if form.get("client_assertion_type") != (
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    ):
        return refuse("client_assertion_type")
    assertion = form.get("client_assertion", "")
    if platform.tool_jwks is None:
        return refuse("the tool's keyset was never fetched")
    try:
        kid = jwt.get_unverified_header(assertion).get("kid")
        jwk = next(k for k in platform.tool_jwks["keys"] if k["kid"] == kid)
        claims = jwt.decode(
            assertion,
            jwt.PyJWK(jwk, algorithm="RS256"),
            algorithms=["RS256"],
            audience=platform.token_url,
            issuer=platform.client_id,
            options={"require": ["iss", "sub", "aud", "iat", "exp", "jti"]},
        )
    except (StopIteration, jwt.InvalidTokenError) as exc:
        return refuse(f"assertion: {type(exc).__name__}")
    if claims["sub"] != platform.client_id or claims["exp"] - claims["iat"] > 300:
        return refuse("sub or lifetime")
    if claims["jti"] in platform.seen_jti:
        return refuse("jti replayed")
    platform.seen_jti.add(claims["jti"])
    token = uuid.uuid4().hex
    platform.tokens[token] = form.get("scope", "")
    return httpx2.Response(
        200,
        json={
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": form.get("scope", ""),
        },
    )


def bearer_scopes(platform: Platform, request: httpx2.Request) -> set[str] | None:
    """The scopes of the request's bearer token, or None when the platform gave no such
    token (or took it back): the service then answers 401."""
    header = request.headers.get("authorization", "")
    if not header.startswith("Bearer "):
        return None
    scopes = platform.tokens.get(header[len("Bearer ") :])
    return None if scopes is None else set(scopes.split())
