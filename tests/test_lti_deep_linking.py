"""LTI Deep Linking 2.0 against the platform simulator (issue #17): a teacher picks a module,
the platform verifies the signed answer and creates the link, a learner's launch of that
link lands in the module; a learner, a tampered or expired request, and a stale form are
refused with a French page."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from server import urls
from server.app import create_app
from server.cli import main
from server.lti.keyset import KeysetCache
from server.settings import Settings
from server.state import app_state
from tests.lti_deep_linking import (
    DATA,
    DL_CLAIM,
    RETURN_URL,
    deep_link,
    receive,
    request_claims,
    settings,
)
from tests.lti_platform import REMOVE, Platform, _new_key

CHOICE = re.compile(r'name="choice" id="[^"]+" value="([^"]+)"')
REQUEST = re.compile(r'name="request" value="([^"]+)"')
LAUNCH_URL = "https://formation.example.org/lti/launch"


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


def choose(client: TestClient, page: str, choice: str | None) -> Any:
    token = REQUEST.search(page)
    assert token
    data = {"request": token[1]}
    if choice is not None:
        data["choice"] = choice
    return client.post("/lti/deep-link", data=data, follow_redirects=False)


def test_a_teacher_adds_a_module_and_a_learner_lands_in_it(
    tool: TestClient, platform: Platform
) -> None:
    page = deep_link(tool, platform)
    assert page.status_code == 200, page.text
    assert "Choisir l’activité à ajouter" in page.text
    assert tool.get("/compte", follow_redirects=False).status_code != 200  # no sign-in
    choices = CHOICE.findall(page.text)
    assert "1h" in choices
    module = next(c for c in choices if c.startswith("1h/"))
    module_id = module.partition("/")[2]

    answer = choose(tool, page.text, module)
    assert answer.status_code == 200, answer.text
    csp = answer.headers["content-security-policy"]
    assert "form-action 'self' https://moodle.example.net;" in csp
    assert "Ajouter à mon cours" in answer.text
    returned = receive(tool, platform, answer.text)
    assert returned.action == RETURN_URL
    assert returned.claims[DL_CLAIM + "data"] == DATA
    item = returned.item
    assert item["type"] == "ltiResourceLink" and item["url"] == LAUNCH_URL
    assert item["title"] and item["title"] in page.text and item["text"]
    assert item["custom"] == {"path": "1h", "module": module_id}
    assert item["lineItem"] == {
        "scoreMaximum": 100,
        "label": item["title"],
        "resourceId": module_id,
        "tag": "alliances-territoires",
    }

    # The platform created the link: a learner's launch of it opens the module.
    platform.tool_url = item["url"]
    landed = platform.launch(tool, lti_custom=item["custom"], lti_target_link_uri=item["url"])
    assert landed.status_code == 303
    assert landed.headers["location"] == urls.module("1h", module_id)


def test_a_whole_path_without_data_echoes_none(tool: TestClient, platform: Platform) -> None:
    page = deep_link(tool, platform, lti_deep_linking_settings=settings(data=REMOVE))
    answer = choose(tool, page.text, "1h")
    returned = receive(tool, platform, answer.text)
    assert DL_CLAIM + "data" not in returned.claims
    assert returned.item["custom"] == {"path": "1h"}
    assert returned.item["lineItem"]["resourceId"] == "1h"


def test_a_launch_url_with_a_query_still_gets_the_registered_redirect_uri(
    tool: TestClient, platform: Platform
) -> None:
    platform.tool_url = LAUNCH_URL + "?path=1h&module=x"
    auth = platform.authorize(platform.initiate(tool))
    assert auth.redirect_uri == LAUNCH_URL  # Moodle compares it exactly with the registered one


def test_a_learner_may_not_add_the_activity(tool: TestClient, platform: Platform) -> None:
    learner = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
    page = deep_link(tool, platform, lti_roles=[learner])
    assert page.status_code == 403
    assert "Seuls les formateurs et formatrices du cours" in page.text
    assert "choice" not in page.text


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, 401),
        ({"lti_deep_linking_settings": REMOVE}, 400),
        ({"lti_deep_linking_settings": settings(deep_link_return_url=REMOVE)}, 400),
        ({"lti_deep_linking_settings": settings(deep_link_return_url="javascript:x")}, 400),
        ({"lti_deep_linking_settings": settings(accept_types=["file", "html"])}, 400),
    ],
)
def test_a_bad_request_is_refused(
    tool: TestClient, platform: Platform, changes: dict[str, object], status: int
) -> None:
    page = deep_link(tool, platform, **changes)
    assert page.status_code == status and "Lancement refusé" in page.text


def test_a_tampered_request_is_refused(tool: TestClient, platform: Platform) -> None:
    auth = platform.authorize(platform.initiate(tool))
    forged = platform.sign(request_claims(platform, auth.nonce), key=_new_key())
    page = platform.post_launch(tool, auth, forged)
    assert page.status_code == 401 and "signature" in page.text


def test_a_stale_form_or_no_choice_is_refused(tool: TestClient, platform: Platform) -> None:
    page = deep_link(tool, platform)
    empty = choose(tool, page.text, None)
    assert empty.status_code == 400
    assert "Choisissez un parcours ou un module" in empty.text
    assert choose(tool, page.text, "1h/nope").status_code == 400
    token = REQUEST.search(page.text)
    assert token
    forged = page.text.replace(token[1], "forged")
    refused = choose(tool, forged, "1h")
    assert refused.status_code == 400 and "expiré" in refused.text


def test_a_teacher_signed_in_here_may_still_choose(tool: TestClient, platform: Platform) -> None:
    """The picking page answers a cross-site POST, which carries no session cookie; the
    choice, posted from this site, does: a session-bound form token would refuse it."""
    page = deep_link(tool, platform)
    assert platform.launch(tool).status_code == 303  # now signed in here
    answer = choose(tool, page.text, "1h")
    assert answer.status_code == 200 and receive(tool, platform, answer.text).item


def test_the_choice_needs_its_request_token(tool: TestClient, platform: Platform) -> None:
    deep_link(tool, platform)
    refused = tool.post("/lti/deep-link", data={"choice": "1h"})
    assert refused.status_code == 400 and "JWT" not in refused.text


def test_the_content_selection_url_is_given_to_enter_on_the_platform(
    platform: Platform, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lti", "list"]) == 0
    assert f"deep linking (content selection) URL: {LAUNCH_URL}" in capsys.readouterr().out
