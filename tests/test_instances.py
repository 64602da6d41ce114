"""Two real server processes on one PostgreSQL database behave as one site (issue #15 §2).

No sticky sessions: a learner may land on either instance at every request. The
session, the login throttle and the content version live in the database, so a
sign-up on one carries on on the other, a logout on one ends the session on
both, failures on both count together, and an editor's reload (or SIGHUP) on one
reaches the other within 5 seconds (server/content_sync.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from server.credentials.keys import write_new_key
from tests.conftest import FIXTURE_COURSE, Learner
from tests.mail_server import free_port
from tests.test_reload import retitle

INTRO = "/paths/1h/intro"
ANSWERS = {"intro-mode": "a", "intro-acteurs": ["a", "b"], "intro-classement": "faux"}


class Instance:
    """One `alliances serve` process and a browser's view of it."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        folder.mkdir()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / "server.log"
        alliances = Path(sys.executable).with_name("alliances")
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [str(alliances), "serve", "--port", str(self.port), "--no-access-log"],
                cwd=folder,  # its var/ (mail files) apart from the other's
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.http = httpx.Client(base_url=self.base, follow_redirects=True, timeout=10)

    def wait_ready(self, deadline: float) -> None:
        while True:
            try:
                if self.http.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)

    def version(self) -> str:
        return str(self.http.get("/healthz").json()["content_version"])

    def as_same_browser(self, other: Instance) -> Learner:
        """This instance, with the other's cookies: the next request lands here."""
        self.http.cookies = other.http.cookies
        return Learner(self.http)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def instances(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Instance, Instance, Path]]:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_COURSE, content)
    env = {
        **os.environ,
        "ALLIANCES_DATABASE": postgres_url,
        "ALLIANCES_CONTENT_DIR": str(content),
        "ALLIANCES_SECRET_KEY": "instances-" + "k" * 40,  # shared: either reads the cookies
        # Shared as the README asks: one set of signing keys (server/key_agreement.py).
        "ALLIANCES_BADGE_KEYS": str(tmp_path / "badge-keys"),
    }
    write_new_key(tmp_path / "badge-keys")
    make_editor(env, monkeypatch)  # migrates the database before both start
    started: list[Instance] = []
    try:
        for name in ("a", "b"):
            started.append(Instance(tmp_path / name, env))
        deadline = time.monotonic() + 30
        for instance in started:
            instance.wait_ready(deadline)
        yield started[0], started[1], content
    finally:
        for instance in started:
            instance.stop()


def make_editor(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from server.cli import main
    from tests.conftest import PASSWORD

    for name in ("ALLIANCES_DATABASE", "ALLIANCES_SECRET_KEY"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    args = ["create-user", "edith@example.fr", "--name", "Édith", "--role", "editor"]
    assert main([*args, "--password-stdin"]) == 0


def test_two_instances_serve_one_site(instances: tuple[Instance, Instance, Path]) -> None:
    a, b, content = instances

    # Signed up on A, the learner carries on on B with the same cookie.
    on_a = Learner(a.http)  # type: ignore[arg-type]
    assert on_a.signup().status_code == 303
    on_b = b.as_same_browser(a)
    page = b.http.get(INTRO)
    assert page.status_code == 200 and "Valider mes réponses" in page.text
    assert "Module réussi" in on_b.quiz(INTRO, ANSWERS).text
    on_a = a.as_same_browser(b)
    assert "Module réussi" in a.http.get(f"{INTRO}/resultat").text  # A reads B's write

    # Logged out on A: B refuses the same session cookie at once.
    b.as_same_browser(a)  # B keeps the cookie A is about to end
    assert on_a.post("/logout").status_code == 303
    refused = b.http.get(INTRO, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")

    # Wrong passwords split between A and B count together: 5 free, then delays
    # that double (1 s, 2 s, …) from the latest, whichever instance recorded it.
    def wrong(instance: Instance) -> int:
        person = Learner(instance.http)  # type: ignore[arg-type]
        return int(person.login(password="pas le bon mot de passe").status_code)

    assert [wrong(i) for i in (a, b, a, b, a)] == [400] * 5
    time.sleep(1.1)  # past the first delay (1 s): a sixth attempt, on B
    assert wrong(b) == 400
    # Three failures on each: the next waits 2 s from B's, on A as on B.
    assert [wrong(a), wrong(b)] == [429, 429]

    # An editor's reload on A reaches B within 5 seconds.
    editor = Learner(a.http)  # type: ignore[arg-type]
    a.http.cookies.clear()
    assert editor.login("edith@example.fr", "un mot de passe sûr").status_code == 303
    before = b.version()
    retitle(content, "Titre servi partout")
    reloaded = editor.post("/editor/content/reload")
    assert reloaded.headers["location"] == "/editor/content?rechargement=ok"
    new = a.version()
    assert new != before
    reaches(b, new)
    b.as_same_browser(a)
    assert "Titre servi partout" in b.http.get("/paths/1h").text

    # The operator's SIGHUP on B reaches A the same way.
    intro = content / "modules" / "intro.md"
    text = intro.read_text(encoding="utf-8")
    intro.write_text(text.replace("Titre servi partout", "Titre rechargé par signal"), "utf-8")
    b.process.send_signal(signal.SIGHUP)
    newer = wait_for_new_version(b, new)
    reaches(a, newer)
    assert "Titre rechargé par signal" in a.http.get("/paths/1h").text


def wait_for_new_version(instance: Instance, old: str) -> str:
    deadline = time.monotonic() + 10
    while (version := instance.version()) == old:
        assert time.monotonic() < deadline, "SIGHUP did not reload"
        time.sleep(0.05)
    return version


def reaches(instance: Instance, version: str) -> None:
    """Within 5 seconds of the reload, `instance` serves `version` too."""
    started = time.monotonic()
    while instance.version() != version:
        assert time.monotonic() - started < 5, "the reload did not reach the other instance"
        time.sleep(0.1)
