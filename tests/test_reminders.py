"""Trainers reach their learners by e-mail: relances, rules, digest, invitations, opt-out.

Issue #14 §4 and its journey « reminders limited to once a week ». Messages are
only recorded in the outbox here; delivering them is the sender's business.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.content import compile_snapshot
from server.mail.compose import compose
from server.reminders import run_due_reminders
from server.settings import Settings
from server.storage import open_storage
from server.storage.records import Send
from tests.conftest import PASSWORD, Learner, sign_in
from tests.mail_server import mail_server  # noqa: F401  (the fixture)
from tests.security.site import join_code
from tests.sql import connect

TRAINER = "formatrice@example.fr"
STOP_LINK = re.compile(r"/relances/arret/([\w.-]+)")


@pytest.fixture
def cohort(client: TestClient, make_user) -> int:
    """A late cohort (due in 2000) of three learners; Léa has started, the others not."""
    return late_cohort(client, make_user)


def late_cohort(client: TestClient, make_user) -> int:
    make_user(TRAINER, "Fanny Formatrice", "trainer")
    trainer = sign_in(client, TRAINER)
    created = trainer.post(
        "/trainer/cohorts",
        {"name": "Promo Lille", "path_id": "1h", "due_date": "2000-01-01", "past_ok": "1"},
    )
    cohort_id = int(created.headers["location"].rsplit("/", 1)[1])
    code = join_code(client, cohort_id)
    for email, name in [
        ("lea@example.fr", "Léa"),
        ("paul@example.fr", "Paul"),
        ("zoe@example.fr", "Zoé"),
    ]:
        client.cookies.clear()
        person = Learner(client)
        assert person.signup(email=email, name=name, password=PASSWORD).status_code == 303
        assert person.post(f"/join/{code}").status_code == 303
    sign_in(client, "lea@example.fr").pass_intro()
    client.cookies.clear()
    return cohort_id


def sql(settings: Settings, statement: str, params: tuple = ()) -> list[tuple]:
    with connect(settings) as db:
        cursor = db.execute(statement, params)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []


def confirm_all(settings: Settings) -> None:
    sql(settings, "UPDATE users SET email_confirmed_at = created_at")


def outbox(settings: Settings, kind: str) -> list[tuple]:
    return sql(
        settings,
        "SELECT recipient, text_body, headers, cohort_id FROM outbox WHERE kind = ? ORDER BY id",
        (kind,),
    )


def relaunch(client: TestClient, cohort: int) -> str:
    """Click « Relancer les retardataires »; the counts the dashboard is sent back with."""
    response = sign_in(client, TRAINER).post(f"/trainer/cohorts/{cohort}/relances")
    assert response.status_code == 303, response.text
    return re.search(r"relances=([\d-]+)", response.headers["location"])[1]  # type: ignore[index]


def run_rules(settings: Settings, today: date, dry_run: bool = False) -> list:
    """The runner as cron runs it: its own connection to the database."""
    course = compile_snapshot(settings.content_dir).course

    async def go() -> list:
        storage = open_storage(settings)
        await storage.open()
        try:
            return await run_due_reminders(storage, course, settings, today, dry_run=dry_run)
        finally:
            await storage.close()

    return asyncio.run(go())


def test_relancer_reaches_late_confirmed_learners_at_most_once_a_week(
    client: TestClient, settings: Settings, cohort: int
) -> None:
    confirm_all(settings)
    sql(settings, "UPDATE users SET email_confirmed_at = NULL WHERE email = 'paul@example.fr'")
    sql(settings, "UPDATE users SET reminders_off = 1 WHERE email = 'zoe@example.fr'")
    assert relaunch(client, cohort) == "1-0-2"
    sent = outbox(settings, "reminder_late")
    assert [row[0] for row in sent] == ["lea@example.fr"]
    _, text, headers, cohort_id = sent[0]
    assert cohort_id == cohort and "Promo Lille" in text and "/paths/1h" in text
    assert "Fanny Formatrice" in text and "1er\u00a0janvier\u00a02000" in text
    assert json.loads(headers)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page = client.get(f"/trainer/cohorts/{cohort}?relances=1-0-2").text
    assert "1\u00a0relance envoyée" in page and "2\u00a0personnes n’ont pas pu" in page
    listed = page[page.index("Relances envoyées") :]
    assert "Léa" in listed and "en retard" in listed and "Fanny Formatrice" in listed
    assert re.search(r"<td>(en attente|envoyée)</td>", listed)  # the outbox's status

    assert relaunch(client, cohort) == "0-1-2"  # the second click sends nothing
    assert len(outbox(settings, "reminder_late")) == 1
    page = client.get(f"/trainer/cohorts/{cohort}?relances=0-1-2").text
    assert (
        "1\u00a0personne relancée il y a moins de 7\u00a0jours n’a pas été relancée de nouveau"
        in page
    )

    eight_days_ago = (datetime.now(UTC) - timedelta(days=8)).isoformat(timespec="seconds")
    sql(settings, "UPDATE reminders SET at = ?, period = '2000-01-01'", (eight_days_ago,))
    assert relaunch(client, cohort) == "1-0-2"
    assert len(outbox(settings, "reminder_late")) == 2


def test_relancer_is_for_the_cohorts_trainers_only(
    client: TestClient, settings: Settings, cohort: int, make_user
) -> None:
    make_user("autre@example.fr", "Otto Formateur", "trainer")
    confirm_all(settings)
    other = sign_in(client, "autre@example.fr")
    assert other.post(f"/trainer/cohorts/{cohort}/relances").status_code == 404
    lea = sign_in(client, "lea@example.fr")
    assert lea.post(f"/trainer/cohorts/{cohort}/relances").status_code == 403
    assert outbox(settings, "reminder_late") == []
    archived = save_rules(client, cohort, archived="1")
    assert archived.status_code == 303
    refused = sign_in(client, TRAINER).post(f"/trainer/cohorts/{cohort}/relances")
    assert refused.status_code == 409 and "archivé" in refused.text
    assert outbox(settings, "reminder_late") == []


def test_parallel_clicks_record_one_reminder(settings: Settings, cohort: int) -> None:
    """Two workers, two connections, the same learner at once: one reminder, one message."""
    confirm_all(settings)
    (lea,) = sql(settings, "SELECT id FROM users WHERE email = 'lea@example.fr'")
    moment = datetime.now(UTC)
    at, cutoff = moment.isoformat(timespec="seconds"), (moment - timedelta(days=7)).isoformat()

    async def go() -> list[list[int]]:
        workers = [open_storage(settings), open_storage(settings)]
        for worker in workers:
            await worker.open()
        try:
            sends = [
                [
                    Send(
                        lea[0],
                        "late",
                        period,
                        compose(
                            "reminder_late",
                            "lea@example.fr",
                            "Léa",
                            {
                                "cohort_name": "x",
                                "path_title": "x",
                                "path_url": "x",
                                "due_date": "x",
                                "trainer_name": "x",
                            },
                            base_url=settings.base_url,
                        ),
                    )
                ]
                for period in ("a", "b")
            ]
            return list(
                await asyncio.gather(
                    *(
                        w.record_reminders(cohort, s, at, cutoff)
                        for w, s in zip(workers, sends, strict=True)
                    )
                )
            )
        finally:
            for worker in workers:
                await worker.close()

    results = asyncio.run(go())
    assert sorted(map(len, results)) == [0, 1]
    assert len(outbox(settings, "reminder_late")) == 1
    assert sql(settings, "SELECT count(*) FROM reminders WHERE outbox_id IS NOT NULL") == [(1,)]


def save_rules(client: TestClient, cohort: int, **fields: str):
    data = {"name": "Promo Lille", "due_date": "2000-01-01", **fields}
    return sign_in(client, TRAINER).post(f"/trainer/cohorts/{cohort}/settings", data)


def test_settings_form_saves_the_rules_and_refuses_nonsense(
    client: TestClient, settings: Settings, cohort: int
) -> None:
    bad = save_rules(client, cohort, remind_inactive_days="-3")
    assert bad.status_code == 400 and "entre 1 et 365" in bad.text
    assert save_rules(client, cohort, remind_inactive_days="0").status_code == 400
    done = save_rules(
        client, cohort, remind_not_started_days="3", remind_before_due_days="", remind_digest="1"
    )
    assert done.status_code == 303
    row = sql(
        settings,
        "SELECT remind_not_started_days, remind_inactive_days, remind_before_due_days,"
        " remind_digest FROM cohorts WHERE id = ?",
        (cohort,),
    )
    assert row == [(3, None, None, 1)]
    page = client.get(f"/trainer/cohorts/{cohort}").text
    assert 'id="remind_not_started_days" name="remind_not_started_days"' in page
    assert re.search(r'id="remind_digest"[^>]*checked', page)


def test_rules_fire_once_per_period_and_never_for_those_who_refused(
    client: TestClient, settings: Settings, cohort: int
) -> None:
    assert save_rules(client, cohort, remind_not_started_days="2").status_code == 303
    confirm_all(settings)
    sql(settings, "UPDATE users SET reminders_off = 1 WHERE email = 'zoe@example.fr'")
    today = date.today()
    assert run_rules(settings, today) == []  # joined today: not yet 2 days
    later = today + timedelta(days=3)
    assert [p.to for p in run_rules(settings, later, dry_run=True)] == ["paul@example.fr"]
    assert outbox(settings, "reminder_not_started") == []  # a dry run records nothing
    planned = run_rules(settings, later)
    assert [(p.rule, p.to) for p in planned] == [("not_started", "paul@example.fr")]
    (text,) = [row[1] for row in outbox(settings, "reminder_not_started")]
    assert "il y a 3\u00a0jours" in text and STOP_LINK.search(text)
    assert run_rules(settings, later) == []  # the same day again
    assert run_rules(settings, later + timedelta(days=8)) == []  # same period: once per joining

    # Unconfirmed and deleted accounts get nothing either.
    sql(settings, "DELETE FROM reminders")
    sql(settings, "UPDATE users SET email_confirmed_at = NULL WHERE email = 'paul@example.fr'")
    assert run_rules(settings, later) == []
    sql(settings, "UPDATE users SET email_confirmed_at = created_at, deleted_at = created_at")
    assert run_rules(settings, later) == []


def test_inactive_and_due_date_rules(client: TestClient, settings: Settings, cohort: int) -> None:
    due = (date.today() + timedelta(days=10)).isoformat()
    trainer = sign_in(client, TRAINER)
    response = trainer.post(
        f"/trainer/cohorts/{cohort}/settings",
        {
            "name": "Promo Lille",
            "due_date": due,
            "remind_inactive_days": "5",
            "remind_before_due_days": "3",
        },
    )
    assert response.status_code == 303
    confirm_all(settings)
    today = date.today()
    assert [(p.rule, p.to) for p in run_rules(settings, today + timedelta(days=6))] == [
        ("inactive", "lea@example.fr")
    ]
    # Three days before the due date: everybody unfinished, but Léa was reminded this week.
    due_soon = run_rules(settings, today + timedelta(days=8))
    assert sorted(p.to for p in due_soon) == ["paul@example.fr", "zoe@example.fr"]
    assert all(p.rule == "before_due" for p in due_soon)
    assert "dans 2\u00a0jours" in outbox(settings, "reminder_before_due")[0][1]


def test_weekly_digest_once_per_iso_week_with_its_own_opt_out(
    client: TestClient, settings: Settings, cohort: int
) -> None:
    assert save_rules(client, cohort, remind_digest="1").status_code == 303
    confirm_all(settings)
    monday = date(2030, 1, 7)  # ISO week 2030-W02
    assert [(p.rule, p.to) for p in run_rules(settings, monday)] == [("digest", TRAINER)]
    assert run_rules(settings, monday + timedelta(days=4)) == []  # same ISO week
    (digest,) = outbox(settings, "digest")
    text = digest[1]
    assert "Promo Lille" in text and "Léa" in text and "Paul" in text and "en retard" in text
    assert "autres, sur le tableau de bord" not in text
    assert sql(settings, "SELECT period, cohort_id FROM reminders") == [("2030-W02", None)]
    assert len(run_rules(settings, monday + timedelta(days=7))) == 1  # the next week
    token = STOP_LINK.search(text)[1]  # type: ignore[index]
    client.cookies.clear()
    assert client.post(f"/relances/arret/{token}").status_code == 200
    assert sql(
        settings, "SELECT digest_off, reminders_off FROM users WHERE email = ?", (TRAINER,)
    ) == [(1, 0)]
    assert run_rules(settings, monday + timedelta(days=14)) == []


def test_unsubscribe_without_signing_in(
    client: TestClient, settings: Settings, cohort: int
) -> None:
    confirm_all(settings)
    relaunch(client, cohort)
    text = outbox(settings, "reminder_late")[0][1]
    url = "/relances/arret/" + STOP_LINK.search(text)[1]  # type: ignore[index]
    assert url in json.loads(outbox(settings, "reminder_late")[0][2])["List-Unsubscribe"]
    client.cookies.clear()
    page = client.get(url)
    assert page.status_code == 200 and "Ne plus recevoir de relances" in page.text
    assert sql(settings, "SELECT reminders_off FROM users WHERE email = 'lea@example.fr'") == [(0,)]
    # RFC 8058: the mail client posts `List-Unsubscribe=One-Click`, with no cookie at all.
    done = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Relances arrêtées" in done.text
    assert "Recevoir de nouveau les relances" in done.text  # how to turn them back on
    assert sql(settings, "SELECT reminders_off FROM users WHERE email = 'lea@example.fr'") == [(1,)]
    for forged in (url[:-3] + "abc", "/relances/arret/" + "x" * 300, "/relances/arret/WzEsInIiXQ"):
        for method in ("GET", "POST"):
            response = client.request(method, forged)
            assert response.status_code == 404 and "n’est pas valable" in response.text
    back = client.post(url, data={"action": "reprendre"})
    assert back.status_code == 200 and "les relances par courriel reprennent" in back.text
    assert sql(settings, "SELECT reminders_off FROM users WHERE email = 'lea@example.fr'") == [(0,)]
    sql(settings, "UPDATE users SET reminders_off = 1")
    lea = sign_in(client, "lea@example.fr")
    assert lea.post("/compte/relances", {"reminders": "1"}).status_code == 303
    assert sql(settings, "SELECT reminders_off FROM users WHERE email = 'lea@example.fr'") == [(0,)]
    account = client.get("/compte").text
    assert re.search(r'id="reminders"[^>]*checked', account)
    assert "Votre choix pour les relances" in client.get("/compte?fait=relances").text
    assert lea.post("/compte/relances", {}).status_code == 303  # unticked: off
    assert sql(settings, "SELECT reminders_off FROM users WHERE email = 'lea@example.fr'") == [(1,)]
    assert not re.search(r'id="reminders"[^>]*checked', client.get("/compte").text)


def import_csv(client: TestClient, cohort: int, text: str, **extra: str) -> str:
    trainer = sign_in(client, TRAINER)
    url = f"/trainer/cohorts/{cohort}/import"
    preview = client.post(
        url,
        data={"csrf_token": trainer.token},
        files={"file": ("liste.csv", text.encode("utf-8"), "text/csv")},
    )
    assert preview.status_code == 200, preview.text
    assert "Envoyer une invitation par courriel à chaque nouvelle personne" in preview.text
    payload = re.search(r'name="payload" value="([^"]*)"', preview.text)[1]  # type: ignore[index]
    done = trainer.post(url + "/confirm", {"payload": payload, **extra})
    assert done.status_code == 303
    return done.headers["location"]


def test_import_sends_invitations_only_when_asked(
    client: TestClient, settings: Settings, cohort: int
) -> None:
    import_csv(client, cohort, "email;nom\nana@example.fr;Ana\n")
    assert outbox(settings, "invitation") == []
    where = import_csv(
        client,
        cohort,
        "email;nom\nana@example.fr;Ana\nbob@example.fr;Bob\nlea@example.fr;Léa\n",
        send_email="1",
    )
    assert "courriels=1" in where
    (message,) = outbox(settings, "invitation")
    recipient, text, _, cohort_id = message
    assert recipient == "bob@example.fr" and cohort_id == cohort
    assert "Promo Lille" in text and "Fanny Formatrice" in text and "/mes-formations" in text
    assert "/join/" in text and "1er\u00a0janvier\u00a02000" in text
    page = client.get(f"/trainer/cohorts/{cohort}?{where.split('?')[1]}").text
    assert "1\u00a0message d’invitation enregistré" in page
    assert "Jamais envoyé" in page  # Ana
    assert re.search(r"(En attente|Envoyée) \(", page)  # Bob: the sender may have been quick


def test_send_an_invitation_at_most_once_a_day(
    client: TestClient, settings: Settings, cohort: int
) -> None:
    import_csv(client, cohort, "email;nom\nana@example.fr;Ana\n")
    trainer = sign_in(client, TRAINER)
    url = f"/trainer/cohorts/{cohort}/invitations/envoi"
    page = client.get(f"/trainer/cohorts/{cohort}").text
    assert "Envoyer l’invitation" in page
    assert trainer.post(url, {"email": "ANA@example.fr"}).status_code == 303
    again = trainer.post(url, {"email": "ana@example.fr"})
    assert again.status_code == 429 and "moins de 24\u00a0heures" in again.text
    assert trainer.post(url, {"email": "inconnu@example.fr"}).status_code == 404
    assert len(outbox(settings, "invitation")) == 1
    assert "Renvoyer" in client.get(f"/trainer/cohorts/{cohort}").text
    yesterday = (datetime.now(UTC) - timedelta(hours=25)).isoformat(timespec="seconds")
    sql(settings, "UPDATE outbox SET created_at = ?", (yesterday,))
    assert trainer.post(url, {"email": "ana@example.fr"}).status_code == 303
    assert len(outbox(settings, "invitation")) == 2


def test_cli_runs_the_rules(
    client: TestClient, settings: Settings, cohort: int, monkeypatch, capsys
) -> None:
    from server.cli import main

    assert save_rules(client, cohort, remind_digest="1").status_code == 303
    confirm_all(settings)
    monkeypatch.setenv("ALLIANCES_DATABASE", settings.database_url or str(settings.database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("ALLIANCES_CONTENT_DIR", str(Path(settings.content_dir)))
    assert main(["reminders", "run", "--dry-run"]) == 0
    assert TRAINER in capsys.readouterr().out
    assert outbox(settings, "digest") == []
    assert main(["reminders", "run"]) == 0
    assert main(["reminders", "run"]) == 0
    assert len(outbox(settings, "digest")) == 1


def test_journey_reminders_reach_the_smtp_server_at_most_once_a_week(
    settings: Settings,
    make_user,
    mail_server,  # noqa: F811
) -> None:
    """Issue #14's journey: « Relancer » → the message over SMTP → not again within a week
    → again after it → the one-click unsubscribe of its header → never again."""
    smtp = replace(settings, smtp_url=mail_server.url)
    with TestClient(create_app(smtp), base_url="http://testserver") as client:
        cohort = late_cohort(client, make_user)
        confirm_all(settings)

        def reminders_to_lea() -> list:
            return [
                m
                for m in mail_server.messages
                if "attend d’être terminé" in str(m["Subject"]) and "lea@" in str(m["To"])
            ]

        def wait_for(count: int) -> list:
            deadline = time.monotonic() + 10
            while len(reminders_to_lea()) < count and time.monotonic() < deadline:
                time.sleep(0.05)
            return reminders_to_lea()

        assert relaunch(client, cohort) == "3-0-0"
        (message,) = wait_for(1)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = str(message["List-Unsubscribe"]).strip("<>")
        assert unsubscribe.startswith(settings.base_url + "/relances/arret/")
        assert "Promo Lille" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]

        assert relaunch(client, cohort) == "0-3-0"  # the same week: nobody
        time.sleep(0.5)
        assert len(reminders_to_lea()) == 1

        eight_days_ago = (datetime.now(UTC) - timedelta(days=8)).isoformat(timespec="seconds")
        sql(settings, "UPDATE reminders SET at = ?, period = '2000-01-01'", (eight_days_ago,))
        assert relaunch(client, cohort) == "3-0-0"  # a week later: again
        assert len(wait_for(2)) == 2

        client.cookies.clear()  # a mail client: no cookie, no form token
        one_click = client.post(
            unsubscribe.removeprefix(settings.base_url), data={"List-Unsubscribe": "One-Click"}
        )
        assert one_click.status_code == 200
        sql(settings, "UPDATE reminders SET at = ?, period = 'old-' || id", (eight_days_ago,))
        assert relaunch(client, cohort) == "2-0-1"  # Léa no longer; the others yes
        time.sleep(0.5)
        assert len(reminders_to_lea()) == 2


def test_the_server_runs_the_rules_itself(
    client: TestClient, settings: Settings, cohort: int, monkeypatch
) -> None:
    """The lifespan's task: a server started with a digest due records it on its own."""
    assert save_rules(client, cohort, remind_digest="1").status_code == 303
    confirm_all(settings)
    monkeypatch.setattr("server.reminders.FIRST_RUN_SECONDS", 0)
    with TestClient(create_app(settings), base_url="http://testserver"):
        deadline = time.monotonic() + 10
        while not outbox(settings, "digest") and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [row[0] for row in outbox(settings, "digest")] == [TRAINER]
