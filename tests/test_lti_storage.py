"""LTI launches inside the platform's frame with its postMessage storage (issue #17 §2;
server/views/lti_storage.py), against the platform simulator: the storage-mode pages,
the launch completed through /lti/launch/storage, the course opened in a new window by
its one-time ticket, each refusal a French page (never a 500) that keeps the new-window
link, and the rate limit on /lti/login and /lti/launch."""

from __future__ import annotations

import html
import logging
import re
import sqlite3
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.cli import main
from server.lti.keyset import KeysetCache
from server.rate_limits import AccountLimits, Limit
from server.settings import Settings
from server.state import app_state
from tests.lti_platform import AuthRequest, Platform

FRAME = {"sec-fetch-dest": "iframe"}
SITE = {"origin": "https://testserver"}
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)


@pytest.fixture
def platform(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Platform:
    """The simulator registered by the CLI, as an administrator would."""
    platform = Platform()
    monkeypatch.setenv("ALLIANCES_DATABASE", settings.database_url or str(settings.database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("ALLIANCES_BASE_URL", settings.base_url)
    assert main(platform.cli_args()) == 0
    return platform


@pytest.fixture
def tool(settings: Settings, platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        app_state(client.app).lti_keysets = KeysetCache(platform.transport(), min_refresh=0)
        yield client


def data(page: str, name: str) -> str:
    found = re.search(rf'data-{name}="([^"]*)"', page)
    assert found, name
    return html.unescape(found[1])


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, name
    return html.unescape(found[1])


def assert_frameable_without_inline_script(response: Any) -> None:
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors *" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    for attributes, body in SCRIPT.findall(response.text):
        assert "src=" in attributes and not body.strip()
    assert not re.search(r"<[^>]+\son[a-z]+=", response.text)  # no inline handler either


def assert_new_window_link(response: Any) -> None:
    assert "Ouvrir dans une nouvelle fenêtre" in response.text
    assert 'href="/lti/login?' in response.text and 'target="_blank"' in response.text


def storage_login(tool: TestClient, platform: Platform, target: str = "_parent") -> AuthRequest:
    """The framed login's page, then the platform's auth endpoint it sends the frame to."""
    page = platform.initiate(tool, storage_target=target, **FRAME)
    assert page.status_code == 200, page.text
    location = data(page.text, "next")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    return AuthRequest(query["state"], query["nonce"], query["redirect_uri"], query)


def storage_launch(tool: TestClient, platform: Platform, **changes: Any) -> tuple[Any, Any]:
    """A framed launch up to the check page, and the post its script makes."""
    auth = storage_login(tool, platform)
    token = platform.sign(platform.claims(auth.nonce, **changes))
    check = platform.post_launch(tool, auth, token)
    assert check.status_code == 200, check.text
    form = {"id_token": field(check.text, "id_token"), "state": field(check.text, "state")}
    done = tool.post("/lti/launch/storage", data=form, headers=SITE, follow_redirects=False)
    return check, done


def test_a_framed_login_with_storage_stores_the_state_in_the_platform_window(
    tool: TestClient, platform: Platform, settings: Settings
) -> None:
    page = platform.initiate(tool, storage_target="_parent", **FRAME)
    assert page.status_code == 200 and "Connexion au cours" in page.text
    assert data(page.text, "origin") == "https://moodle.example.net"  # the auth URL's origin
    assert data(page.text, "target") == "_parent"
    assert_frameable_without_inline_script(page)
    assert_new_window_link(page)
    assert "/static/lti-storage.js" in page.text
    assert not any(c.name.startswith("at_lti_") for c in tool.cookies.jar)  # no cookie
    auth = platform.authorize(
        SimpleNamespace(status_code=302, headers={"location": data(page.text, "next")})
    )
    assert data(page.text, "state") == auth.state and data(page.text, "nonce") == auth.nonce
    with sqlite3.connect(settings.database) as db:
        assert db.execute("SELECT storage_target FROM lti_logins").fetchall() == [("_parent",)]


@pytest.mark.parametrize("target", ["post_message_forwarding", "_parent"])
def test_a_named_frame_target_is_kept(tool: TestClient, platform: Platform, target: str) -> None:
    page = platform.initiate(tool, method="GET", storage_target=target, **FRAME)
    assert data(page.text, "target") == target


@pytest.mark.parametrize("target", ["", "<script>", "x" * 200])
def test_a_framed_login_without_usable_storage_offers_a_new_window(
    tool: TestClient, platform: Platform, target: str
) -> None:
    page = platform.initiate(tool, storage_target=target, **FRAME)
    assert page.status_code == 200 and "Le cours s’ouvre dans une nouvelle fenêtre" in page.text
    assert_new_window_link(page)


def test_a_top_level_login_ignores_the_storage_offer(tool: TestClient, platform: Platform) -> None:
    response = platform.initiate(tool, storage_target="_parent")
    assert platform.authorize(response).state  # a plain redirect, with the state cookie
    assert any(c.name.startswith("at_lti_") for c in tool.cookies.jar)


def test_a_storage_launch_completes_then_opens_the_course_in_a_new_window(
    tool: TestClient, platform: Platform
) -> None:
    check, done = storage_launch(tool, platform)
    # The check page: the state and nonce to ask the platform's window for, the form.
    assert data(check.text, "origin") == "https://moodle.example.net"
    assert data(check.text, "state") == field(check.text, "state")
    assert 'action="/lti/launch/storage"' in check.text
    assert_frameable_without_inline_script(check)
    assert_new_window_link(check)
    # Completed: in the frame, a button that opens the course in a window of its own.
    assert done.status_code == 200, done.text
    assert "Ouvrir le cours dans une nouvelle fenêtre" in done.text
    assert 'action="/lti/open"' in done.text and 'target="_blank"' in done.text
    assert_frameable_without_inline_script(done)
    assert tool.get("/compte", follow_redirects=False).status_code == 303  # not yet
    ticket = {"ticket": field(done.text, "ticket")}
    opened = tool.post("/lti/open", data=ticket, headers=SITE, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/paths/1h"
    assert "Camille Dupont" in tool.get("/compte").text
    # The ticket opens one window only.
    tool.cookies.clear()
    again = tool.post("/lti/open", data=ticket, headers=SITE, follow_redirects=False)
    assert again.status_code == 400 and "a déjà servi" in again.text


def test_the_launch_is_replayed_neither_through_storage_nor_directly(
    tool: TestClient, platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "alliances.lti")
    check, done = storage_launch(tool, platform)
    assert done.status_code == 200
    form = {"id_token": field(check.text, "id_token"), "state": field(check.text, "state")}
    replay = tool.post("/lti/launch/storage", data=form, headers=SITE)
    assert replay.status_code == 401 and "déjà servi" in replay.text
    assert_new_window_link(replay)  # the way out is still there
    direct = tool.post("/lti/launch", data=form)
    assert direct.status_code == 401 and "déjà servi" in direct.text


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://ailleurs.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
        {},
    ],
    ids=["other origin", "null origin", "cross-site", "no origin"],
)
def test_a_storage_launch_posted_from_elsewhere_is_refused(
    tool: TestClient, platform: Platform, headers: dict[str, str]
) -> None:
    auth = storage_login(tool, platform)
    token = platform.sign(platform.claims(auth.nonce))
    response = tool.post(
        "/lti/launch/storage", data={"id_token": token, "state": auth.state}, headers=headers
    )
    assert response.status_code == 400 and "pas été commencé dans ce navigateur" in response.text
    assert_new_window_link(response)
    assert tool.get("/compte", follow_redirects=False).status_code == 303


def test_a_wrong_state_is_refused_with_a_french_page(tool: TestClient, platform: Platform) -> None:
    auth = storage_login(tool, platform)
    token = platform.sign(platform.claims(auth.nonce))
    for state, status, text in (
        ("pas-le-bon", 400, "inconnu ou trop ancien"),
        ("", 400, "incomplet"),
        ("x" * 300, 400, "incomplet"),
    ):
        response = tool.post(
            "/lti/launch/storage", data={"id_token": token, "state": state}, headers=SITE
        )
        assert response.status_code == status and text in response.text
        assert "Lancement refusé" in response.text
    # Another login's state with this token: the nonce gives it away.
    other = storage_login(tool, platform)
    response = tool.post(
        "/lti/launch/storage", data={"id_token": token, "state": other.state}, headers=SITE
    )
    assert response.status_code == 401 and "invalide" in response.text


def test_a_cookie_login_cannot_be_completed_through_storage(
    tool: TestClient, platform: Platform
) -> None:
    auth = platform.authorize(platform.initiate(tool))
    tool.cookies.clear()
    token = platform.sign(platform.claims(auth.nonce))
    response = tool.post(
        "/lti/launch/storage", data={"id_token": token, "state": auth.state}, headers=SITE
    )
    assert response.status_code == 400 and "pas été commencé dans ce navigateur" in response.text
    # Its launch without the cookie still offers the new window, as before.
    fallback = platform.post_launch(tool, auth, token)
    assert fallback.status_code == 200 and "storage" not in fallback.text
    assert_new_window_link(fallback)


def test_a_bad_token_through_storage_is_refused_never_a_server_error(
    tool: TestClient, platform: Platform
) -> None:
    auth = storage_login(tool, platform)
    for token in ("pas-un-jeton", "a.b.c", ""):
        response = tool.post(
            "/lti/launch/storage", data={"id_token": token, "state": auth.state}, headers=SITE
        )
        assert 400 <= response.status_code < 500 and "Lancement refusé" in response.text


def test_a_ticket_is_refused_from_elsewhere_forged_or_missing(
    tool: TestClient, platform: Platform
) -> None:
    _, done = storage_launch(tool, platform)
    ticket = field(done.text, "ticket")
    cases = [
        ({"ticket": ticket}, {"origin": "https://ailleurs.example"}, 403),
        ({"ticket": ticket}, {}, 403),
        ({"ticket": ticket[:-3] + "abc"}, SITE, 400),
        ({"ticket": ""}, SITE, 400),
        ({}, SITE, 400),
    ]
    for form, headers, status in cases:
        response = tool.post("/lti/open", data=form, headers=headers, follow_redirects=False)
        assert response.status_code == status and "Relancez l’activité" in response.text
    assert tool.get("/compte", follow_redirects=False).status_code == 303
    ok = tool.post("/lti/open", data={"ticket": ticket}, headers=SITE, follow_redirects=False)
    assert ok.status_code == 303  # the refusals spent nothing


def test_a_deep_linking_launch_shows_its_picker_in_the_frame(
    tool: TestClient, platform: Platform
) -> None:
    from tests.lti_deep_linking import request_claims

    auth = storage_login(tool, platform)
    claims = request_claims(platform, auth.nonce)
    check = platform.post_launch(tool, auth, platform.sign(claims))
    form = {"id_token": field(check.text, "id_token"), "state": field(check.text, "state")}
    picker = tool.post("/lti/launch/storage", data=form, headers=SITE)
    assert picker.status_code == 200 and 'name="choice"' in picker.text
    assert "frame-ancestors *" in picker.headers["content-security-policy"]


def test_logins_and_launches_are_limited_per_address(tool: TestClient, platform: Platform) -> None:
    assert AccountLimits().lti_per_address == Limit(300, 600)  # a classroom at once
    app_state(tool.app).account_limits = AccountLimits(lti_per_address=Limit(2, 600))
    auth = platform.authorize(platform.initiate(tool))
    platform.authorize(platform.initiate(tool))
    refused = platform.initiate(tool)
    assert refused.status_code == 429 and "Réessayez dans" in refused.text
    assert 1 <= int(refused.headers["retry-after"]) <= 600
    assert "frame-ancestors *" in refused.headers["content-security-policy"]
    # Launches are counted apart from logins.
    token = platform.sign(platform.claims(auth.nonce))
    assert platform.post_launch(tool, auth, token).status_code == 303
    tool.post("/lti/launch", data={})
    limited = tool.post("/lti/launch", data={"id_token": token, "state": auth.state})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    storage = tool.post("/lti/launch/storage", data={}, headers=SITE)
    assert storage.status_code == 429 and "Trop de lancements" in storage.text
