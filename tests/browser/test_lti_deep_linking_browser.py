"""Deep Linking's pages in Chromium (issue #17): the teacher's choice (and its refusal
with the error summary) pass axe-core and the Nu Html Checker; the answer page posts the
signed response to the platform's return URL by itself, under its own CSP.

The site runs in-process (a TestClient reaching the platform simulator's keyset);
Chromium reaches it through request interception, so the pages are the real ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.lti.keyset import KeysetCache
from server.lti.registration import parse_platform
from server.settings import Settings
from server.state import app_state
from tests.browser.pages import check_accessibility, vnu_errors
from tests.lti_deep_linking import RETURN_URL, deep_link, receive
from tests.lti_platform import Platform
from tests.test_lti_deep_linking import choose

SITE = "https://testserver"


@pytest.fixture
def platform() -> Platform:
    return Platform()


@pytest.fixture
def tool(settings: Settings, platform: Platform) -> Iterator[TestClient]:
    """The site with the simulator registered (through its storage: Playwright's running
    event loop leaves the CLI's asyncio.run no room)."""
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
        assert client.portal.call(shared.storage.add_lti_platform, registered)  # type: ignore[union-attr]
        yield client


def test_the_deep_linking_pages(
    browser, tool: TestClient, platform: Platform, artifacts: Path
) -> None:
    picker = deep_link(tool, platform)
    refused = choose(tool, picker.text, None)
    answer = choose(tool, picker.text, "1h")
    assert refused.status_code == 400 and answer.status_code == 200
    pages = {"picker": picker, "picker-errors": refused, "answer": answer}
    received: list[str] = []

    def serve(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith(RETURN_URL.split("?")[0]):
            received.append(route.request.post_data or "")
            route.fulfill(status=200, content_type="text/html", body="<p>Moodle</p>")
        elif url.startswith(f"{SITE}/__page/"):
            shown = pages[url.rsplit("/", 1)[1]]
            headers = {"content-security-policy": shown.headers["content-security-policy"]}
            route.fulfill(status=200, content_type="text/html", body=shown.text, headers=headers)
        else:
            got = tool.get(url)
            route.fulfill(status=got.status_code, body=got.content, headers=dict(got.headers))

    context = browser.new_context()
    page = context.new_page()
    page.route("**/*", serve)
    problems: list[str] = []
    for name in ("picker", "picker-errors"):
        page.goto(f"{SITE}/__page/{name}")
        problems += check_accessibility(page, name)
    assert page.evaluate("document.activeElement.id") == "erreurs"  # the summary takes focus
    page.route("**/static/lti-return.js*", lambda route: route.abort())  # without JavaScript
    page.goto(f"{SITE}/__page/answer")
    problems += check_accessibility(page, "answer")
    assert not received
    page.unroute("**/static/lti-return.js*")
    page.goto(f"{SITE}/__page/answer")  # with JavaScript: posted by itself
    page.wait_for_url(RETURN_URL)
    context.close()
    assert len(received) == 1
    posted = parse_qs(received[0])["JWT"][0]
    assert posted in answer.text and receive(tool, platform, answer.text).item
    problems += vnu_errors(
        {name: shown.text for name, shown in pages.items()}, artifacts / "vnu", "lti-dl-"
    )
    assert not problems, "\n".join(problems)
