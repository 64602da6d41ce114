"""The platform simulator's LTI Dynamic Registration side (issue #17): Moodle's
openid-configuration and registration endpoints, behind an httpx2 MockTransport that
also serves the keyset of tests/lti_platform.py, so a registered simulator can launch.

Each answer can be spoiled (`config_changes`, `registration_status`, `answer_changes`)
to make every refusal the tool must make; what the tool posted is kept in `received`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx2

from tests.lti_platform import Platform

PLATFORM_CLAIM = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CLAIM = "https://purl.imsglobal.org/spec/lti-tool-configuration"
REMOVE = object()


@dataclass
class RegisteringPlatform(Platform):
    """A Moodle 4 that registers tools dynamically; it gives the client id it is set with."""

    registration_token: str = "jeton-moodle-123"
    config_changes: dict[str, Any] = field(default_factory=dict)
    registration_status: int = 200
    answer_changes: dict[str, Any] = field(default_factory=dict)
    received: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    config_fetches: int = 0

    @property
    def config_url(self) -> str:
        return f"{self.issuer}/mod/lti/openid-configuration.php"

    @property
    def registration_url(self) -> str:
        return f"{self.issuer}/mod/lti/openid-registration.php"

    def configuration(self) -> dict[str, Any]:
        """Moodle's OpenID configuration, with `config_changes` applied."""
        config: dict[str, Any] = {
            "issuer": self.issuer,
            "token_endpoint": self.token_url,
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "jwks_uri": self.keyset_url,
            "authorization_endpoint": self.auth_url,
            "registration_endpoint": self.registration_url,
            "scopes_supported": [
                "https://purl.imsglobal.org/spec/lti-bo/scope/basicoutcome",
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
                "openid",
            ],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            PLATFORM_CLAIM: {
                "product_family_code": "moodle",
                "version": "4.3",
                "messages_supported": [
                    {"type": "LtiResourceLinkRequest"},
                    {"type": "LtiDeepLinkingRequest"},
                ],
                "variables": ["basic-lti-launch-request"],
            },
        }
        for name, value in self.config_changes.items():
            if value is REMOVE:
                config.pop(name, None)
            else:
                config[name] = value
        return config

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """Moodle's answer: the registration echoed with the client id and deployment id."""
        tool = dict(request.get(TOOL_CLAIM, {}))
        tool["deployment_id"] = self.deployment_id
        answer = {**request, "client_id": self.client_id, TOOL_CLAIM: tool}
        for name, value in self.answer_changes.items():
            if value is REMOVE:
                answer.pop(name, None)
            else:
                answer[name] = value
        return answer

    def transport(self) -> httpx2.MockTransport:
        """The configuration and registration endpoints, then the keyset as before."""
        keyset = super().transport()

        def handle(request: httpx2.Request) -> httpx2.Response:
            if request.method == "GET" and str(request.url) == self.config_url:
                self.config_fetches += 1
                return httpx2.Response(200, json=self.configuration())
            if request.method == "POST" and str(request.url) == self.registration_url:
                body = json.loads(request.content)
                self.received.append((dict(request.headers), body))
                if request.headers.get("authorization") != f"Bearer {self.registration_token}":
                    return httpx2.Response(401, json={"error": "invalid_token"})
                if self.registration_status != 200:
                    return httpx2.Response(
                        self.registration_status, json={"error": "invalid_client_metadata"}
                    )
                return httpx2.Response(200, json=self.answer(body))
            answered = keyset.handler(request)
            assert isinstance(answered, httpx2.Response)  # the keyset's handler is synchronous
            return answered

        return httpx2.MockTransport(handle)

    def open_registration(self, client: Any, link: str, **params: str) -> Any:
        """The platform opening the tool's registration URL, as Moodle's frame does."""
        query = {
            "openid_configuration": self.config_url,
            "registration_token": self.registration_token,
            **params,
        }
        return client.get(link, params={k: v for k, v in query.items() if v is not None})
