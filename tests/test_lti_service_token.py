"""The services' access token (issue #17 §3): a client-credentials grant whose JWT
assertion the platform simulator checks against the tool's published keyset; the
token is cached per platform and scopes, and asked for again once forgotten."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import jwt
import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.lti.service_token import ServiceError, access_token
from server.settings import Settings
from server.state import AppState, app_state
from server.storage.lti import LtiPlatform
from tests.lti_platform import Platform

SCORE = ("https://purl.imsglobal.org/spec/lti-ags/scope/score",)


@pytest.fixture
def platform() -> Platform:
    return Platform()


@pytest.fixture
def tool(settings: Settings, platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        app_state(client.app).lti_transport = platform.transport()
        platform.trust_tool(client)
        yield client


def registered(platform: Platform, platform_id: int = 1) -> LtiPlatform:
    return LtiPlatform(
        platform_id, platform.issuer, platform.client_id, "Moodle", platform.auth_url,
        platform.token_url, platform.keyset_url, (platform.deployment_id,), "2026-01-01",
    )  # fmt: skip


def token(tool: TestClient, platform: LtiPlatform, scopes: tuple[str, ...] = SCORE) -> str:
    shared: AppState = app_state(tool.app)
    return tool.portal.call(access_token, shared, platform, scopes)  # type: ignore[union-attr]


def test_the_assertion_is_checked_and_the_token_cached(
    tool: TestClient, platform: Platform
) -> None:
    first = token(tool, registered(platform))
    assert platform.tokens[first] == SCORE[0]
    (request,) = platform.token_requests
    assert request["grant_type"] == "client_credentials" and request["scope"] == SCORE[0]
    header = jwt.get_unverified_header(request["client_assertion"])
    assert header["alg"] == "RS256"
    assert header["kid"] in {k["kid"] for k in tool.get("/lti/jwks.json").json()["keys"]}
    claims = jwt.decode(request["client_assertion"], options={"verify_signature": False})
    assert claims["iss"] == claims["sub"] == platform.client_id
    assert claims["aud"] == platform.token_url and 0 < claims["exp"] - claims["iat"] <= 300
    assert token(tool, registered(platform)) == first  # cached: no second grant
    assert len(platform.token_requests) == 1
    other = token(tool, registered(platform), (*SCORE, "https://x/lineitem"))
    assert other != first and len(platform.token_requests) == 2  # other scopes, other token
    app_state(tool.app).lti_tokens.forget(1, SCORE)
    assert token(tool, registered(platform)) not in (first, other)
    assert len(platform.seen_jti) == 3  # a fresh jti each time


def test_a_refused_assertion_is_a_clear_service_error(tool: TestClient, platform: Platform) -> None:
    platform.tool_jwks = {"keys": []}  # the platform knows no key of the tool
    with pytest.raises(ServiceError) as caught:
        token(tool, registered(platform))
    assert caught.value.status == 400 and "invalid_client" in caught.value.reason


def test_an_unreachable_or_odd_token_endpoint_is_a_service_error(
    tool: TestClient, platform: Platform
) -> None:
    def down(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused")

    app_state(tool.app).lti_transport = httpx2.MockTransport(down)
    with pytest.raises(ServiceError, match="ConnectError"):
        token(tool, registered(platform))
    app_state(tool.app).lti_transport = httpx2.MockTransport(
        lambda request: httpx2.Response(200, content=b"x" * 100_000)
    )
    with pytest.raises(ServiceError, match="larger"):
        token(tool, registered(platform))
    app_state(tool.app).lti_transport = httpx2.MockTransport(
        lambda request: httpx2.Response(200, json={"token_type": "Bearer"})
    )
    with pytest.raises(ServiceError, match="no access_token"):
        token(tool, registered(platform))
