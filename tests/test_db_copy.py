"""`alliances db copy`: a SQLite site moves to PostgreSQL and goes on as before."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.cli import main
from server.settings import Settings
from server.storage.copy import TABLES
from tests.conftest import PASSWORD, Learner, sign_in
from tests.test_trainer import join_code, new_cohort

CERT = re.compile(r'href="/certificates/([\w-]+)"')
UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"


@pytest.fixture
def sqlite_site(tmp_path: Path, content_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings of a site on SQLite, whatever ALLIANCES_TEST_BACKEND says."""
    site = Settings(
        database=tmp_path / "var" / "site.db",
        content_dir=content_dir,
        secret_key="test-secret-" + "x" * 32,
        base_url="https://formation.example.org",
    )
    monkeypatch.setenv("ALLIANCES_DATABASE", str(site.database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", site.secret_key)
    return site


def create_user(monkeypatch: pytest.MonkeyPatch, email: str, name: str, *roles: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    args = ["create-user", email, "--name", name, "--password-stdin"]
    for role in roles:
        args += ["--role", role]
    assert main(args) == 0


def build_site(site: Settings, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """A trainer's cohort, a learner certified on the 1 h path with a reflection."""
    create_user(monkeypatch, "formatrice@example.fr", "Fanny Formatrice", "trainer")
    with TestClient(create_app(site), base_url="http://testserver") as client:
        cohort = new_cohort(sign_in(client, "formatrice@example.fr"))
        code = join_code(client, cohort)
        client.cookies.clear()
        lea = Learner(client)
        assert lea.signup(name="Léa Martin", password=PASSWORD).status_code == 303
        assert lea.post(f"/join/{code}").status_code == 303
        lea.post("/paths/1h/lecture/reflections/lecture-idee", {"answer": "Une alliance locale."})
        lea.pass_intro()
        assert lea.post("/paths/1h/lecture/done").status_code == 303
        certificate = CERT.search(client.get("/paths/1h").text)[1]  # type: ignore[index]
    return cohort, certificate


def copy(source: Path, target: str) -> int:
    return main(["db", "copy", "--from", f"sqlite:///{source}", "--to", target])


def test_a_copied_site_goes_on_on_postgresql(
    sqlite_site: Settings,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cohort, certificate = build_site(sqlite_site, monkeypatch)
    source = sqlite3.connect(sqlite_site.database)
    present = {row[0] for row in source.execute("SELECT name FROM sqlite_master")}
    expected = {
        t: source.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES if t in present
    }
    (kept_badge,) = source.execute("SELECT credential FROM badge_credentials").fetchone()
    source.close()
    tables = ("outbox", "attempts", "certificates", "reflections", "badge_credentials")
    tables += ("activity_stretches",)  # written at shutdown at the latest (activity_log.py)
    assert all(expected[t] for t in tables)

    code = copy(sqlite_site.database, postgres_url)
    out, err = capsys.readouterr()
    assert code == 0, err
    for table, count in expected.items():
        assert f"{table}: {count} row{'' if count == 1 else 's'}\n" in out
    assert "row counts verified" in out and "password" not in out

    on_postgres = replace(sqlite_site, database_url=postgres_url)
    with TestClient(create_app(on_postgres), base_url="http://testserver") as client:
        lea = Learner(client)
        assert lea.login().status_code == 303  # the same password hash
        path = client.get("/paths/1h").text
        assert CERT.search(path)[1] == certificate  # type: ignore[index]
        assert "Terminé" in path
        assert "Une alliance locale." in client.get("/plan").text
        client.cookies.clear()
        public = client.get(f"/certificates/{certificate}")
        assert public.status_code == 200 and "Léa Martin" in public.text
        assert "Attestation valide" in public.text
        # The signed credential moves as it was: no signing again, same status index.
        assert client.get(f"/certificates/{certificate}/badge.json").json() == json.loads(
            kept_badge
        )

        trainer = sign_in(client, "formatrice@example.fr")
        dashboard = client.get(f"/trainer/cohorts/{cohort}")
        assert dashboard.status_code == 200 and "Léa Martin" in dashboard.text
        # New rows take fresh ids after the copied ones: no identity clash.
        assert new_cohort(trainer, name="Promo Roubaix") == cohort + 1
        client.cookies.clear()
        newcomer = Learner(client)
        assert newcomer.signup(email="nouveau@example.fr").status_code == 303
        assert "Module réussi" in newcomer.pass_intro().text

    with psycopg.connect(postgres_url) as db:
        ids = [row[0] for row in db.execute("SELECT id FROM users ORDER BY id")]
    assert len(ids) == expected["users"] + 1 and ids[-1] == max(ids[:-1]) + 1

    assert copy(sqlite_site.database, postgres_url) == 1
    refused = capsys.readouterr().err
    assert "not empty" in refused and refused.count("\n") == 1


def test_a_table_the_copy_does_not_know_is_refused(
    sqlite_site: Settings, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(create_app(sqlite_site)):
        pass  # creates and migrates the file
    with sqlite3.connect(sqlite_site.database) as db:
        db.execute("CREATE TABLE badges (user_id INTEGER, name TEXT)")
    assert copy(sqlite_site.database, postgres_url) == 1
    err = capsys.readouterr().err
    assert "badges" in err and err.count("\n") == 1
    with psycopg.connect(postgres_url) as target:
        assert target.execute("SELECT count(*) FROM users").fetchone() == (0,)


def test_an_unreachable_server_is_one_line(
    sqlite_site: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(create_app(sqlite_site)):
        pass
    assert copy(sqlite_site.database, UNREACHABLE) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "alliances: nothing copied: cannot connect to postgresql://127.0.0.1:1/none"
    )
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("source", "target", "said"),
    [
        ("var/a.db", "sqlite:///var/b.db", "--to must be a PostgreSQL URL"),
        ("var/a.db", "postgresql://host:5432", "--to must be a PostgreSQL URL"),
        ("postgresql://h/db", "postgresql://h/db", "--from must be a SQLite file"),
        ("mysql://h/db", "postgresql://h/db", "--from must be a SQLite file"),
    ],
)
def test_bad_urls_are_one_line_and_exit_2(
    source: str, target: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "copy", "--from", source, "--to", target]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1


def test_a_missing_source_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert copy(tmp_path / "none.db", UNREACHABLE) == 1
    assert "no SQLite database at" in capsys.readouterr().err
