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

    # -- the launch, step by step ---------------------------------------------------

    def initiate(self, client: TestClient, method: str = "POST", **headers: str) -> Any:
        """The third-party-initiated login, as the platform's page sends the browser."""
        params = {
            "iss": self.issuer,
            "login_hint": "42",
            "target_link_uri": self.tool_url,
            "lti_message_hint": '{"cmid":7}',
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }
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
