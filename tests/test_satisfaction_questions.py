"""The satisfaction questionnaires editors write in content/satisfaction.yaml (issue #18 §3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course.errors import ContentError
from course.loader import load_course
from course.satisfaction import read_satisfaction
from tests.conftest import FIXTURE_COURSE

GOOD = """hot:
  intro: Votre avis ?
  questions:
    - id: pertinence
      kind: rating
      label: Utile ?
    - id: commentaire
      kind: text
      label: Une remarque ?
cold:
  delay_days: 30
  questions:
    - id: mise-en-oeuvre
      kind: rating
      label: Avez-vous mis en œuvre ce que vous avez appris ?
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    file = tmp_path / "satisfaction.yaml"
    file.write_text(text, encoding="utf-8")
    result, found = read_satisfaction(file, "satisfaction.yaml")
    assert (result is None) == bool(found)
    return [str(p) for p in found]


def test_the_shipped_questionnaires_load() -> None:
    file = Path(__file__).parent.parent / "content" / "satisfaction.yaml"
    shipped, found = read_satisfaction(file, "satisfaction.yaml")
    assert shipped is not None and found == []
    assert read_satisfaction(FIXTURE_COURSE / "satisfaction.yaml", "s")[0] == shipped
    hot, cold = shipped.hot, shipped.cold
    assert [q.kind for q in hot.questions].count("rating") == 4
    assert [q.kind for q in hot.questions].count("text") == 1
    assert cold is not None and cold.delay_days > 0
    assert "mis en œuvre" in cold.questions[0].label


def test_a_good_file_is_read_with_french_spacing(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD) == []
    file = tmp_path / "satisfaction.yaml"
    result, _ = read_satisfaction(file, "satisfaction.yaml")
    assert result is not None and result.cold is not None
    assert result.hot.questions[0].label == "Utile\u00a0?"
    assert [q.id for q in result.hot.ratings] == ["pertinence"]
    assert result.cold.delay_days == 30


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    found = problems(tmp_path, "hot:\n  questions:\n    - id: [a\n")
    assert len(found) == 1
    assert found[0].startswith("satisfaction.yaml:4:") or found[0].startswith(
        "satisfaction.yaml:3:"
    )
    assert "YAML invalide" in found[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cold:\n  delay_days: 3\n  questions: []\n", "satisfaction.yaml:1: questionnaire « hot »"),
        (
            "hot:\n  questions:\n    - id: a\n      kind: rating\n    - id: b\n"
            "      kind: rating\n      label: B\n",
            "satisfaction.yaml:3: question « a » : « label »",
        ),
        (
            "hot:\n  questions:\n    - id: a\n      kind: stars\n      label: A\n",
            "satisfaction.yaml:3: question « a » : « kind »",
        ),
        (
            "hot:\n  questions:\n    - kind: rating\n      label: A\n",
            "satisfaction.yaml:3: question : « id » manquant",
        ),
        (
            "hot:\n  questions:\n    - id: a\n      kind: rating\n      label: A\n"
            "    - id: a\n      kind: rating\n      label: B\n",
            "satisfaction.yaml:6: question « a » en double",
        ),
        (
            "hot:\n  questions:\n    - id: a\n      kind: text\n      label: A\n",
            "satisfaction.yaml:2: « hot » : au moins une question « rating »",
        ),
        (
            "hot:\n  questions:\n    - id: a\n      kind: rating\n      label: A\n"
            "cold:\n  questions:\n    - id: a\n      kind: rating\n      label: A\n",
            "satisfaction.yaml:7: « cold » : « delay_days »",
        ),
        (
            "hot:\n  questions:\n    - id: a\n      kind: rating\n      label: A\n"
            "      optional: yes\n",
            "satisfaction.yaml:3: question : clé inconnue « optional »",
        ),
        ("hot:\n  intro: Bonjour\n", "satisfaction.yaml:2: « hot » : liste « questions »"),
        ("- hot\n", "satisfaction.yaml:1: satisfaction.yaml doit être un dictionnaire"),
    ],
)
def test_each_mistake_is_reported_at_its_line(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(tmp_path, text)
    assert any(p.replace("\u00a0", " ").startswith(expected) for p in found), found


def test_the_loader_refuses_a_broken_file_with_its_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_COURSE, content)
    (content / "satisfaction.yaml").write_text(
        "hot:\n  questions:\n    - id: a\n      kind: rating\n", encoding="utf-8"
    )
    with pytest.raises(ContentError) as caught:
        load_course(content)
    assert "satisfaction.yaml:3:" in str(caught.value)


def test_the_loader_gives_the_course_its_questionnaires() -> None:
    course = load_course(FIXTURE_COURSE)
    assert course.satisfaction is not None
    assert course.satisfaction.phase("hot") is course.satisfaction.hot
    assert course.satisfaction.phase("cold") is course.satisfaction.cold


def test_without_the_file_there_is_no_questionnaire(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_COURSE, content)
    (content / "satisfaction.yaml").unlink()
    assert load_course(content).satisfaction is None
