"""Measured time from the pages (issue #18 §2): module requests noted without a round
trip and written in batches, the visible page's heartbeat, the script that sends it."""

from __future__ import annotations

import re
from datetime import timedelta

from starlette.testclient import TestClient

from server import clock
from server.state import app_state
from tests.conftest import Learner
from tests.sql import rows, write

PRESENCE = re.compile(r'<form id="presence" hidden method="post" action="([^"]+)">')


def flush(client: TestClient) -> None:
    shared = app_state(client.app)
    client.portal.call(shared.activity.flush, shared.storage)  # type: ignore[union-attr]


def stretches(client: TestClient) -> list[tuple]:
    return rows(client, "SELECT module_id, started_at, last_at FROM activity_stretches")


def test_module_pages_and_reflections_make_stretches(client: TestClient, learner: Learner) -> None:
    assert client.get("/paths/1h/intro").status_code == 200
    assert client.get("/paths/1h/intro").status_code == 200
    assert stretches(client) == []  # noted in memory: the page made no write of its own
    flush(client)
    ((module, started, last),) = stretches(client)
    assert module == "intro" and started <= last
    learner.post("/paths/1h/lecture/reflections/lecture-idee", {"answer": "Une idée."})
    flush(client)
    assert sorted(row[0] for row in stretches(client)) == ["intro", "lecture"]


def test_the_heartbeat_extends_the_page_s_stretch(client: TestClient, learner: Learner) -> None:
    page = client.get("/paths/1h/intro").text
    action = PRESENCE.search(page)[1]  # type: ignore[index]
    assert action == "/paths/1h/intro/presence"
    flush(client)
    two_minutes_ago = clock.stamp(clock.moment() - timedelta(minutes=2))
    write(
        client, "UPDATE activity_stretches SET started_at = ?, last_at = ?", (two_minutes_ago,) * 2
    )
    assert learner.post(action).status_code == 204
    ((last,),) = rows(client, "SELECT last_at FROM activity_stretches")
    assert last > two_minutes_ago
    again = learner.post(action)
    assert again.status_code == 429 and int(again.headers["retry-after"]) > 0


def test_a_heartbeat_never_starts_a_stretch(client: TestClient, learner: Learner) -> None:
    assert learner.post("/paths/1h/intro/presence").status_code == 204
    flush(client)
    assert stretches(client) == []


def test_a_heartbeat_past_the_idle_cutoff_extends_nothing(
    client: TestClient, learner: Learner
) -> None:
    client.get("/paths/1h/intro")
    flush(client)
    long_ago = clock.stamp(clock.moment() - timedelta(minutes=11))
    write(client, "UPDATE activity_stretches SET started_at = ?, last_at = ?", (long_ago,) * 2)
    assert learner.post("/paths/1h/intro/presence").status_code == 204
    assert rows(client, "SELECT last_at FROM activity_stretches") == [(long_ago,)]


def test_the_heartbeat_wants_a_session_and_a_form_token(client: TestClient) -> None:
    assert Learner(client).post("/paths/1h/intro/presence").status_code == 401
    forged = client.post("/paths/1h/intro/presence", data={"csrf_token": "x"})
    assert forged.status_code in (400, 403)
    assert Learner(client).post("/paths/1h/nowhere/presence").status_code == 404


def test_the_page_loads_the_heartbeat_script(client: TestClient, learner: Learner) -> None:
    page = client.get("/paths/1h/intro").text
    script = re.search(r'<script src="(/static/presence\.js\?v=[0-9a-f]{12})" defer>', page)
    assert script
    body = client.get(script[1]).text
    assert "visibilityState" in body and "60000" in body
