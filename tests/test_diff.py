"""`alliances check --against`: what new content would do to learners' recorded work."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from course.diff import LEARNERS, REMOVALS, Change, ChangeKind, annotate, compare
from course.loader import load_course
from server.cli import main
from server.storage import SqliteStorage, Storage
from server.storage.impact import TOUCHED_SQL
from server.storage.postgres import PostgresStorage
from tests.conftest import FIXTURE_COURSE
from tests.sql import _Postgres

INTRO_CLASSEMENT = """### Vrai ou faux {#intro-classement}

Les modes de relation forment un classement du meilleur au moins bon.

- [ ] Vrai {#vrai}
- [x] Faux {#faux}

**Indice.** Une échelle n’est pas un palmarès.

**Explication.** Ce n'est pas un classement.

"""
LECTURE_IDEE = """### Réflexion : Mon idée d’alliance (2 min) {#lecture-idee}

Quelle alliance aimeriez-vous construire ?

**Exemple de réponse.** Une alliance avec la mairie pour un jardin partagé.
"""


@pytest.fixture
def old(tmp_path: Path) -> Path:
    """The content as published: the fixture course, untouched."""
    target = tmp_path / "old"
    shutil.copytree(FIXTURE_COURSE, target)
    return target


@pytest.fixture
def new(tmp_path: Path) -> Path:
    """The content being prepared: a copy each test edits."""
    target = tmp_path / "new"
    shutil.copytree(FIXTURE_COURSE, target)
    return target


def edit(file: Path, before: str, after: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert text.count(before) == 1, f"{before!r} not found once in {file.name}"
    file.write_text(text.replace(before, after), encoding="utf-8")


def changes(old: Path, new: Path) -> list[Change]:
    return compare(load_course(old), load_course(new))


def by_kind(found: list[Change]) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {}
    for change in found:
        kinds.setdefault(change.kind, []).append(change.subject_id)
    return kinds


def remove_atelier(new: Path) -> None:
    """Drop the workshop module (and its two reflections) from the 12 h path."""
    (new / "modules" / "atelier.md").unlink()
    edit(new / "course.yaml", "target_minutes: 21", "target_minutes: 9")
    edit(
        new / "course.yaml",
        "[intro, lecture, approfondir, atelier]",
        "[intro, lecture, approfondir]",
    )


def edit_intro_quiz(new: Path) -> None:
    """Remove a question and a choice, and move a correct answer."""
    intro = new / "modules" / "intro.md"
    edit(intro, INTRO_CLASSEMENT, "")
    edit(intro, "- [ ] Personne {#c}\n", "")
    edit(intro, "- [x] Le mécénat {#a}", "- [ ] Le mécénat {#a}")
    edit(intro, "- [ ] L'innovation sociétale {#b}", "- [x] L'innovation sociétale {#b}")


# -- course.diff ----------------------------------------------------------------


def test_same_content_has_no_change(old: Path, new: Path) -> None:
    assert changes(old, new) == []


def test_removed_module_and_its_reflections(old: Path, new: Path) -> None:
    remove_atelier(new)
    found = changes(old, new)
    assert by_kind(found) == {
        "path_target_changed": ["12h"],
        "module_removed": ["atelier"],
        "reflection_removed": ["atelier-diagnostic", "atelier-objectifs"],
    }
    module = next(c for c in found if c.kind is ChangeKind.MODULE_REMOVED)
    assert module.message_fr == "module supprimé « atelier » du parcours 12h"
    assert module.harmful
    target = found[0]
    assert target.message_fr == "durée cible du parcours « 12h » modifiée : 21 → 9 min"
    assert not target.harmful
    reflection = next(c for c in found if c.subject_id == "atelier-objectifs")
    assert "disparaîtraient des plans d'alliance" in reflection.message_fr
    assert reflection.module_id == "atelier"


def test_module_removed_from_a_path(old: Path, new: Path) -> None:
    edit(new / "course.yaml", "target_minutes: 6", "target_minutes: 3")
    edit(new / "course.yaml", "modules: [intro, lecture]\n", "modules: [intro]\n")
    found = changes(old, new)
    assert by_kind(found) == {
        "path_target_changed": ["1h"],
        "module_removed_from_path": ["lecture"],
    }
    removal = found[1]
    assert removal.message_fr == "module « lecture » retiré du parcours « 1h »"
    assert (removal.module_id, removal.path_id, removal.harmful) == ("lecture", "1h", True)


def test_question_changes(old: Path, new: Path) -> None:
    edit_intro_quiz(new)
    found = changes(old, new)
    assert by_kind(found) == {
        "question_removed": ["intro-classement"],
        "correct_answers_changed": ["intro-mode"],
        "choices_removed": ["intro-acteurs"],
    }
    assert all(c.harmful and c.module_id == "intro" for c in found)
    messages = [c.message_fr for c in found]
    assert "question supprimée « intro-classement » du module « intro »" in messages
    assert (
        "bonnes réponses modifiées pour la question « intro-mode » du module « intro » : "
        "« a » → « b »" in messages
    )
    assert (
        "choix supprimé dans la question « intro-acteurs » du module « intro » : « c »" in messages
    )
    assert next(c for c in found if c.kind == "choices_removed").choice_ids == ("c",)


def test_question_kind_changed(old: Path, new: Path) -> None:
    intro = new / "modules" / "intro.md"
    edit(intro, "### Choix multiple {#intro-acteurs}", "### Choix unique {#intro-acteurs}")
    edit(intro, "- [x] Les entreprises {#b}", "- [ ] Les entreprises {#b}")
    found = changes(old, new)
    assert by_kind(found) == {
        "question_kind_changed": ["intro-acteurs"],
        "correct_answers_changed": ["intro-acteurs"],
    }
    assert found[0].message_fr.endswith(": Choix multiple → Choix unique")


def test_removed_reflection(old: Path, new: Path) -> None:
    edit(new / "modules" / "lecture.md", LECTURE_IDEE, "")
    found = changes(old, new)
    assert [(c.kind, c.subject_id, c.module_id) for c in found] == [
        ("reflection_removed", "lecture-idee", "lecture")
    ]


def test_paths_added_and_removed(old: Path, new: Path) -> None:
    edit(new / "course.yaml", "id: 4h\n    title: Construire", "id: 3h\n    title: Construire")
    found = changes(old, new)
    assert by_kind(found) == {"path_removed": ["4h"], "path_added": ["3h"]}
    removed, added = found
    assert removed.harmful and removed.message_fr == "parcours supprimé « 4h » (Construire)"
    assert not added.harmful and added.message_fr == "parcours ajouté « 3h » (Construire, 9 min)"


def test_annotate_counts_learners() -> None:
    removal = Change(ChangeKind.MODULE_REMOVED, "x", "module supprimé « x »", True)
    assert annotate(removal, 3) == Change(
        ChangeKind.MODULE_REMOVED,
        "x",
        "module supprimé « x » (3 apprenants ont une progression)",
        True,
    )
    assert annotate(removal, 1).message_fr.endswith("(1 apprenant a une progression)")
    untouched = annotate(removal, 0)
    assert not untouched.harmful
    assert untouched.message_fr.endswith("(aucun apprenant n'a de progression)")
    regrading = Change(ChangeKind.CORRECT_ANSWERS_CHANGED, "q", "bonnes réponses modifiées", True)
    assert annotate(regrading, 0).harmful  # a new answer key is always worth a review


def test_every_countable_kind_has_a_query() -> None:
    assert set(LEARNERS) == set(TOUCHED_SQL)
    assert REMOVALS.issubset(LEARNERS)


# -- the command line -------------------------------------------------------------


def test_cli_no_change(old: Path, new: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(new), "--against", str(old)]) == 0
    out = capsys.readouterr().out
    assert out == f"Comparaison avec {old} : aucun changement pour les apprenants\n"


def test_cli_harmful_change_fails(old: Path, new: Path, capsys: pytest.CaptureFixture[str]) -> None:
    remove_atelier(new)
    assert main(["check", str(new), "--against", str(old)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "information : durée cible du parcours « 12h » modifiée : 21 → 9 min",
        "à risque : module supprimé « atelier » du parcours 12h",
        "à risque : réflexion supprimée « atelier-diagnostic » du module « atelier » : "
        "ses réponses disparaîtraient des plans d'alliance",
        "à risque : réflexion supprimée « atelier-objectifs » du module « atelier » : "
        "ses réponses disparaîtraient des plans d'alliance",
        f"Comparaison avec {old} : 4 changement(s), dont 3 à risque pour les apprenants",
    ]
    assert "Contenu valide : 3 modules" in captured.err


def test_cli_information_keeps_usual_exit_code(
    old: Path, new: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(new / "course.yaml", "target_minutes: 21", "target_minutes: 22")
    assert main(["check", str(new), "--against", str(old)]) == 0
    assert "information : durée cible du parcours « 12h » modifiée : 21 → 22 min" in (
        capsys.readouterr().out
    )
    # The fixture's durations raise warnings: --strict still fails on them.
    assert main(["check", "--strict", str(new), "--against", str(old)]) == 1


def test_cli_json_stays_parseable(old: Path, new: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(new / "modules" / "lecture.md", LECTURE_IDEE, "")
    assert main(["check", "--json", str(new), "--against", str(old)]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["title"] == "Cours d'essai"
    assert "à risque : réflexion supprimée « lecture-idee »" in captured.err


def test_cli_old_content_that_does_not_load(
    old: Path, new: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(old / "modules" / "intro.md", "title: Introduction aux alliances\n", "")
    assert main(["check", str(new), "--against", str(old)]) == 1
    err = capsys.readouterr().err
    assert "intro.md:2: titre manquant" in err
    assert f"l'ancien contenu {old} ne se charge pas" in err


def test_cli_broken_new_content_is_reported_first(
    old: Path, new: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (new / "course.yaml").unlink()
    assert main(["check", str(new), "--against", str(old)]) == 1
    captured = capsys.readouterr()
    assert "erreur(s)" in captured.err
    assert "Comparaison" not in captured.out


def test_cli_database_needs_against(
    tmp_path: Path, new: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(new), "--database", str(tmp_path / "app.db")]) == 2
    assert "--database ne sert qu'avec --against" in capsys.readouterr().err


def test_cli_missing_database(
    tmp_path: Path, old: Path, new: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", str(new), "--against", str(old), "--database", str(tmp_path / "absent.db")]
    assert main(args) == 2
    assert "base de données illisible" in capsys.readouterr().err
    assert not (tmp_path / "absent.db").exists()


# -- --database -------------------------------------------------------------------


def app_database(path: Path | str) -> Any:
    """A database migrated by the app itself, then filled directly for the test:
    a SQLite file, or a PostgreSQL database when `path` is its URL."""

    async def migrate() -> None:
        storage: Storage = PostgresStorage(path) if isinstance(path, str) else SqliteStorage(path)
        await storage.open()
        await storage.close()

    asyncio.run(migrate())
    conn: Any = (
        _Postgres(path) if isinstance(path, str) else sqlite3.connect(path, isolation_level=None)
    )
    for user_id in (1, 2, 3, 4):
        conn.execute(
            "INSERT INTO users (id, email, name, password_hash, created_at)"
            " VALUES (?, ?, ?, 'x', '2025-01-01')",
            (user_id, f"u{user_id}@example.fr", f"Apprenant {user_id}"),
        )
    return conn


def attempt(conn: Any, user_id: int, path_id: str, answers: dict) -> None:
    """One quiz attempt on intro; the schema's trigger adds progress and enrolment."""
    conn.execute(
        "INSERT INTO attempts (user_id, path_id, module_id, score, passed, answers,"
        " content_version, created_at) VALUES (?, ?, 'intro', 100, 1, ?, 'v1', '2025-01-02')",
        (user_id, path_id, json.dumps(answers)),
    )


def reflect(conn: Any, user_id: int, reflection_id: str, answer: str) -> None:
    conn.execute(
        "INSERT INTO reflections (user_id, reflection_id, module_id, answer, updated_at)"
        " VALUES (?, ?, 'lecture', ?, '2025-01-02')",
        (user_id, reflection_id, answer),
    )


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The app's database on either backend: `--database` takes a file or a URL."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return tmp_path / "var" / "app.db"


def test_database_counts_learners_on_each_change(
    database: Path | str, old: Path, new: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = app_database(database)
    attempt(
        conn,
        1,
        "1h",
        {"intro-mode": ["a"], "intro-acteurs": ["a", "c"], "intro-classement": ["faux"]},
    )
    attempt(
        conn, 1, "1h", {"intro-mode": ["b"], "intro-acteurs": ["c"], "intro-classement": ["vrai"]}
    )
    attempt(conn, 2, "4h", {"intro-mode": ["a"], "intro-acteurs": ["a", "b"]})
    reflect(conn, 2, "lecture-idee", "   ")  # an empty answer loses nothing
    reflect(conn, 3, "lecture-idee", "Une alliance avec la mairie.")
    conn.close()
    edit_intro_quiz(new)
    edit(new / "modules" / "lecture.md", LECTURE_IDEE, "")
    remove_atelier(new)

    args = ["check", str(new), "--against", str(old), "--database", str(database)]
    assert main(args) == 1
    assert capsys.readouterr().out.splitlines() == [
        "information : durée cible du parcours « 12h » modifiée : 21 → 9 min",
        "information : module supprimé « atelier » du parcours 12h "
        "(aucun apprenant n'a de progression)",
        "à risque : bonnes réponses modifiées pour la question « intro-mode » du module "
        "« intro » : « a » → « b » (2 apprenants y ont répondu)",
        "à risque : choix supprimé dans la question « intro-acteurs » du module « intro » : "
        "« c » (1 apprenant a coché un choix supprimé)",
        "à risque : question supprimée « intro-classement » du module « intro » "
        "(1 apprenant y a répondu)",
        "information : réflexion supprimée « atelier-diagnostic » du module « atelier » : "
        "ses réponses disparaîtraient des plans d'alliance (aucun apprenant n'y a répondu)",
        "information : réflexion supprimée « atelier-objectifs » du module « atelier » : "
        "ses réponses disparaîtraient des plans d'alliance (aucun apprenant n'y a répondu)",
        "à risque : réflexion supprimée « lecture-idee » du module « lecture » : "
        "ses réponses disparaîtraient des plans d'alliance (1 apprenant y a répondu)",
        f"Comparaison avec {old} : 8 changement(s), dont 4 à risque pour les apprenants",
    ]


def test_database_paths_and_modules(
    database: Path | str, old: Path, new: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = app_database(database)
    attempt(conn, 1, "1h", {"intro-mode": ["a"]})  # enrolled in 1h
    attempt(conn, 2, "12h", {"intro-mode": ["a"]})  # enrolled in 12h only
    for user_id in (1, 2):
        conn.execute(
            "INSERT INTO progress (user_id, module_id, completed_at, updated_at)"
            " VALUES (?, 'lecture', '2025-01-03', '2025-01-03')",
            (user_id,),
        )
    conn.execute("INSERT INTO enrolments VALUES (3, '4h', '2025-01-01')")
    conn.close()
    edit(new / "course.yaml", "target_minutes: 6", "target_minutes: 3")
    edit(new / "course.yaml", "modules: [intro, lecture]\n", "modules: [intro]\n")
    edit(new / "course.yaml", "id: 4h\n", "id: 3h\n")

    args = ["check", str(new), "--against", str(old), "--database", str(database)]
    assert main(args) == 1
    assert capsys.readouterr().out.splitlines() == [
        "information : durée cible du parcours « 1h » modifiée : 6 → 3 min",
        "à risque : module « lecture » retiré du parcours « 1h » "
        "(1 apprenant inscrit à ce parcours y a une progression)",
        "à risque : parcours supprimé « 4h » (Construire) (1 apprenant y est inscrit)",
        "information : parcours ajouté « 3h » (Construire, 9 min)",
        f"Comparaison avec {old} : 4 changement(s), dont 2 à risque pour les apprenants",
    ]


def test_database_without_learners_turns_removals_into_information(
    tmp_path: Path, old: Path, new: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "app.db"
    app_database(database).close()
    remove_atelier(new)
    before = database.read_bytes()
    assert main(["check", str(new), "--against", str(old), "--database", str(database)]) == 0
    out = capsys.readouterr().out
    assert "à risque :" not in out
    assert out.endswith("4 changement(s), dont 0 à risque pour les apprenants\n")
    assert database.read_bytes() == before  # opened read-only
