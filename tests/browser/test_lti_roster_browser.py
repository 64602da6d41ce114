"""The platform course's part of a cohort's page (issue #17 §3) in Chromium: the roster
import's button and its result, and the page a failing platform gets, pass axe-core
(light and dark) and the Nu Html Checker.

The site runs in-process (a TestClient reaching the platform simulator, its keyset,
token and memberships endpoints); Chromium reaches it through request interception."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.lti.keyset import KeysetCache
from server.lti.registration import parse_platform
from server.settings import Settings
from server.state import app_state
from tests.browser.pages import check_accessibility, vnu_errors
from tests.conftest import csrf
from tests.lti_memberships import Memberships, person
from tests.lti_platform import Platform
from tests.test_lti_contexts import teacher_launch

SITE = "https://testserver"


@pytest.fixture
def platform() -> Platform:
    return Platform()


@pytest.fixture
def tool(settings: Settings, platform: Platform) -> Iterator[TestClient]:
    """The site with the simulator registered through its storage (Playwright's running
    event loop leaves the CLI's asyncio.run no room), reaching all its endpoints."""
    values = {
        "issuer": platform.issuer,
        "client_id": platform.client_id,
        "auth_url": platform.auth_url,
        "token_url": platform.token_url,
        "keyset_url": platform.keyset_url,
        "name": "Moodle de test",
    }
    registered, errors = parse_platform(values, [platform.deployment_id], allow_http=False)
    assert registered and not errors
    with TestClient(create_app(settings), base_url=SITE) as client:
        shared = app_state(client.app)
        shared.lti_keysets = KeysetCache(platform.transport(), min_refresh=0)
        shared.lti_transport = platform.transport()
        assert client.portal.call(shared.storage.add_lti_platform, registered)  # type: ignore[union-attr]
        platform.trust_tool(client)
        yield client


def test_the_roster_import_pages(
    browser, tool: TestClient, platform: Platform, artifacts: Path
) -> None:
    members = [
        person("moodle-user-42", "Camille Dupont"),
        person("moodle-user-43", "Léo Martin"),
        person("moodle-user-44", "Inès Bernard", status="Inactive"),
    ]
    roster = Memberships(platform, members=members).install()
    cohort_id = teacher_launch(tool, platform, **roster.claim())
    page_url = f"/trainer/cohorts/{cohort_id}"
    before = tool.get(page_url)
    url = f"{page_url}/import/plateforme"
    done = tool.post(url, data={"csrf_token": csrf(tool, page_url)}, follow_redirects=False)
    assert done.status_code == 303
    after = tool.get(done.headers["location"])
    roster.down = True
    failed = tool.post(url, data={"csrf_token": csrf(tool, page_url)})
    assert failed.status_code == 502
    pages = {"cohort-platform": before, "cohort-imported": after, "import-failed": failed}

    def serve(route) -> None:  # type: ignore[no-untyped-def]
        requested = route.request.url
        if requested.startswith(f"{SITE}/__page/"):
            shown = pages[requested.rsplit("/", 1)[1]]
            route.fulfill(status=200, content_type="text/html", body=shown.text)
        else:
            got = tool.get(requested)
            route.fulfill(status=got.status_code, body=got.content, headers=dict(got.headers))

    context = browser.new_context()
    page = context.new_page()
    page.route("**/*", serve)
    problems: list[str] = []
    for name in pages:
        page.goto(f"{SITE}/__page/{name}")
        problems += check_accessibility(page, name)
    context.close()
    problems += vnu_errors(
        {name: shown.text for name, shown in pages.items()}, artifacts / "vnu", "lti-nrps-"
    )
    assert not problems, "\n".join(problems)
