"""The `alliances` command line: check, its JSON, and serve's fail-fast settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.cli import main
from tests.conftest import FIXTURE_COURSE


def test_check_valid_course(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(FIXTURE_COURSE)]) == 0
    assert "Contenu valide : 4 modules" in capsys.readouterr().err


def test_check_strict_fails_on_warnings() -> None:
    assert main(["check", "--strict", str(FIXTURE_COURSE)]) == 1  # fixture durations are short


def test_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--json", str(FIXTURE_COURSE)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "Cours d'essai"
    assert data["paths"][0] == {
        "id": "1h",
        "title": "Découvrir",
        "target_minutes": 6,
        "total_minutes": 6,
        "modules": ["intro", "lecture"],
    }
    intro = next(m for m in data["modules"] if m["id"] == "intro")
    assert intro["questions"][1]["kind"] == "multiple"
    assert intro["questions"][1]["choices"][2] == {"id": "c", "correct": False}
    lecture = next(m for m in data["modules"] if m["id"] == "lecture")
    assert lecture["reflections"] == [{"id": "lecture-idee", "minutes": 2}]


def test_check_invalid_course_lists_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "a.md").write_text("---\nid: a\n---\n![](x.png)\n", encoding="utf-8")
    (tmp_path / "course.yaml").write_text("title: T\npaths: []\n", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "a.md:4: image sans texte alternatif" in err
    assert "a.md:2: titre manquant" in err
    assert "course.yaml:1: aucun parcours" in err


def test_check_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "absent")]) == 1
    assert "dossier de contenu introuvable" in capsys.readouterr().err


def test_serve_refuses_production_without_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLIANCES_ENV", "production")
    monkeypatch.delenv("ALLIANCES_SECRET_KEY", raising=False)
    assert main(["serve"]) == 2
    assert "ALLIANCES_SECRET_KEY is required in production" in capsys.readouterr().err


def test_check_sources_flags_copied_sentences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_COURSE, content)
    sources = tmp_path / "sources"
    sources.mkdir()
    sentence = "Les alliances rapprochent des acteurs différents autour d'un enjeu commun."
    (sources / "source.txt").write_text(f"Préambule. {sentence} Voir aussi.", encoding="utf-8")
    assert main(["check", str(content), "--sources", str(sources)]) == 1
    assert "intro.md:11: « les alliances rapprochent" in capsys.readouterr().err
    (sources / "source.txt").write_text(
        "https://exemple.fr/les/alliances/rapprochent", encoding="utf-8"
    )
    assert main(["check", str(content), "--sources", str(sources)]) == 0


def test_serve_refuses_invalid_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLIANCES_CONTENT_DIR", str(tmp_path / "absent"))
    monkeypatch.setenv("ALLIANCES_DATABASE", str(tmp_path / "var" / "a.db"))
    assert main(["serve"]) == 1
    assert "dossier de contenu introuvable" in capsys.readouterr().err


def serve_on(database: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("ALLIANCES_CONTENT_DIR", str(FIXTURE_COURSE))
    monkeypatch.setenv("ALLIANCES_DATABASE", str(database))
    return main(["serve"])


def test_serve_refuses_a_file_that_is_not_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "a.db"
    database.write_bytes(b"pas une base" * 400)
    assert serve_on(database, monkeypatch) == 2
    err = capsys.readouterr().err
    assert f"the database {database} cannot be used: file is not a database" in err
    assert "Traceback" not in err


def test_serve_refuses_a_database_it_cannot_create(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "var").write_text("un fichier, pas un dossier")
    assert serve_on(tmp_path / "var" / "a.db", monkeypatch) == 2
    err = capsys.readouterr().err
    assert f"cannot keep a local secret key in {tmp_path / 'var'}" in err
    assert "Traceback" not in err
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", "k" * 40)  # with keys, the database says it
    from server.credentials.keys import write_new_key

    write_new_key(tmp_path / "badge-keys")
    monkeypatch.setenv("ALLIANCES_BADGE_KEYS", str(tmp_path / "badge-keys"))
    assert serve_on(tmp_path / "var" / "a.db", monkeypatch) == 2
    assert "the database" in capsys.readouterr().err


def test_serve_refuses_a_damaged_badge_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key file that does not parse: never an unsigned credential, never a silent new key."""
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "0001.pem").write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    monkeypatch.setenv("ALLIANCES_DATABASE", str(tmp_path / "site.db"))
    monkeypatch.setenv("ALLIANCES_BADGE_KEYS", str(keys))
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "0001.pem is not a readable Ed25519 private key" in err
    assert len(err.strip().splitlines()) == 1


def test_serve_refuses_a_configured_badge_key_folder_without_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLIANCES_DATABASE", str(tmp_path / "site.db"))
    monkeypatch.setenv("ALLIANCES_BADGE_KEYS", str(tmp_path / "lost"))
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "ALLIANCES_BADGE_KEYS: no signing key in" in err
    assert len(err.strip().splitlines()) == 1


def test_badge_key_is_made_once_under_var(tmp_path: Path) -> None:
    from server.credentials.keys import load_keys
    from server.settings import Settings

    settings = Settings.from_env({"ALLIANCES_DATABASE": str(tmp_path / "site.db")})
    first = load_keys(settings.badge_keys_dir, create=False).current
    again = Settings.from_env({"ALLIANCES_DATABASE": str(tmp_path / "site.db")})
    assert load_keys(again.badge_keys_dir, create=False).current.did == first.did
    assert first.did.startswith("did:key:z6Mk")
    assert (settings.badge_keys_dir / "0001.pem").stat().st_mode & 0o077 == 0


def test_badge_key_rotate_keeps_the_old_key_and_lists_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLIANCES_DATABASE", str(tmp_path / "var" / "site.db"))
    monkeypatch.delenv("ALLIANCES_BADGE_KEYS", raising=False)
    assert main(["badge-key", "rotate"]) == 0  # no key yet: the first one
    assert main(["badge-key", "rotate"]) == 0
    out = capsys.readouterr().out
    assert "new signing key 0001.pem: did:key:z6Mk" in out and "0002.pem" in out
    assert main(["badge-key", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in listed] == [["0001", "retired"], ["0002", "current"]]


def test_badge_key_rotate_refuses_to_pass_over_a_damaged_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "0001.pem").write_text("abîmé")
    monkeypatch.setenv("ALLIANCES_BADGE_KEYS", str(keys))
    assert main(["badge-key", "rotate"]) == 2
    assert "0001.pem is not a readable Ed25519 private key" in capsys.readouterr().err
    assert sorted(p.name for p in keys.iterdir()) == ["0001.pem"]
