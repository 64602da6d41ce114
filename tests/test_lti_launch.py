"""LTI 1.3 launches against the platform simulator (tests/lti_platform.py), issue #17:
the whole journey from a platform registered by the CLI to a passed quiz, and each
check the tool must make, refused with a French page and a log line naming it."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.cli import main
from server.clock import now
from server.lti.keyset import KeysetCache
from server.settings import Settings
from server.state import app_state
from tests.conftest import Learner
from tests.lti_platform import REMOVE, Platform
from tests.test_journey import CERT


@pytest.fixture
def platform() -> Platform:
    return Platform()


@pytest.fixture
def registered(settings: Settings, platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Platform:
    """The simulator registered by the CLI, as an administrator would."""
    monkeypatch.setenv("ALLIANCES_DATABASE", settings.database_url or str(settings.database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("ALLIANCES_BASE_URL", settings.base_url)
    assert main(platform.cli_args()) == 0
    return platform


@pytest.fixture
def tool(settings: Settings, registered: Platform) -> Iterator[TestClient]:
    """The site over HTTPS (its state cookie is Secure), reaching the simulator's keyset."""
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        app_state(client.app).lti_keysets = KeysetCache(registered.transport(), min_refresh=0)
        yield client


def users(settings: Settings) -> list[tuple[int, str, str]]:
    with sqlite3.connect(settings.database) as db:
        return db.execute("SELECT id, email, name FROM users ORDER BY id").fetchall()


def signed_in_name(client: TestClient) -> str | None:
    page = client.get("/compte", follow_redirects=False)
    return None if page.status_code != 200 else page.text


def test_the_whole_journey_lands_in_the_path_and_passes_a_quiz(
    tool: TestClient, registered: Platform, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lti", "list"]) == 0
    listed = capsys.readouterr().out
    assert registered.issuer in listed and "https://formation.example.org/lti/login" in listed

    auth = registered.authorize(registered.initiate(tool))
    assert auth.redirect_uri == "https://formation.example.org/lti/launch"
    cookie = next(c for c in tool.cookies.jar if c.name.startswith("at_lti_"))
    assert cookie.secure and cookie.path == "/lti/launch"
    response = registered.post_launch(tool, auth, registered.sign(registered.claims(auth.nonce)))
    assert response.status_code == 303 and response.headers["location"] == "/paths/1h"
    assert "samesite=none" in response.headers.get("set-cookie", "").lower()  # cleared
    page = tool.get("/paths/1h")
    assert page.status_code == 200 and "Camille Dupont" in page.text

    learner = Learner(tool)
    assert learner.post("/paths/1h/lecture/done").status_code == 303
    result = learner.pass_intro()
    assert "Module réussi" in result.text and "Parcours terminé" in result.text
    certificate = CERT.search(result.text)
    assert certificate and "Camille Dupont" in tool.get(f"/certificates/{certificate[1]}").text

    # One account, without a password and with an address of its own; a second launch
    # (a new login, a new nonce) comes back to it.
    (account,) = users(settings)
    assert account[1].endswith("@lti.invalid") and account[2] == "Camille Dupont"
    tool.cookies.clear()
    again = registered.launch(tool, lti_custom={"path": "4h"})
    assert again.status_code == 303 and again.headers["location"] == "/paths/4h"
    assert len(users(settings)) == 1
    with sqlite3.connect(settings.database) as db:
        (hash_,) = db.execute("SELECT password_hash FROM users").fetchone()
    assert hash_ == ""


def test_get_initiation_and_module_landing(tool: TestClient, registered: Platform) -> None:
    auth = registered.authorize(registered.initiate(tool, method="GET"))
    token = registered.sign(
        registered.claims(auth.nonce, lti_custom={"path": "1h", "module": "lecture"})
    )
    response = registered.post_launch(tool, auth, token)
    assert response.headers["location"] == "/paths/1h/lecture"


def test_an_existing_local_account_with_the_same_email_is_not_merged(
    tool: TestClient, registered: Platform, settings: Settings, make_user
) -> None:
    make_user("camille@example.fr", "Camille Locale")
    assert registered.launch(tool).status_code == 303
    accounts = users(settings)
    assert len(accounts) == 2
    assert accounts[0][1] == "camille@example.fr" and accounts[0][2] == "Camille Locale"
    assert accounts[1][1].endswith("@lti.invalid")
    assert "Camille Dupont" in tool.get("/compte").text


def _refused(
    response, status: int, text: str, check: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert response.status_code == status, response.text
    assert text in response.text
    assert any(check in record.getMessage() for record in caplog.records), [
        r.getMessage() for r in caplog.records
    ]
    assert "frame-ancestors *" in response.headers["content-security-policy"]


NOW = int(time.time())
REFUSALS = {
    "expired": ({"exp": NOW - 600, "iat": NOW - 900}, 401, "a expiré", "exp"),
    "wrong audience": ({"aud": "un-autre-outil"}, 403, "plateforme enregistrée", "aud"),
    "wrong issuer": ({"iss": "https://ailleurs.example"}, 403, "plateforme enregistrée", "iss"),
    "foreign azp": ({"azp": "un-autre-outil"}, 403, "plateforme enregistrée", "azp"),
    "several audiences, no azp": (
        {"aud": ["alliances-outil", "autre"]},
        403,
        "plateforme enregistrée",
        "azp",
    ),
    "unregistered deployment": ({"lti_deployment_id": "99"}, 403, "déploiement", "deployment_id"),
    "message type": (
        {"lti_message_type": "LtiSubmissionReviewRequest"},
        400,
        "pas pris",
        "message_type",
    ),
    "version": ({"lti_version": "1.1"}, 400, "version de LTI", "version"),
    "no sub": ({"sub": REMOVE}, 400, "incomplet", "missing claim sub"),
    "no deployment": (
        {"lti_deployment_id": REMOVE},
        400,
        "incomplet",
        "missing claim deployment_id",
    ),
    "no message type": (
        {"lti_message_type": REMOVE},
        400,
        "incomplet",
        "missing claim message_type",
    ),
    "no version": ({"lti_version": REMOVE}, 400, "incomplet", "missing claim version"),
    "no resource link": ({"lti_resource_link": REMOVE}, 400, "incomplet", "resource_link.id"),
    "no exp": ({"exp": REMOVE}, 400, "incomplet", "missing claim exp"),
    "no nonce": ({"nonce": REMOVE}, 400, "incomplet", "missing claim nonce"),
    "other nonce": ({"nonce": "pas-le-bon"}, 401, "invalide", "nonce does not match"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_each_check_refuses_with_a_french_page_and_a_log_line(
    tool: TestClient, registered: Platform, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    changes, status, text, check = REFUSALS[case]
    caplog.set_level(logging.INFO, "alliances.lti")
    _refused(registered.launch(tool, **changes), status, text, check, caplog)
    assert tool.get("/compte", follow_redirects=False).status_code == 303  # not signed in


def test_a_bad_signature_is_refused(
    tool: TestClient, registered: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "alliances.lti")
    auth = registered.authorize(registered.initiate(tool))
    forged = registered.sign(registered.claims(auth.nonce), key=Platform().keys["cle-1"])
    _refused(registered.post_launch(tool, auth, forged), 401, "signature", "signature", caplog)


def test_an_unknown_kid_fetches_the_rotated_keyset_once(
    tool: TestClient, registered: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "alliances.lti")
    assert registered.launch(tool).status_code == 303
    assert registered.keyset_fetches == 1
    assert registered.launch(tool).status_code == 303
    assert registered.keyset_fetches == 1  # cached
    registered.rotate()
    assert registered.launch(tool).status_code == 303  # the new kid: fetched again
    assert registered.keyset_fetches == 2
    # A kid the platform never published: one more fetch, then a refusal.
    auth = registered.authorize(registered.initiate(tool))
    token = registered.sign(
        registered.claims(auth.nonce), kid="inconnue", key=Platform().keys["cle-1"]
    )
    response = registered.post_launch(tool, auth, token)
    _refused(response, 401, "signature", "no key 'inconnue'", caplog)
    assert registered.keyset_fetches == 3


def test_a_replayed_launch_is_refused(
    tool: TestClient, registered: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "alliances.lti")
    auth = registered.authorize(registered.initiate(tool))
    token = registered.sign(registered.claims(auth.nonce))
    assert registered.post_launch(tool, auth, token).status_code == 303
    replay = registered.post_launch(tool, auth, token)
    _refused(replay, 401, "déjà servi", "nonce already used", caplog)


def test_a_missing_state_cookie_offers_a_new_window(
    tool: TestClient, registered: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "alliances.lti")
    auth = registered.authorize(registered.initiate(tool))
    tool.cookies.clear()  # a frame whose third-party cookies the browser blocked
    response = registered.post_launch(tool, auth, registered.sign(registered.claims(auth.nonce)))
    assert response.status_code == 200
    assert (
        "Ouvrir dans une nouvelle fenêtre" in response.text and 'target="_blank"' in response.text
    )
    assert "state invalid" not in response.text
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    assert any("state cookie missing" in r.getMessage() for r in caplog.records)
    # The link starts the login again, top-level: the launch goes through there.
    link = response.text.split('href="/lti/login?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    again = tool.get("/lti/login?" + link, follow_redirects=False)
    auth = registered.authorize(again)
    token = registered.sign(registered.claims(auth.nonce))
    assert registered.post_launch(tool, auth, token).status_code == 303


def test_a_login_inside_a_frame_opens_a_new_window(tool: TestClient, registered: Platform) -> None:
    response = registered.initiate(tool, **{"sec-fetch-dest": "iframe"})
    assert response.status_code == 200 and "Ouvrir dans une nouvelle fenêtre" in response.text
    assert not any(c.name.startswith("at_lti_") for c in tool.cookies.jar)


def test_a_forged_state_cookie_is_refused(tool: TestClient, registered: Platform) -> None:
    auth = registered.authorize(registered.initiate(tool))
    name = next(c.name for c in tool.cookies.jar if c.name.startswith("at_lti_"))
    for cookie in list(tool.cookies.jar):
        if cookie.name == name:
            cookie.value = "forge"
    response = registered.post_launch(tool, auth, registered.sign(registered.claims(auth.nonce)))
    assert response.status_code == 400 and "pas été commencé dans ce navigateur" in response.text


def test_an_unknown_platform_cannot_start_a_login(tool: TestClient) -> None:
    stranger = Platform(issuer="https://inconnue.example.net")
    response = stranger.initiate(tool)
    assert response.status_code == 403 and "pas enregistrée" in response.text
    incomplete = tool.get("/lti/login", follow_redirects=False)
    assert incomplete.status_code == 400 and "incomplète" in incomplete.text
    for target in ("https://ailleurs.example/lti/launch", "http://[oops/lti"):
        elsewhere = Platform(tool_url=target).initiate(tool)
        assert elsewhere.status_code == 400 and "ne mène pas à ce site" in elsewhere.text


def test_the_keyset_is_public_and_shows_a_rotation(tool: TestClient) -> None:
    first = tool.get("/lti/jwks.json").json()["keys"]
    assert len(first) == 1 and first[0]["kty"] == "RSA" and first[0]["kid"]
    assert main(["lti", "rotate-key"]) == 0
    after = tool.get("/lti/jwks.json").json()["keys"]
    assert next(k["kid"] for k in after) == first[0]["kid"] and len(after) == 2


def test_deleting_the_account_forgets_the_platform_user(
    tool: TestClient, registered: Platform, settings: Settings
) -> None:
    assert registered.launch(tool).status_code == 303
    ((user_id, _, _),) = users(settings)
    storage = app_state(tool.app).storage
    assert tool.portal is not None
    assert tool.portal.call(storage.delete_account, user_id, now())
    with sqlite3.connect(settings.database) as db:
        assert db.execute("SELECT count(*) FROM lti_accounts").fetchone() == (0,)
    tool.cookies.clear()
    assert registered.launch(tool).status_code == 303  # a new account, not the deleted one
    assert [row[0] for row in users(settings)][-1] != user_id


def _unsigned(header: dict, payload: object) -> str:
    import base64
    import json

    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}.c2lnbmF0dXJl"


NASTY_TOKENS = {
    "not a jwt": "pas-un-jeton",
    "three dots": "a.b.c",
    "alg none": _unsigned({"alg": "none"}, {"iss": "https://moodle.example.net"}),
    "HS256": _unsigned({"alg": "HS256", "kid": "cle-1"}, {"iss": "https://moodle.example.net"}),
    "payload a list": _unsigned({"alg": "RS256", "kid": "cle-1"}, [1, 2]),
    "kid a number": _unsigned({"alg": "RS256", "kid": 5}, {"iss": "https://moodle.example.net"}),
}


@pytest.mark.parametrize("case", NASTY_TOKENS, ids=list(NASTY_TOKENS))
def test_malformed_tokens_are_refused_never_a_server_error(
    tool: TestClient, registered: Platform, case: str
) -> None:
    auth = registered.authorize(registered.initiate(tool))
    response = registered.post_launch(tool, auth, NASTY_TOKENS[case])
    assert 400 <= response.status_code < 500 and "Lancement refusé" in response.text


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": 5},
        {"iat": "hier"},
        {"exp": "demain"},
        {"name": {"x": 1}, "email": ["a"]},
        {"lti_custom": ["path", "4h"]},
        {"lti_resource_link": "lien"},
        {"lti_deployment_id": ["1"]},
    ],
)
def test_odd_claim_types_are_refused_or_ignored_never_a_server_error(
    tool: TestClient, registered: Platform, changes: dict
) -> None:
    response = registered.launch(tool, **changes)
    assert response.status_code in (303, 400, 401, 403), response.text


def test_the_personal_data_export_names_the_platform_account(
    tool: TestClient, registered: Platform
) -> None:
    import io
    import json
    import zipfile

    assert registered.launch(tool).status_code == 303
    export = Learner(tool).post("/compte/donnees")
    assert export.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(export.content)).read("donnees.json"))
    (account,) = data["platform_accounts"]
    assert account["issuer"] == registered.issuer and account["subject"] == "moodle-user-42"
    assert account["email"] == "camille@example.fr"


def test_a_launch_voids_an_inactivity_warning_as_a_login_does(
    tool: TestClient, registered: Platform, settings: Settings
) -> None:
    assert registered.launch(tool).status_code == 303
    with sqlite3.connect(settings.database) as db:
        db.execute("UPDATE users SET inactivity_warned_at = '2026-01-01T00:00:00Z'")
    tool.cookies.clear()
    assert registered.launch(tool).status_code == 303
    with sqlite3.connect(settings.database) as db:
        assert db.execute("SELECT inactivity_warned_at FROM users").fetchone() == (None,)


def test_a_keyset_that_cannot_be_had_refuses_the_launch(
    tool: TestClient, registered: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    import httpx2

    caplog.set_level(logging.INFO, "alliances.lti")
    down = httpx2.MockTransport(lambda request: httpx2.Response(503))
    app_state(tool.app).lti_keysets = KeysetCache(down, min_refresh=0)
    _refused(registered.launch(tool), 401, "ne peut pas être vérifiée", "cannot read", caplog)
    garbage = httpx2.MockTransport(lambda request: httpx2.Response(200, json={"keys": "x"}))
    app_state(tool.app).lti_keysets = KeysetCache(garbage, min_refresh=0)
    _refused(registered.launch(tool), 401, "ne peut pas être vérifiée", "not a JWK set", caplog)
