"""A launch inside the platform's frame, in Chromium (issue #17 §2; server/views/lti_storage.py).

The platform is a tiny page on its own origin that frames the tool and implements
1EdTech's postMessage storage (`lti.put_data`, `lti.get_data`) in its window, and an
auth endpoint that answers with the auto-submitted id_token form, as Moodle's does. The
site runs in-process (a TestClient reaching the simulator's keyset); Chromium reaches it
through request interception, with its own cookies and headers (Origin, Sec-Fetch-*), so
the scripts, the CSP and the postMessage origins are the browser's real ones."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.lti.keyset import KeysetCache
from server.lti.registration import parse_platform
from server.settings import Settings
from server.state import app_state
from tests.browser.pages import check_accessibility, vnu_errors
from tests.lti_platform import Platform
from tests.test_lti_storage import FRAME, field, storage_login

SITE = "https://formation.example.org"  # the settings' base URL: the redirect URI's
# The platform's storage, as a platform page implements it: answers only this tool's origin.
STORAGE = """
const store = new Map();
window.asked = [];
window.addEventListener("message", (event) => {
  const data = event.data || {};
  if (event.origin !== "%(site)s" || !data.subject) return;
  window.asked.push(data.subject);
  if (!window.answering) return;
  const answer = { subject: data.subject + ".response", message_id: data.message_id,
                   key: data.key };
  if (data.subject === "lti.put_data") {
    store.set(data.key, data.value);
    answer.value = data.value;
  } else if (data.subject === "lti.get_data") {
    answer.value = store.get(data.key);
  } else return;
  if (window.tamper && data.subject === "lti.get_data") answer.value = "autre-chose";
  event.source.postMessage(answer, event.origin);
});
"""


@pytest.fixture
def platform() -> Platform:
    return Platform()


@pytest.fixture
def tool(settings: Settings, platform: Platform) -> Iterator[TestClient]:
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
    assert settings.base_url == SITE
    with TestClient(create_app(settings), base_url=SITE) as client:
        shared = app_state(client.app)
        shared.lti_keysets = KeysetCache(platform.transport(), min_refresh=0)
        assert client.portal.call(shared.storage.add_lti_platform, registered)  # type: ignore[union-attr]
        yield client


def course_page(platform: Platform, answering: bool, tamper: bool = False) -> str:
    login = urlencode(
        {
            "iss": platform.issuer,
            "login_hint": "42",
            "target_link_uri": f"{SITE}/lti/launch",
            "client_id": platform.client_id,
            "lti_deployment_id": platform.deployment_id,
            "lti_storage_target": "_parent",
        }
    )
    flags = f"window.answering = {str(answering).lower()}; window.tamper = {str(tamper).lower()};"
    return (
        "<!doctype html><title>Moodle</title><h1>Cours Moodle</h1>"
        f"<script>{flags}{STORAGE % {'site': SITE}}</script>"
        f'<iframe name="outil" src="{SITE}/lti/login?{html.escape(login)}"'
        ' width="800" height="600"></iframe>'
    )


def auth_answer(platform: Platform, url: str) -> str:
    """Moodle's auth endpoint: the signed id_token in a form that posts itself."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    token = platform.sign(platform.claims(query["nonce"]))
    return (
        f'<!doctype html><form method="post" action="{html.escape(query["redirect_uri"])}">'
        f'<input type="hidden" name="id_token" value="{token}">'
        f'<input type="hidden" name="state" value="{html.escape(query["state"])}"></form>'
        "<script>document.forms[0].submit()</script>"
    )


def in_frame(request) -> bool:  # type: ignore[no-untyped-def]
    try:
        return request.frame.parent_frame is not None
    except Exception:  # a new window's first navigation has no frame yet
        return False


def serve(tool: TestClient, platform: Platform, answering: bool, tamper: bool = False):  # type: ignore[no-untyped-def]
    def handle(route) -> None:  # type: ignore[no-untyped-def]
        request = route.request
        url = request.url
        if url.startswith(platform.auth_url):
            route.fulfill(status=200, content_type="text/html", body=auth_answer(platform, url))
        elif url.startswith(platform.issuer):
            page = course_page(platform, answering, tamper)
            route.fulfill(status=200, content_type="text/html", body=page)
        else:  # the site, with the browser's own headers and cookies
            tool.cookies.clear()
            headers = {k: v for k, v in request.all_headers().items() if not k.startswith(":")}
            if request.is_navigation_request() and in_frame(request):
                headers["sec-fetch-dest"] = "iframe"  # added below interception by Chromium
            body = request.post_data_buffer
            got = tool.request(
                request.method, url, headers=headers, content=body, follow_redirects=False
            )
            tool.cookies.clear()
            out = {
                k: v for k, v in got.headers.items() if k not in ("content-length", "set-cookie")
            }
            cookies = got.headers.get_list("set-cookie")
            if cookies:
                out["set-cookie"] = "\n".join(cookies)
            status, content = got.status_code, got.content
            if status in (302, 303) and "location" in out:
                # Playwright routes only the first URL of a redirect: the browser follows
                # this one by a refresh instead, after keeping the response's cookies.
                target = html.escape(out.pop("location"))
                status, out["content-type"] = 200, "text/html"
                content = f'<meta http-equiv="refresh" content="0;url={target}">'.encode()
            route.fulfill(status=status, body=content, headers=out)

    return handle


def test_a_framed_launch_goes_through_the_platform_storage(
    browser, tool: TestClient, platform: Platform
) -> None:
    context = browser.new_context()
    page = context.new_page()
    context.route("**/*", serve(tool, platform, answering=True))
    page.goto(f"{platform.issuer}/course/view.php?id=3")
    frame = page.frame(name="outil")
    assert frame is not None
    frame.wait_for_selector("text=Ouvrir le cours dans une nouvelle fenêtre", timeout=10_000)
    assert page.evaluate("window.asked") == [
        "lti.put_data",
        "lti.put_data",
        "lti.get_data",
        "lti.get_data",
    ]
    with context.expect_page() as opened:
        frame.click("text=Ouvrir le cours dans une nouvelle fenêtre")
    course = opened.value
    course.wait_for_url(f"{SITE}/paths/1h")
    assert "Camille Dupont" in course.content()
    context.close()


@pytest.mark.parametrize("tamper", [False, True], ids=["no answer", "another state"])
def test_a_platform_that_does_not_answer_leaves_the_new_window_link(
    browser, tool: TestClient, platform: Platform, tamper: bool
) -> None:
    context = browser.new_context()
    page = context.new_page()
    context.route("**/*", serve(tool, platform, answering=tamper, tamper=tamper))
    page.goto(f"{platform.issuer}/course/view.php?id=3")
    frame = page.frame(name="outil")
    assert frame is not None
    frame.wait_for_selector("text=ouvrez-le dans une nouvelle fenêtre", timeout=10_000)
    link = frame.locator("a", has_text="Ouvrir dans une nouvelle fenêtre")
    assert link.get_attribute("target") == "_blank"
    assert (link.get_attribute("href") or "").startswith("/lti/login?")
    assert "/lti/open" not in frame.content()  # not signed in, not launched
    context.close()


def test_the_frame_pages_pass_axe_and_the_nu_checker(
    browser, tool: TestClient, platform: Platform, artifacts: Path
) -> None:
    ours = {"origin": SITE}
    login = platform.initiate(tool, storage_target="_parent", **FRAME)
    auth = storage_login(tool, platform)
    check = platform.post_launch(tool, auth, platform.sign(platform.claims(auth.nonce)))
    form = {"id_token": field(check.text, "id_token"), "state": auth.state}
    opened = tool.post("/lti/launch/storage", data=form, headers=ours)
    replay = tool.post("/lti/launch/storage", data=form, headers=ours)
    pages = {"login": login, "check": check, "open": opened, "refused": replay}
    assert [p.status_code for p in pages.values()] == [200, 200, 200, 401]

    def show(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith(f"{SITE}/__page/"):
            shown = pages[url.rsplit("/", 1)[1]]
            headers = {"content-security-policy": shown.headers["content-security-policy"]}
            route.fulfill(status=200, content_type="text/html", body=shown.text, headers=headers)
        elif "/static/lti-storage.js" in url:  # the script is tested above: no postMessage here
            route.fulfill(status=200, content_type="text/javascript", body="")
        else:
            got = tool.get(url)
            route.fulfill(status=got.status_code, body=got.content, headers=dict(got.headers))

    context = browser.new_context()
    page = context.new_page()
    page.route("**/*", show)
    problems: list[str] = []
    for name in pages:
        page.goto(f"{SITE}/__page/{name}")
        assert page.locator("h1").count() == 1
        problems += check_accessibility(page, f"lti-{name}")
    context.close()
    problems += vnu_errors(
        {name: shown.text for name, shown in pages.items()}, artifacts / "vnu", "lti-frame-"
    )
    assert not problems, "\n".join(problems)
