"""The « à froid » questionnaire by e-mail (issue #18 §3): invitation after `delay_days`, one
reminder, a single-use, expiring link that opens the questionnaire without signing in."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from starlette.testclient import TestClient

from server import clock
from server.satisfaction_mail import LINK_DAYS, REMIND_AFTER_DAYS, run_cold
from server.state import app_state
from tests import sql
from tests.test_satisfaction import completed

LINK = re.compile(r"https?://[^\s<>]+/avis/[\w-]+")


def run(client: TestClient, days_later: int) -> int:
    shared = app_state(client.app)
    moment = clock.moment() + timedelta(days=days_later)
    return client.portal.call(
        run_cold, shared.storage, shared.content.snapshot.course, shared.settings, moment
    )


def links(client: TestClient) -> list[str]:
    rows = sql.rows(
        client,
        "SELECT text_body FROM outbox WHERE subject LIKE ? ORDER BY id",
        ("%avis sur le parcours%",),
    )
    return [LINK.search(body)[0].split("/avis/", 1)[1] for (body,) in rows]  # type: ignore[index]


def test_the_invitation_waits_for_the_delay_then_is_sent_once(client, make_user) -> None:
    completed(client, make_user)
    sql.write(client, "UPDATE users SET email_confirmed_at = created_at")
    delay = app_state(client.app).content.snapshot.course.satisfaction.cold.delay_days  # type: ignore[union-attr]
    assert run(client, delay - 1) == 0
    assert run(client, delay + 1) == 1
    assert run(client, delay + 2) == 0  # once
    (token,) = links(client)
    body = sql.value(client, "SELECT text_body FROM outbox WHERE subject LIKE ?", ("%avis%",))
    assert "sans vous connecter" in body and "Rappel" not in body
    client.cookies.clear()  # weeks later, signed out
    page = client.get(f"/avis/{token}")
    assert page.status_code == 200
    assert "Avez-vous mis en œuvre ce que vous avez appris" in page.text
    assert "Non merci" not in page.text


def test_the_link_is_used_once_and_the_answer_is_anonymous(client, make_user) -> None:
    _, cohort = completed(client, make_user)
    sql.write(client, "UPDATE users SET email_confirmed_at = created_at")
    run(client, 365)
    (token,) = links(client)
    client.cookies.clear()
    page = client.get(f"/avis/{token}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]  # type: ignore[index]
    data = {"csrf_token": csrf, "q-mise-en-oeuvre": "4", "q-exemple": "Une convention signée"}
    sent = client.post(f"/avis/{token}", data=data, follow_redirects=False)
    assert sent.status_code == 303
    assert "Merci" in client.get(sent.headers["location"]).text
    rows = sql.rows(client, "SELECT path_id, cohort_id, phase, answers FROM satisfaction_answers")
    assert [(r[0], r[1], r[2]) for r in rows] == [("1h", cohort, "cold")]
    assert json.loads(rows[0][3]) == {"mise-en-oeuvre": 4, "exemple": "Une convention signée"}
    # Reused: refused, nothing more recorded.
    assert client.get(f"/avis/{token}").status_code == 404
    again = client.post(f"/avis/{token}", data=data, follow_redirects=False)
    assert again.status_code == 404
    assert int(sql.value(client, "SELECT count(*) FROM satisfaction_answers")) == 1
    assert sql.value(client, "SELECT state FROM satisfaction_asked WHERE phase = 'cold'") == (
        "answered"
    )
    assert run(client, 365 + REMIND_AFTER_DAYS + 1) == 0  # answered: no reminder


def test_one_reminder_with_a_new_link_and_links_expire(client, make_user) -> None:
    completed(client, make_user)
    sql.write(client, "UPDATE users SET email_confirmed_at = created_at")
    run(client, 365)
    # The invitation was sent long ago: the reminder is due, once.
    old = clock.stamp(clock.moment() - timedelta(days=REMIND_AFTER_DAYS + 1))
    sql.write(client, "UPDATE satisfaction_asked SET invited_at = ?", (old,))
    assert run(client, 0) == 1
    assert run(client, 1) == 0
    first, second = links(client)
    assert client.get(f"/avis/{first}").status_code == 404  # replaced by the reminder's
    assert client.get(f"/avis/{second}").status_code == 200
    reminder = sql.rows(client, "SELECT subject FROM outbox ORDER BY id DESC LIMIT 1")[0][0]
    assert reminder.startswith("Rappel")
    expired = clock.stamp(clock.moment() - timedelta(days=LINK_DAYS + 1))
    sql.write(client, "UPDATE satisfaction_asked SET reminded_at = ?", (expired,))
    assert client.get(f"/avis/{second}").status_code == 404
    assert client.get("/avis/inconnu").status_code == 404


def test_no_invitation_to_an_unconfirmed_address(client, make_user) -> None:
    completed(client, make_user)
    sql.write(client, "UPDATE users SET email_confirmed_at = NULL")
    assert run(client, 365) == 0
