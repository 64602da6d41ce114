"""Language rules, line by line: typographic apostrophes, « du RAMEAU », ordinals."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.loader import load_course
from course.style_rules import check_line, check_text
from course.typography import no_break


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Une alliance d'intérêt général.", "apostrophe droite"),
        ("Voir le site de Le RAMEAU.", "« de Le RAMEAU » : écrivez « du RAMEAU »"),
        ("De Le RAMEAU, on retient ceci.", "« De Le RAMEAU » : écrivez « Du RAMEAU »"),
        ("Une convention signée à Le Havre.", "« à Le Havre » : écrivez « au Havre »"),
        ("Le PTCE de Les Mureaux.", "« de Les Mureaux » : écrivez « des Mureaux »"),
        ("Le 11e baromètre d’Admical.", "« 11e » : écrivez « 11ᵉ »"),
        ("La 3ème édition.", "« 3ème » : écrivez « 3ᵉ »"),
        ("La 2eme rencontre.", "« 2eme » : écrivez « 2ᵉ »"),
        ("La loi du 1er août 2003.", "« 1er » : écrivez « 1ᵉʳ »"),
        ("La 1ère réunion.", "« 1ère » : écrivez « 1ʳᵉ »"),
        ("Au XXIe siècle.", "« XXIe » : écrivez « XXIᵉ »"),
    ],
)
def test_rule_fires(line: str, message: str) -> None:
    found = check_line(line)
    assert len(found) == 1 and message in found[0], found


@pytest.mark.parametrize(
    "line",
    [
        "Une alliance d’intérêt général, selon Le RAMEAU.",
        "Le RAMEAU et l’ADASI ; le site du RAMEAU.",
        "Il faut de le faire savoir, et à le dire.",  # « le » pronoun, not a name
        "Le 11ᵉ baromètre, le 1ᵉʳ août, la 1ʳᵉ réunion, le XXIᵉ siècle.",
        "Une valeur de 1e6 ou 2,5e en notation, et le modèle X5e.",
        "Le code `l'alliance` et https://exemple.fr/l'alliance restent tels quels.",
        "[Le guide](https://exemple.fr/guide-d'alliance) et {#l-id}.",
        "Le Ce et Le Le ne sont pas des ordinaux romains.",
    ],
)
def test_near_misses_do_not_fire(line: str) -> None:
    assert check_line(line) == []


def test_whole_file_skips_code_and_yaml_comments() -> None:
    text = (
        "---\n# the module's id\ntitle: L'alliance\n---\n\n```\nprint('l'a')\n```\n"
        "Le 11e baromètre.\n"
    )
    assert [line for line, _ in check_text(text)] == [3, 9]


def test_loader_reports_them_with_file_and_line(tmp_path: Path) -> None:
    root = tmp_path / "content"
    (root / "modules").mkdir(parents=True)
    (root / "modules" / "m.md").write_text(
        "---\nid: m\ntitle: L'alliance\nduration: 1\nobjectives:\n  - Apprendre.\n---\n\n"
        "# Titre\n\nLe site de Le RAMEAU.\n",
        encoding="utf-8",
    )
    (root / "course.yaml").write_text(
        "title: Essai\npaths:\n  - id: 1h\n    title: Court\n    target_minutes: 1\n"
        "    modules: [m]\n",
        encoding="utf-8",
    )
    warnings = load_course(root).warnings
    assert any(w.startswith("content/modules/m.md:3: avertissement") for w in warnings), warnings
    assert no_break("m.md:11: avertissement : « de Le RAMEAU »") in "\n".join(warnings)


def test_yaml_files_are_text_too() -> None:
    text = "# the course's paths\ntitle: L'alliance\ndescription: >-\n  Le 11e baromètre.\n"
    assert [line for line, _ in check_text(text, yaml_file=True)] == [2, 4]
