"""The typed app state: one object, built once, and one course per request."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from server.app import create_app
from server.content import compile_snapshot
from server.settings import Settings
from server.state import app_state, snapshot, state
from server.web import course


def request_to(app: object) -> Request:
    """A request as SecurityMiddleware hands it on: its own scope state."""
    return Request({"type": "http", "app": app, "state": {}, "headers": []})


def retitle(content: Path, title: str) -> None:
    module = content / "modules" / "intro.md"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace("title: Introduction aux alliances", f"title: {title}"), "utf-8")


def test_a_request_keeps_the_course_it_began_with(settings: Settings, content_dir: Path) -> None:
    """A reload while a request awaits must not show it half of one course, half of the next."""
    app = create_app(settings)
    live = app_state(app).content
    during = request_to(app)
    before = course(during)
    retitle(content_dir, "Titre rechargé")
    live.install(compile_snapshot(content_dir))  # what a reload does, between two awaits
    assert course(during) is before
    assert snapshot(during).course.modules["intro"].title == "Introduction aux alliances"
    after = request_to(app)
    assert course(after).modules["intro"].title == "Titre rechargé"
    assert course(after) is live.snapshot.course


def test_one_state_object_holds_everything(settings: Settings) -> None:
    app = create_app(settings)
    shared = app_state(app)
    assert state(request_to(app)) is shared
    assert shared.settings is settings
    with pytest.raises(AttributeError):  # opened by the lifespan, not before
        shared.storage  # noqa: B018
    with TestClient(app) as client:
        assert client.get("/login").status_code == 200
        assert app_state(client.app).storage is shared.storage


def test_a_misspelt_name_fails_at_once(settings: Settings) -> None:
    """Slots: assigning an attribute the state does not declare is refused, not kept aside."""
    shared = app_state(create_app(settings))
    with pytest.raises(AttributeError):
        shared.atempt_limits = shared.attempt_limits  # type: ignore[attr-defined]
