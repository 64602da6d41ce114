"""First use in a module: acronyms expanded, glossary terms linked to their entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.errors import ContentError
from course.loader import load_course
from course.typography import no_break

COURSE = """title: Essai
paths:
  - id: 1h
    title: Court
    target_minutes: 1
    modules: [m]
"""
MODULE = """---
id: m
title: Un module
duration: 1
objectives:
  - Apprendre.
---

# Un module

{lesson}

## Quiz

### Vrai ou faux {{#q}}

{question}

- [x] Vrai {{#vrai}}
- [ ] Faux {{#faux}}

**Indice.** Relisez la leçon.

**Explication.** Parce que.
"""
GLOSSARY = """---
id: glossaire
title: Glossaire
---

# Glossaire

## Mécénat

Un soutien.

## Mécénat de compétences

Un soutien en temps de travail.

## Boussole stratégique (ADASI)

Un outil.
"""
SIGLES = """# Acronyms and their expansions.
PME: petites et moyennes entreprises
RSE:
  - responsabilité sociétale des entreprises
  - responsabilité sociale des entreprises
"""
LINE = 11  # the lesson's first line in MODULE


def make(
    tmp_path: Path, lesson: str, question: str = "Une affirmation.", sigles: str = SIGLES
) -> Path:
    root = tmp_path / "content"
    (root / "modules").mkdir(parents=True)
    (root / "pages").mkdir()
    text = MODULE.format(lesson=lesson, question=question)
    (root / "modules" / "m.md").write_text(text, encoding="utf-8")
    (root / "pages" / "glossaire.md").write_text(GLOSSARY, encoding="utf-8")
    (root / "sigles.yaml").write_text(sigles, encoding="utf-8")
    (root / "course.yaml").write_text(COURSE, encoding="utf-8")
    return root


def first_use(root: Path) -> list[str]:
    return [
        w
        for w in load_course(root).warnings
        if "sigle" in w or "terme du glossaire" in w or "sigles.yaml" in w
    ]


def test_acronym_without_expansion(tmp_path: Path) -> None:
    found = first_use(make(tmp_path, "Du texte.\n\nLes PME du quartier. Les PME encore."))
    assert found == [
        no_break(
            f"content/modules/m.md:{LINE + 2}: avertissement : sigle « PME » sans sa forme "
            "développée à sa première apparition dans le module : écrivez « petites et "
            "moyennes entreprises (PME) » ou « PME (petites et moyennes entreprises) »"
        )
    ]


@pytest.mark.parametrize(
    "lesson",
    [
        "Les petites et moyennes entreprises (PME) du quartier. Les PME encore.",
        "Les PME (petites et moyennes\nentreprises) du quartier.",
        "Les **Petites et moyennes entreprises** (PME) du quartier.",
        "## Les PME\n\nLes PME (petites et moyennes entreprises) : un titre ne compte pas.",
        "La responsabilité sociale des entreprises (RSE) compte, l’un des deux libellés.",
        "Des PMEs, `PME` en code et https://exemple.fr/PME ne sont pas le sigle.",
    ],
)
def test_acronym_near_misses(tmp_path: Path, lesson: str) -> None:
    assert first_use(make(tmp_path, lesson)) == []


def test_acronym_first_met_in_a_question(tmp_path: Path) -> None:
    found = first_use(make(tmp_path, "Du texte.", question="La RSE est utile."))
    assert len(found) == 1 and no_break("m.md:17: avertissement : sigle « RSE »") in found[0]


def test_each_module_introduces_its_acronyms(tmp_path: Path) -> None:
    root = make(tmp_path, "Les petites et moyennes entreprises (PME).")
    other = (root / "modules" / "m.md").read_text(encoding="utf-8")
    other = other.replace("id: m", "id: n").replace("{#q}", "{#q2}")
    (root / "modules" / "n.md").write_text(
        other.replace("Les petites et moyennes entreprises (PME).", "Les PME."), encoding="utf-8"
    )
    course = COURSE.replace("[m]", "[m, n]").replace("target_minutes: 1", "target_minutes: 2")
    (root / "course.yaml").write_text(course, encoding="utf-8")
    found = first_use(root)
    assert len(found) == 1 and "content/modules/n.md" in found[0], found


@pytest.mark.parametrize(
    ("sigles", "expected"),
    [
        ("pme: petites entreprises\n", "sigles.yaml:1: sigle invalide « pme »"),
        ("PME:\nRSE: responsabilité\n", "sigles.yaml:1: sigle « PME » : forme développée"),
        ("PME: [a, [b]]\n", "sigles.yaml:1: sigle « PME » : forme développée"),
        ("- PME\n", "sigles.yaml:1: sigles : une liste"),
        ("PME: [oups\n", "sigles.yaml:2: fichier des sigles illisible"),
    ],
)
def test_sigles_file_is_checked(tmp_path: Path, sigles: str, expected: str) -> None:
    with pytest.raises(ContentError) as caught:
        load_course(make(tmp_path, "Du texte.", sigles=sigles))
    messages = [str(p) for p in caught.value.problems]
    assert any(no_break(expected) in m for m in messages), messages


def test_glossary_term_not_linked(tmp_path: Path) -> None:
    found = first_use(make(tmp_path, "Le mécénat aide.\n\nLe mécénat encore."))
    assert found == [
        no_break(
            f"content/modules/m.md:{LINE}: avertissement : « mécénat » : première mention du "
            "terme du glossaire « Mécénat » dans ce module, faites-en un lien "
            "[mécénat](../pages/glossaire.md#mécénat)"
        )
    ]


@pytest.mark.parametrize(
    "lesson",
    [
        "Le [mécénat](../pages/glossaire.md#mécénat) aide. Le mécénat encore.",
        "Le [Mécénat](../pages/glossaire.md#m%C3%A9c%C3%A9nat) aide.",
        "Le [mécénat de compétences](../pages/glossaire.md#mécénat-de-compétences) aide.",
        "Des mécénats, un mécène, du `mécénat` : pas le terme exact.",
        "## Le mécénat\n\nUn titre ne compte pas.",
        "La [Boussole stratégique](../pages/glossaire.md#boussole-stratégique-adasi).",
    ],
)
def test_glossary_near_misses(tmp_path: Path, lesson: str) -> None:
    assert first_use(make(tmp_path, lesson)) == []


def test_glossary_link_to_another_entry_does_not_count(tmp_path: Path) -> None:
    lesson = "La [boussole stratégique](../pages/glossaire.md#mécénat) est un outil."
    found = first_use(make(tmp_path, lesson))
    assert len(found) == 1 and no_break("« Boussole stratégique »") in found[0], found


def test_glossary_terms_in_questions_are_not_checked(tmp_path: Path) -> None:
    assert first_use(make(tmp_path, "Du texte.", question="Le mécénat aide.")) == []


def test_sources_section_is_not_a_use(tmp_path: Path) -> None:
    lesson = "Du texte.\n\n## Sources\n\n- Le RAMEAU, *Référentiel MSE et PME*, mécénat, 2019."
    assert first_use(make(tmp_path, lesson)) == []
    lesson = "Du texte.\n\n## Sources\n\n- Un rapport.\n\n## Suite\n\nLes PME."
    assert len(first_use(make(tmp_path / "b", lesson))) == 1
