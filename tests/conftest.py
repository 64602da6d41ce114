"""Shared fixtures: a temporary app on the fixture course, and a signed-in helper."""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.pg import postgres_url  # noqa: F401  (the fixture, for every test module)

FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"
PASSWORD = "un mot de passe sûr"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ATTEMPT = re.compile(r'name="tentative" value="([^"]+)"')


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the fixture course, so a test may edit it."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_COURSE, target)
    return target


@pytest.fixture
def settings(tmp_path: Path, content_dir: Path, request: pytest.FixtureRequest) -> Settings:
    """SQLite in the test's folder; PostgreSQL (a database of the test's own) when
    ALLIANCES_TEST_BACKEND=postgres, so that any route test can run on both."""
    url = ""
    if os.environ.get("ALLIANCES_TEST_BACKEND") == "postgres":
        url = request.getfixturevalue("postgres_url")
    return Settings(
        database=tmp_path / "var" / "test.db",
        database_url=url,
        content_dir=content_dir,
        secret_key="test-secret-" + "x" * 32,
        base_url="https://formation.example.org",
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as test_client:
        yield test_client


def csrf(client: TestClient, url: str = "/login") -> str:
    match = CSRF.search(client.get(url).text)
    assert match, f"no CSRF token on {url}"
    return match[1]


class Learner:
    """Drives the site like a person: sign up, log in, submit forms."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    @property
    def token(self) -> str:
        return csrf(self.client)

    def signup(
        self,
        email: str = "lea@example.fr",
        name: str = "Léa Martin",
        password: str = "un mot de passe sûr",
    ):
        return self.client.post(
            "/signup",
            data={"csrf_token": self.token, "email": email, "name": name, "password": password},
            follow_redirects=False,
        )

    def login(self, email: str = "lea@example.fr", password: str = "un mot de passe sûr"):
        return self.client.post(
            "/login",
            data={"csrf_token": self.token, "email": email, "password": password},
            follow_redirects=False,
        )

    def post(self, url: str, data: dict | None = None, **kwargs):
        return self.client.post(
            url, data={"csrf_token": self.token, **(data or {})}, follow_redirects=False, **kwargs
        )

    def attempt(self, url: str) -> str:
        """The quiz form's attempt token, as the module page gives it."""
        return ATTEMPT.search(self.client.get(url).text)[1]  # type: ignore[index]

    def quiz(self, url: str, answers: dict):
        """Submit a quiz like a browser: the POST redirects to the result page."""
        response = self.post(url, {"tentative": self.attempt(url), **answers})
        if response.status_code != 303:
            return response
        assert response.headers["location"] == url + "/resultat#resultat"
        return self.client.get(response.headers["location"])

    def pass_intro(self, path: str = "1h"):
        return self.quiz(
            f"/paths/{path}/intro",
            {"intro-mode": "a", "intro-acteurs": ["a", "b"], "intro-classement": "faux"},
        )


@pytest.fixture
def learner(client: TestClient) -> Learner:
    person = Learner(client)
    assert person.signup().status_code == 303
    return person


@pytest.fixture
def make_user(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    """Create accounts through `alliances create-user`, as an operator would."""
    monkeypatch.setenv("ALLIANCES_DATABASE", settings.database_url or str(settings.database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", settings.secret_key)

    def make(email: str, name: str, *roles: str) -> None:
        from server.cli import main

        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        args = ["create-user", email, "--name", name, "--password-stdin"]
        for role in roles:
            args += ["--role", role]
        assert main(args) == 0

    return make


def sign_in(client: TestClient, email: str) -> Learner:
    client.cookies.clear()
    person = Learner(client)
    assert person.login(email=email, password=PASSWORD).status_code == 303
    return person
