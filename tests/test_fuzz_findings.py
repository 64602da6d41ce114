"""What the fuzzer turned into server errors (issue #12, item 8) now answers 4xx in French."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import PASSWORD, Learner, sign_in

HUGE = str(2**64)  # beyond SQLite's 64-bit integers


def test_a_non_ascii_csrf_cookie_is_refused_not_crashed(client: TestClient) -> None:
    token = Learner(client).token  # a genuine token, checked against the forged cookie
    client.cookies.clear()
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": "x@example.fr", "password": PASSWORD},
        headers={"cookie": "at_csrf=été".encode()},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "Ce formulaire a expiré" in response.text


def test_a_non_ascii_token_against_an_ascii_cookie_is_refused(client: TestClient) -> None:
    assert Learner(client).token  # sets the cookie
    response = client.post("/login", data={"csrf_token": "é.é", "email": "x", "password": "y"})
    assert response.status_code == 403


@pytest.fixture
def admin(client: TestClient, make_user) -> Learner:
    make_user("admin@example.fr", "Ada Admin", "admin", "trainer", "editor")
    return sign_in(client, "admin@example.fr")


@pytest.mark.parametrize(
    "url",
    [
        f"/trainer/cohorts/{HUGE}",
        f"/trainer/cohorts/{HUGE}/questions",
        f"/trainer/cohorts/{HUGE}/export.csv",
        f"/trainer/cohorts/{HUGE}/import",
        f"/trainer/cohorts/{HUGE}/learners/1",
        f"/api/cohorts/{HUGE}/progress",
        "/trainer/cohorts/1/learners/" + HUGE,
        "/trainer/cohorts/-1",
        "/trainer/cohorts/" + "9" * 400,
    ],
)
def test_ids_beyond_64_bits_are_not_found(admin: Learner, url: str) -> None:
    response = admin.client.get(url)
    assert response.status_code == 404
    assert "<h1>" in response.text or "introuvable" in response.text


@pytest.mark.parametrize(
    "url",
    [
        f"/trainer/cohorts/{HUGE}/settings",
        f"/trainer/cohorts/{HUGE}/join-link",
        f"/trainer/cohorts/{HUGE}/trainers",
        f"/trainer/cohorts/{HUGE}/import/confirm",
        f"/trainer/cohorts/{HUGE}/learners/1/remove",
        f"/mes-formations/{HUGE}/partage",
        f"/admin/users/{HUGE}/roles",
    ],
)
def test_posts_with_ids_beyond_64_bits_are_not_found(admin: Learner, url: str) -> None:
    response = admin.post(url, {"role": "trainer", "action": "grant", "name": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/admin/users?page=" + HUGE, "/trainer/cohorts/1?page=" + HUGE])
def test_huge_page_numbers_are_a_bad_request_or_the_last_page(admin: Learner, url: str) -> None:
    admin.post("/trainer/cohorts", {"name": "Promo", "path_id": "1h", "due_date": ""})
    assert admin.client.get(url).status_code in (200, 400)


@pytest.mark.parametrize(
    "path",
    ["/media/images/a%00b.png", "/media/" + "a" * 300 + ".png", "/media/" + "a/" * 300 + "b.png"],
)
def test_media_paths_with_nul_or_overlong_names_are_not_found(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "Page introuvable" in response.text
