"""Personal data in the learner's own hands: the export, the deletion, retention, inactivity."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.cli import main
from server.settings import Settings
from server.state import app_state
from tests import sql
from tests.conftest import PASSWORD, Learner, sign_in
from tests.test_trainer import join_code, new_cohort

CERT = re.compile(r'href="/certificates/([\w-]+)"')


def db(settings: Settings) -> Any:
    return sql.connect(settings)


def count(settings: Settings, sql: str, *params: object) -> int:
    with db(settings) as conn:
        return conn.execute(sql, params).fetchone()[0]


@pytest.fixture
def world(client: TestClient, make_user) -> dict:
    """Léa, in Fanny's cohort, passed the 1 h path (certificate), wrote a reflection;
    a pending invitation to another cohort waits for her address."""
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    trainer = sign_in(client, "formatrice@example.fr")
    cohort = new_cohort(trainer, name="Promo Lille")
    other = new_cohort(trainer, name="Promo Douai")
    code = join_code(client, cohort)
    with db(trainer_settings(client)) as conn:
        conn.execute(
            "INSERT INTO invitations (cohort_id, email, name, created_at)"
            " VALUES (?, 'lea@example.fr', 'Léa', '2026-01-01')",
            (other,),
        )
    client.cookies.clear()
    lea = Learner(client)
    assert lea.signup().status_code == 303
    assert lea.post(f"/join/{code}").status_code == 303
    lea.pass_intro()
    lea.post("/paths/1h/lecture/reflections/lecture-idee", {"answer": "Mon idée secrète"})
    lea.post("/paths/1h/lecture/done")
    certificate = CERT.search(client.get("/paths/1h").text)[1]  # type: ignore[index]
    return {"cohort": cohort, "other": other, "certificate": certificate, "lea": lea}


def trainer_settings(client: TestClient) -> Settings:
    return app_state(client.app).settings


def export(client: TestClient, learner: Learner) -> zipfile.ZipFile:
    response = learner.post("/compte/donnees")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return zipfile.ZipFile(io.BytesIO(response.content))


def delete(learner: Learner, password: str = PASSWORD):
    return learner.post("/compte/supprimer", {"password": password})


# -- the export -------------------------------------------------------------------


def test_the_export_holds_what_was_recorded_and_no_secret(client: TestClient, world) -> None:
    page = client.get("/compte/donnees")
    assert page.status_code == 200 and "Télécharger mes données" in page.text
    archive = export(client, world["lea"])
    badge = f"badges/{world['certificate']}.json"
    assert set(archive.namelist()) == {"donnees.json", "resume.html", "LISEZMOI.txt", badge}
    data = json.loads(archive.read("donnees.json"))
    assert data["profile"]["email"] == "lea@example.fr"
    assert data["profile"]["name"] == "Léa Martin"
    assert {a["module_id"] for a in data["attempts"]} == {"intro"}
    answers = data["attempts"][0]["answers"]
    assert answers["intro-acteurs"] == ["a", "b"] and answers["intro-mode"] == ["a"]
    assert data["reflections"][0]["answer"] == "Mon idée secrète"
    assert data["certificates"][0]["id"] == world["certificate"]
    assert [c["name"] for c in data["cohorts"]] == ["Promo Lille"]
    assert [i["cohort"] for i in data["invitations"]] == ["Promo Douai"]
    assert {e["path_id"] for e in data["enrolments"]} == {"1h"}
    assert data["sessions"] and "token_hash" not in data["sessions"][0]
    raw = archive.read("donnees.json").decode()
    with db(trainer_settings(client)) as conn:
        secrets = [row[0] for row in conn.execute("SELECT token_hash FROM sessions")]
        secrets += [row[0] for row in conn.execute("SELECT password_hash FROM users")]
    assert secrets and not any(secret in raw for secret in secrets)
    assert "password" not in raw
    summary = archive.read("resume.html").decode()
    assert '<html lang="fr">' in summary and "Mon idée secrète" in summary
    assert "Promo Lille" in summary and "<link" not in summary and "<script" not in summary


def test_the_export_holds_the_signed_badge_and_the_measured_time(client: TestClient, world) -> None:
    """The Open Badges credential as signed (issue #16), in donnees.json and alone in badges/;
    the working stretches (issue #18 §2) in the summary too, with how they are counted."""
    archive = export(client, world["lea"])
    data = json.loads(archive.read("donnees.json"))
    with db(trainer_settings(client)) as conn:
        (stored,) = conn.execute(
            "SELECT credential FROM badge_credentials WHERE certificate_id = ?",
            (world["certificate"],),
        ).fetchone()
    (badge,) = data["badges"]
    assert badge["certificate_id"] == world["certificate"]
    assert badge["credential"] == json.loads(stored) and badge["credential"]["proof"]
    alone = json.loads(archive.read(f"badges/{world['certificate']}.json"))
    assert alone == json.loads(stored)
    assert {a["module_id"] for a in data["activity"]} >= {"intro", "lecture"}
    summary = archive.read("resume.html").decode()
    assert "Badges numériques" in summary and f"badges/{world['certificate']}.json" in summary
    assert "Temps de travail mesuré" in summary and "Temps mesuré par module" in summary
    assert "10 minutes sans activité" in summary  # the method, as in the relevé
    assert "Questionnaires de satisfaction" in summary
    assert "Certificats de réalisation" in summary and "Questions aux formateurs" in summary
    readme = archive.read("LISEZMOI.txt").decode()
    assert "badges/" in readme and "badges (" in readme


def test_the_export_needs_a_session_and_a_form(client: TestClient) -> None:
    assert client.get("/compte/donnees", follow_redirects=False).status_code == 303
    Learner(client).signup()
    forged = client.post("/compte/donnees", data={"csrf_token": "x"})
    assert forged.status_code == 403 and forged.headers["content-type"].startswith("text/html")


# -- the deletion -----------------------------------------------------------------


def test_a_wrong_or_missing_password_deletes_nothing(client: TestClient, world) -> None:
    page = client.get("/compte/supprimer")
    assert page.status_code == 200 and 'autocomplete="current-password"' in page.text
    wrong = delete(world["lea"], "pas le bon mot de passe")
    assert wrong.status_code == 400
    assert 'aria-describedby="password-error"' in wrong.text
    assert "Mot de passe incorrect" in wrong.text
    assert delete(world["lea"], "").status_code == 400
    assert world["lea"].post("/compte/supprimer").status_code == 400
    settings = trainer_settings(client)
    assert count(settings, "SELECT count(*) FROM users WHERE deleted_at IS NOT NULL") == 0
    assert count(settings, "SELECT count(*) FROM reflections") == 1
    assert client.get("/compte").status_code == 200  # still signed in


def test_deletion_erases_the_account_and_keeps_a_nameless_trace(client: TestClient, world) -> None:
    settings = trainer_settings(client)
    response = delete(world["lea"])
    assert response.status_code == 200
    assert "Votre compte a été supprimé" in response.text
    assert client.get("/compte", follow_redirects=False).status_code == 303  # signed out
    # The public certificate page says revoked, without the name.
    page = client.get(f"/certificates/{world['certificate']}").text
    assert "Attestation révoquée" in page and "retirée à la demande de son titulaire" in page
    assert "Léa" not in page
    assert client.get(f"/certificates/{world['certificate']}.pdf").status_code == 404
    # What is gone, and the tombstone.
    for table in ("sessions", "reflections", "attempts", "progress", "enrolments"):
        assert count(settings, f"SELECT count(*) FROM {table} WHERE user_id = 2") == 0, table
    assert count(settings, "SELECT count(*) FROM invitations") == 0
    with db(settings) as conn:
        email, name, password, purge = conn.execute(
            "SELECT email, name, password_hash, purge_after FROM users WHERE id = 2"
        ).fetchone()
    assert (email, name, password, purge) == ("supprime-2@invalid", "", "!", None)
    # The trainer sees « compte supprimé »; the exports no longer list her.
    sign_in(client, "formatrice@example.fr")
    dashboard = client.get(f"/trainer/cohorts/{world['cohort']}").text
    assert "compte supprimé" in dashboard and "Léa" not in dashboard
    assert client.get(f"/trainer/cohorts/{world['cohort']}/learners/2").status_code == 404
    exported = client.get(f"/trainer/cohorts/{world['cohort']}/export.csv").text
    assert "lea@example.fr" not in exported and "supprime-" not in exported
    assert len(exported.strip().splitlines()) == 1  # the header alone
    api = client.get(f"/api/cohorts/{world['cohort']}/progress").json()
    assert api["learners"] == []


def test_the_address_can_sign_up_again_as_a_new_account(client: TestClient, world) -> None:
    delete(world["lea"])
    client.cookies.clear()
    assert Learner(client).login().status_code == 400  # the old account is gone
    again = Learner(client)
    assert again.signup(name="Léa Nouvelle").status_code == 303
    assert "Mon idée secrète" not in client.get("/plan").text
    data = json.loads(export(client, again).read("donnees.json"))
    assert data["attempts"] == [] and data["certificates"] == [] and data["cohorts"] == []


def test_a_trainer_is_deleted_and_the_cohort_stays(client: TestClient, world) -> None:
    trainer = sign_in(client, "formatrice@example.fr")
    assert delete(trainer).status_code == 200
    settings = trainer_settings(client)
    assert count(settings, "SELECT count(*) FROM cohorts") == 2
    assert count(settings, "SELECT count(*) FROM user_roles WHERE user_id = 1") == 0
    assert count(settings, "SELECT count(*) FROM role_changes WHERE action = 'revoke'") == 1
    assert count(settings, "SELECT count(*) FROM cohort_members") == 1  # Léa stays in it


def test_the_only_admin_cannot_delete_the_account(client: TestClient, make_user) -> None:
    make_user("admin@example.fr", "Ada Admin", "admin")
    ada = sign_in(client, "admin@example.fr")
    assert "seul administrateur" in client.get("/compte/supprimer").text
    assert delete(ada).status_code == 409
    make_user("admin2@example.fr", "Alan Admin", "admin")
    assert "seul administrateur" not in client.get("/compte/supprimer").text
    assert delete(ada).status_code == 200


# -- retention --------------------------------------------------------------------


@pytest.fixture
def kept(settings: Settings) -> Settings:
    return replace(settings, retention_days=365)


def test_with_retention_records_are_kept_pseudonymised_then_purged(
    kept: Settings, make_user
) -> None:
    with TestClient(create_app(kept), base_url="http://testserver") as client:
        lea = Learner(client)
        lea.signup()
        lea.pass_intro()
        lea.post("/paths/1h/lecture/reflections/lecture-idee", {"answer": "Mon idée"})
        page = client.get("/compte/supprimer").text
        assert "1\u00a0an" in page and "jusqu’au" in page
        assert delete(lea).status_code == 200
    with db(kept) as conn:
        name, email, purge = conn.execute(
            "SELECT name, email, purge_after FROM users WHERE id = 1"
        ).fetchone()
    assert (name, email) == ("", "supprime-1@invalid")
    until = datetime.fromisoformat(purge)
    assert timedelta(days=364) < until - datetime.now(UTC) <= timedelta(days=365)
    assert count(kept, "SELECT count(*) FROM attempts WHERE user_id = 1") == 1
    assert count(kept, "SELECT count(*) FROM progress WHERE user_id = 1") >= 1
    assert count(kept, "SELECT count(*) FROM reflections") == 0
    # Not due yet: a start-up purges nothing; once due, the next start-up does.
    with TestClient(create_app(kept)):
        pass
    assert count(kept, "SELECT count(*) FROM attempts") == 1
    with db(kept) as conn:
        conn.execute("UPDATE users SET purge_after = '2000-01-01T00:00:00+00:00'")
    with TestClient(create_app(kept)):
        # The purge is a start-up task: give it the moment it takes on either backend.
        deadline = time.monotonic() + 5
        while count(kept, "SELECT count(*) FROM attempts") and time.monotonic() < deadline:
            time.sleep(0.05)
    for table in ("attempts", "progress", "enrolments"):
        assert count(kept, f"SELECT count(*) FROM {table}") == 0, table
    assert count(kept, "SELECT count(*) FROM users WHERE purge_after IS NOT NULL") == 0


def test_the_personal_data_page_states_the_periods(client: TestClient, kept: Settings) -> None:
    page = client.get("/donnees-personnelles").text
    assert "3\u00a0ans sans connexion" in page
    assert 'href="/compte/donnees"' in page and 'href="/compte/supprimer"' in page
    assert "à compléter" not in page.split("Durée de conservation")[1].split("Vos droits")[0]
    with TestClient(create_app(kept)) as other:
        assert (
            "conservée <strong>sans nom ni adresse</strong> pendant 1\u00a0an"
            in other.get("/donnees-personnelles").text
        )


def test_retention_and_inactivity_settings_are_read_and_checked() -> None:
    env = {"ALLIANCES_SECRET_KEY": "k" * 40, "ALLIANCES_DATABASE": "/tmp/x/y.db"}
    settings = Settings.from_env(env)
    assert (settings.retention_days, settings.inactive_days) == (0, 1095)
    settings = Settings.from_env(
        env | {"ALLIANCES_RETENTION_DAYS": "1825", "ALLIANCES_INACTIVE_DAYS": "730"}
    )
    assert (settings.retention_days, settings.inactive_days) == (1825, 730)
    for bad in ({"ALLIANCES_RETENTION_DAYS": "-1"}, {"ALLIANCES_INACTIVE_DAYS": "deux ans"}):
        with pytest.raises(ValueError, match="whole number of days"):
            Settings.from_env(env | bad)


# -- inactive accounts ------------------------------------------------------------


def age(settings: Settings, email: str, days: int) -> None:
    seen = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with db(settings) as conn:
        conn.execute(
            "UPDATE users SET last_seen_at = ?, created_at = ? WHERE email = ?",
            (seen, seen, email),
        )


def purge(capsys, *args: str) -> str:
    assert main(["purge-inactive", "--days", "100", *args]) == 0
    return capsys.readouterr().out


@pytest.fixture
def sleepers(client: TestClient, make_user, settings: Settings) -> None:
    """Léa unseen for 80 days, Ada (admin) for 500, Paul seen today."""
    make_user("admin@example.fr", "Ada Admin", "admin")
    make_user("paul@example.fr", "Paul Présent")
    Learner(client).signup()
    age(settings, "lea@example.fr", 80)
    age(settings, "admin@example.fr", 500)


def test_purge_inactive_warns_then_deletes_after_30_days(
    client: TestClient, sleepers, settings: Settings, capsys
) -> None:
    dry = purge(capsys, "--dry-run")
    assert "would warn lea@example.fr" in dry and "admin@" not in dry and "paul@" not in dry
    warnings = "SELECT count(*) FROM outbox WHERE kind = 'inactivity_warning'"
    assert count(settings, warnings) == 0
    assert count(settings, "SELECT count(*) FROM users WHERE inactivity_warned_at IS NOT NULL") == 0
    assert purge(capsys).strip().startswith("warned 1, deleted 0")
    with db(settings) as conn:
        kind, recipient, subject = conn.execute(
            "SELECT kind, recipient, subject FROM outbox WHERE kind = 'inactivity_warning'"
        ).fetchone()
    assert (kind, recipient) == ("inactivity_warning", "lea@example.fr")
    assert "sera supprimé" in subject
    assert purge(capsys).startswith("warned 0, deleted 0")  # warned once, not deleted yet
    with db(settings) as conn:  # 30 days later, still unseen
        conn.execute(
            "UPDATE users SET inactivity_warned_at = ? WHERE email = 'lea@example.fr'",
            ((datetime.now(UTC) - timedelta(days=31)).isoformat(timespec="seconds"),),
        )
    dry = purge(capsys, "--dry-run")
    assert "would delete lea@example.fr" in dry
    assert count(settings, "SELECT count(*) FROM users WHERE deleted_at IS NOT NULL") == 0
    assert purge(capsys).startswith("warned 0, deleted 1")
    assert count(settings, "SELECT count(*) FROM users WHERE email = 'lea@example.fr'") == 0
    mine = "SELECT count(*) FROM outbox WHERE recipient = 'lea@example.fr'"
    assert count(settings, mine) == 0  # her messages went with her
    assert count(settings, "SELECT count(*) FROM users WHERE deleted_at IS NOT NULL") == 1


def test_an_lti_account_is_warned_at_the_address_its_platform_gave(
    client: TestClient, sleepers, settings: Settings, capsys
) -> None:
    """Its own address is a placeholder nothing reaches (issue #17): warned there, it
    would be deleted 30 days later without having been told."""
    with db(settings) as conn:
        (user_id,) = conn.execute("SELECT id FROM users WHERE email = 'lea@example.fr'").fetchone()
        conn.execute("UPDATE users SET email = 'lti-0a1b@lti.invalid' WHERE id = ?", (user_id,))
        conn.execute(
            "INSERT INTO lti_accounts (issuer, subject, user_id, email, created_at)"
            " VALUES ('https://moodle.example.net', 'u-7', ?, 'lea.moodle@example.fr', ?)",
            (user_id, datetime.now(UTC).isoformat(timespec="seconds")),
        )
    assert purge(capsys).strip().startswith("warned 1, deleted 0")
    with db(settings) as conn:
        (recipient,) = conn.execute(
            "SELECT recipient FROM outbox WHERE kind = 'inactivity_warning'"
        ).fetchone()
    assert recipient == "lea.moodle@example.fr"


def test_signing_in_voids_the_warning(client: TestClient, sleepers, settings, capsys) -> None:
    purge(capsys)
    with db(settings) as conn:
        conn.execute(
            "UPDATE users SET inactivity_warned_at = ? WHERE email = 'lea@example.fr'",
            ((datetime.now(UTC) - timedelta(days=31)).isoformat(timespec="seconds"),),
        )
    client.cookies.clear()
    assert Learner(client).login().status_code == 303
    assert count(settings, "SELECT count(*) FROM users WHERE inactivity_warned_at IS NOT NULL") == 0
    assert purge(capsys).startswith("warned 0, deleted 0")


def test_purge_inactive_refuses_a_period_shorter_than_the_warning(make_user, capsys) -> None:
    make_user("x@example.fr", "X")  # sets the environment to the test database
    assert main(["purge-inactive", "--days", "30"]) == 2


def test_the_warning_message_reads_well(settings: Settings) -> None:
    from server.mail.compose import compose

    message = compose(
        "inactivity_warning",
        "lea@example.fr",
        "Léa",
        {
            "deadline": "27\u00a0décembre\u00a02026",
            "last_seen": "1er\u00a0janvier\u00a02024",
            "period": "3\u00a0ans",
            "login_url": "https://formation.example.org/login",
            "data_url": "https://formation.example.org/compte/donnees",
        },
        base_url="https://formation.example.org",
    )
    assert "27 décembre 2026" in message.subject  # a subject is one line of plain spaces
    assert "<https://formation.example.org/login>" in message.text
    assert " :" not in message.text and "\u00a0:" in message.text
