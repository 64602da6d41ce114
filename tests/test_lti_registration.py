"""LTI Dynamic Registration (issue #17) against the simulator of tests/lti_registration.py:
an administrator's one-time link, the platform registering through it, then a launch from
the platform so registered; and each refusal, a French page and a log line, never a 500."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.lti.dynamic import Failed, register
from server.lti.keyset import KeysetCache
from server.settings import Settings
from server.state import app_state
from tests.conftest import Learner, sign_in
from tests.lti_registration import REMOVE, TOOL_CLAIM, RegisteringPlatform

LINK = re.compile(r"<code>https://formation\.example\.org(/lti/enregistrement/[\w-]+)</code>")


@pytest.fixture
def platform() -> RegisteringPlatform:
    return RegisteringPlatform(client_id="moodle-client-9", deployment_id="3")


@pytest.fixture
def tool(settings: Settings, platform: RegisteringPlatform) -> Iterator[TestClient]:
    """The site over HTTPS, reaching the simulator for its configuration and keyset."""
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        app_state(client.app).lti_transport = platform.transport()
        app_state(client.app).lti_keysets = KeysetCache(platform.transport(), min_refresh=0)
        yield client


def new_link(client: TestClient, make_user) -> str:
    """An administrator makes a registration link on /admin/lti; its path."""
    make_user("admin@example.fr", "Ada Admin", "admin")
    admin = sign_in(client, "admin@example.fr")
    page = admin.post("/admin/lti/lien-enregistrement", {})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "Lien d’enregistrement à usage unique" in page.text
    found = LINK.search(page.text)
    assert found, page.text
    assert found[1] not in client.get("/admin/lti").text  # shown once only
    client.cookies.clear()  # the platform's frame: no session of this site needed
    return found[1]


def test_a_platform_registers_itself_then_launches(
    tool: TestClient, platform: RegisteringPlatform, make_user, caplog: pytest.LogCaptureFixture
) -> None:
    link = new_link(tool, make_user)
    with caplog.at_level(logging.INFO, "alliances.lti"):
        page = platform.open_registration(tool, link)
    assert page.status_code == 200, page.text
    assert "L’outil est enregistré" in page.text and "moodle-client-9" in page.text
    assert "frame-ancestors *" in page.headers["content-security-policy"]
    assert re.search(r'<script src="/static/lti-close\.js\?v=\w+" defer>', page.text)
    script = tool.get("/static/lti-close.js").text
    assert '"org.imsglobal.lti.close"' in script and "window.opener" in script
    assert "platform 1 (https://moodle.example.net, client moodle-client-9)" in caplog.text

    headers, sent = platform.received[0]
    assert headers["authorization"] == "Bearer jeton-moodle-123"
    assert headers["content-type"] == "application/json"
    assert sent["application_type"] == "web" and sent["response_types"] == ["id_token"]
    assert sent["grant_types"] == ["implicit", "client_credentials"]
    assert sent["initiate_login_uri"] == "https://formation.example.org/lti/login"
    assert sent["redirect_uris"] == ["https://formation.example.org/lti/launch"]
    assert sent["jwks_uri"] == "https://formation.example.org/lti/jwks.json"
    assert sent["client_name"] == "Alliances & Territoires"
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in sent["scope"].split()
    assert "contextmembership.readonly" in sent["scope"]
    lti = sent[TOOL_CLAIM]
    assert lti["domain"] == "formation.example.org"
    assert lti["target_link_uri"] == "https://formation.example.org/lti/launch"
    assert [m["type"] for m in lti["messages"]] == [
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    ]
    assert {"sub", "name", "email"} <= set(lti["claims"])

    # Registered as by hand: the same endpoints, client id and deployment.
    make_user("admin2@example.fr", "Bea Admin", "admin")
    listed = sign_in(tool, "admin2@example.fr").client.get("/admin/lti").text
    assert "Moodle — moodle.example.net" in listed and "moodle-client-9" in listed
    tool.cookies.clear()
    launched = platform.launch(tool)
    assert launched.status_code == 303 and launched.headers["location"] == "/paths/1h"
    assert "Camille Dupont" in tool.get("/paths/1h").text

    # The link served once.
    again = platform.open_registration(tool, link)
    assert again.status_code == 403 and "a déjà servi" in again.text
    assert len(platform.received) == 1


def test_unknown_and_expired_links_are_refused_before_any_request(
    tool: TestClient,
    platform: RegisteringPlatform,
    make_user,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unknown = platform.open_registration(tool, "/lti/enregistrement/jeton-invente")
    assert unknown.status_code == 403 and "Ce lien d’enregistrement est inconnu" in unknown.text
    link = new_link(tool, make_user)
    later = (datetime.now(UTC) + timedelta(hours=24, minutes=1)).isoformat(timespec="seconds")
    monkeypatch.setattr("server.clock.now", lambda: later)
    expired = platform.open_registration(tool, link)
    assert expired.status_code == 403 and "a expiré" in expired.text
    assert "peut en créer un nouveau" in expired.text
    assert platform.config_fetches == 0 and not platform.received


@pytest.mark.parametrize(
    ("spoil", "check", "shown"),
    [
        (
            {"config_changes": {"issuer": "https://autre.example.net"}},
            "does not match",
            "ne correspond pas à l’adresse de sa configuration",
        ),
        ({"registration_status": 400}, "registration: HTTP 400", "a refusé l’enregistrement"),
        ({"sent_token": "faux"}, "registration: HTTP 401", "a refusé l’enregistrement"),
        (
            {"config_changes": {"registration_endpoint": REMOVE}},
            "registration_endpoint missing",
            "configuration de la plateforme est incomplète",
        ),
        (
            {"config_changes": {"issuer": REMOVE}},
            "does not match",
            "ne correspond pas",
        ),
        (
            {"answer_changes": {TOOL_CLAIM: {}}},
            "lacks client_id or deployment_id",
            "Enregistrez-la à la main",
        ),
    ],
)
def test_a_failed_registration_is_a_french_page_and_the_link_stays_usable(
    tool: TestClient,
    platform: RegisteringPlatform,
    make_user,
    caplog: pytest.LogCaptureFixture,
    spoil: dict,
    check: str,
    shown: str,
) -> None:
    link = new_link(tool, make_user)
    params = {"registration_token": spoil.pop("sent_token")} if "sent_token" in spoil else {}
    for name, value in spoil.items():
        setattr(platform, name, value)
    with caplog.at_level(logging.WARNING, "alliances.lti"):
        page = platform.open_registration(tool, link, **params)
    assert page.status_code == 502, page.text
    assert shown in page.text and "Aucune plateforme n’a été enregistrée" in page.text
    assert check in caplog.text
    platform.config_changes, platform.answer_changes = {}, {}
    platform.registration_status = 200
    retried = platform.open_registration(tool, link)
    assert retried.status_code == 200 and "L’outil est enregistré" in retried.text


def test_unreachable_or_garbled_configuration(
    tool: TestClient, platform: RegisteringPlatform, make_user, caplog: pytest.LogCaptureFixture
) -> None:
    link = new_link(tool, make_user)
    with caplog.at_level(logging.WARNING, "alliances.lti"):
        missing = platform.open_registration(tool, link, openid_configuration=None)  # type: ignore[arg-type]
        assert missing.status_code == 400 and "openid_configuration" in missing.text
        elsewhere = platform.open_registration(
            tool, link, openid_configuration="https://moodle.example.net/introuvable"
        )
        assert elsewhere.status_code == 502 and "n’a pas pu être lue" in elsewhere.text
        garbled = platform.open_registration(tool, link, openid_configuration="https://[oops")
        assert garbled.status_code == 502 and "n’est pas utilisable" in garbled.text
    assert "configuration: HTTP 404" in caplog.text
    assert "openid_configuration is not a usable URL" in caplog.text


def test_only_an_admin_makes_links(client: TestClient, learner: Learner) -> None:
    assert learner.post("/admin/lti/lien-enregistrement", {}).status_code == 403


def test_production_wants_https_and_a_configuration_of_sensible_size(
    platform: RegisteringPlatform,
) -> None:
    base = "https://formation.example.org"
    plain = platform.config_url.replace("https://", "http://")
    with pytest.raises(Failed, match="not a usable URL"):
        asyncio.run(register(plain, None, base, allow_http=False, transport=platform.transport()))
    platform.config_changes = {"token_endpoint": "http://moodle.example.net/mod/lti/token.php"}
    with pytest.raises(Failed, match="token_endpoint missing or not a URL"):
        asyncio.run(
            register(
                platform.config_url, None, base, allow_http=False, transport=platform.transport()
            )
        )
    platform.config_changes = {"padding": "x" * 300_000}
    with pytest.raises(Failed, match="larger than"):
        asyncio.run(
            register(
                platform.config_url, None, base, allow_http=True, transport=platform.transport()
            )
        )
    assert not platform.received
