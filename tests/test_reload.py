"""Content reloads: a valid edit is served at once, a broken one never takes the site down."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from server.state import app_state
from tests.conftest import sign_in


def retitle(content: Path, title: str) -> None:
    module = content / "modules" / "intro.md"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace("title: Introduction aux alliances", f"title: {title}"), "utf-8")


def break_module(content: Path) -> None:
    (content / "modules" / "casse.md").write_text("---\nid: [\n---\n", encoding="utf-8")


@pytest.fixture
def editor(client: TestClient, make_user):
    make_user("editrice@example.fr", "Édith Éditrice", "editor")
    return sign_in(client, "editrice@example.fr")


def test_editor_reloads_a_valid_edit(client: TestClient, editor, content_dir: Path) -> None:
    page = client.get("/editor/content")
    assert page.status_code == 200 and "Version servie" in page.text
    retitle(content_dir, "Titre revu")
    done = editor.post("/editor/content/reload")
    assert done.headers["location"] == "/editor/content?rechargement=ok"
    assert "Titre revu" in client.get("/paths/1h/intro").text


def test_broken_edit_keeps_the_last_valid_content(
    client: TestClient, editor, content_dir: Path
) -> None:
    version = client.get("/healthz").json()["content_version"]
    break_module(content_dir)
    retitle(content_dir, "Ne doit pas paraître")
    done = editor.post("/editor/content/reload")
    assert done.headers["location"] == "/editor/content?rechargement=refuse"
    page = client.get("/editor/content").text
    assert "casse.md:2: en-tête YAML invalide" in page
    assert client.get("/healthz").json()["content_version"] == version
    assert "Introduction aux alliances" in client.get("/paths/1h/intro").text
    assert "contient des erreurs" in client.get("/").text  # shown to editors everywhere
    client.cookies.clear()
    assert "contient des erreurs" not in client.get("/").text  # never to learners


def test_learners_cannot_reload(client: TestClient, learner) -> None:
    assert learner.post("/editor/content/reload").status_code == 403
    assert client.get("/editor/content").status_code == 403


def test_preview_needs_no_account_and_reports_changes(settings: Settings, content_dir) -> None:
    with TestClient(create_app(replace(settings, preview=True))) as client:
        page = client.get("/paths/1h/intro")
        assert page.status_code == 200 and "Valider mes réponses" in page.text
        assert "preview.js" in page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        answers = {"intro-mode": "a", "intro-acteurs": ["a", "b"], "intro-classement": "faux"}
        attempt = re.search(r'name="tentative" value="([^"]+)"', page.text)[1]
        result = client.post(
            "/paths/1h/intro", data={"csrf_token": token, "tentative": attempt, **answers}
        )
        assert (
            result.status_code == 200 and "Module réussi" in result.text
        )  # answered as the preview
        before = client.get("/preview/status").json()
        break_module(content_dir)
        assert not client.portal.call(app_state(client.app).content.reload)
        after = client.get("/preview/status").json()
        assert after["errors"] == 1 and after["stamp"] != before["stamp"]
        assert "casse.md:2" in client.get("/paths/1h/intro").text


def test_preview_keeps_one_session_across_restarts(settings: Settings) -> None:
    for _ in range(3):
        with TestClient(create_app(replace(settings, preview=True))) as client:
            assert client.get("/paths/1h/intro").status_code == 200
    with TestClient(create_app(replace(settings, preview=True))) as client:
        count = client.portal.call(
            app_state(client.app).storage._one, "SELECT count(*) FROM sessions"
        )
        assert count[0] == 1


def test_preview_status_is_absent_outside_preview(client: TestClient) -> None:
    assert client.get("/preview/status").status_code == 404


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGHUP is POSIX")
def test_sighup_reloads_a_running_server(tmp_path: Path, content_dir: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "ALLIANCES_DATABASE": str(tmp_path / "var" / "s.db"),
        "ALLIANCES_CONTENT_DIR": str(content_dir),
    }
    cli = Path(sys.executable).with_name("alliances")
    server = subprocess.Popen(
        [str(cli), "serve", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        version = _wait(lambda: httpx.get(f"{base}/healthz").json()["content_version"])
        retitle(content_dir, "Titre après SIGHUP")
        server.send_signal(signal.SIGHUP)
        new = _wait(
            lambda: (v := httpx.get(f"{base}/healthz").json()["content_version"]) != version and v
        )
        assert new and server.poll() is None
    finally:
        server.terminate()
        server.wait(10)


def _wait(probe, seconds: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_changed_quiz_shows_updated_until_passed_again(
    client: TestClient, make_user, content_dir: Path
) -> None:
    from tests.conftest import Learner

    make_user("editrice@example.fr", "Édith", "editor")
    learner = Learner(client)
    learner.signup(email="lea2@example.fr")
    learner.pass_intro()
    assert "Mis à jour" not in client.get("/paths/1h").text
    module = content_dir / "modules" / "intro.md"
    text = module.read_text(encoding="utf-8")
    text = text.replace("- [x] Le mécénat {#a}", "- [ ] Le mécénat {#a}")
    text = text.replace("- [ ] L'innovation sociétale {#b}", "- [x] L'innovation sociétale {#b}")
    module.write_text(text, encoding="utf-8")
    sign_in(client, "editrice@example.fr").post("/editor/content/reload")
    learner = sign_in(client, "lea2@example.fr")
    page = client.get("/paths/1h").text
    assert "Mis à jour" in page and "Terminé" in page
    assert "a changé depuis votre réussite" in client.get("/paths/1h/intro").text
    learner.quiz(
        "/paths/1h/intro",
        {"intro-mode": "b", "intro-acteurs": ["a", "b"], "intro-classement": "faux"},
    )
    assert "Mis à jour" not in client.get("/paths/1h").text
