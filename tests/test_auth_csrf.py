"""CSRF tokens bound to the session and rotated at login and logout; `__Host-`
cookies in production (issue #12, item 11)."""

from __future__ import annotations

import dataclasses
import re

from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.conftest import PASSWORD, Learner

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _token(client: TestClient, url: str = "/") -> str:
    match = CSRF.search(client.get(url).text)
    assert match
    return match[1]


def test_a_token_from_before_login_is_refused_after_it(client: TestClient) -> None:
    person = Learner(client)
    assert person.signup().status_code == 303
    person.post("/logout")
    before = _token(client, "/login")
    assert person.login().status_code == 303
    stale = client.post("/paths/1h/start", data={"csrf_token": before}, follow_redirects=False)
    assert stale.status_code == 403
    fresh = client.post(
        "/paths/1h/start", data={"csrf_token": _token(client)}, follow_redirects=False
    )
    assert fresh.status_code == 303


def test_a_token_from_before_logout_is_refused_after_it(client: TestClient) -> None:
    person = Learner(client)
    assert person.signup().status_code == 303
    signed_in = _token(client)
    assert client.post("/logout", data={"csrf_token": signed_in}).status_code == 200
    data = {"csrf_token": signed_in, "email": "lea@example.fr", "password": PASSWORD}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 403


def test_login_and_logout_give_a_new_csrf_cookie(client: TestClient) -> None:
    person = Learner(client)
    client.get("/login")
    first = client.cookies["at_csrf"]
    response = person.signup()
    assert response.status_code == 303 and "at_csrf=" in response.headers["set-cookie"]
    second = client.cookies["at_csrf"]
    assert second != first
    person.post("/logout")
    assert client.cookies["at_csrf"] not in (first, second)


def test_a_token_is_bound_to_its_session(settings: Settings) -> None:
    """A token shown to one session is refused with another, even with the same CSRF cookie."""
    with TestClient(create_app(settings)) as lea, TestClient(create_app(settings)) as marc:
        Learner(lea).signup()
        Learner(marc).signup(email="marc@example.fr", name="Marc")
        token = _token(lea)
        marc.cookies.set("at_csrf", lea.cookies["at_csrf"])
        response = marc.post("/paths/1h/start", data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 403


def test_production_cookies_carry_the_host_prefix(settings: Settings) -> None:
    production = dataclasses.replace(settings, production=True)
    with TestClient(create_app(production), base_url="https://testserver") as client:
        page = client.get("/login")
        csrf_cookie = page.headers["set-cookie"]
        assert csrf_cookie.startswith("__Host-at_csrf=")
        assert "Secure" in csrf_cookie and "Path=/" in csrf_cookie and "Domain" not in csrf_cookie
        person = Learner(client)
        signed_up = person.signup()
        assert signed_up.status_code == 303
        cookies = signed_up.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("__Host-at_session="))
        assert "Secure" in session and "Path=/" in session and "Domain" not in session
        assert client.get("/mes-formations").status_code == 200  # signed in under the new name
        assert "at_session" not in {name for name in client.cookies if name != "__Host-at_session"}
        logged_out = person.post("/logout")
        assert logged_out.status_code == 303
        assert any(
            c.startswith('__Host-at_session=""') or c.startswith("__Host-at_session=;")
            for c in logged_out.headers.get_list("set-cookie")
        )


def test_a_non_ascii_csrf_cookie_is_a_refused_form_not_an_error(client: TestClient) -> None:
    token = _token(client, "/login")
    client.cookies.clear()
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": "a@b.fr", "password": "x"},
        headers={"cookie": "at_csrf=\u00e9t\u00e9".encode()},
    )
    assert response.status_code == 403
