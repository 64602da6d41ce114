"""A path's optional sections in course.yaml: read into runs, every mistake reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.loader import load_course
from course.typography import no_break
from tests.test_loader import make, module, problems

COURSE = """title: Essai
pass_threshold: 70
paths:
  - id: 1h
    title: Court
    target_minutes: 3
    sections:
{sections}
    modules: [a, b, c]
"""
MODULES = {name: module(name) for name in "abc"}


def course_with(sections: str) -> str:
    return COURSE.format(sections=sections)


def test_sections_run_from_their_start_to_the_next_one(tmp_path: Path) -> None:
    sections = "      - {title: Bases, from: a}\n      - {title: Pratique, from: c}"
    path = load_course(make(tmp_path, MODULES, course=course_with(sections))).paths[0]
    assert [(s.title, s.module_ids) for s in path.sections] == [
        ("Bases", ("a", "b")),
        ("Pratique", ("c",)),
    ]


def test_a_path_without_sections_has_none(tmp_path: Path) -> None:
    course = COURSE.replace("    sections:\n{sections}\n", "")
    assert load_course(make(tmp_path, MODULES, course=course)).paths[0].sections == ()


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        (
            "      - {title: Bases, from: b}",
            "course.yaml:8: parcours « 1h » : sections : la première",
        ),
        ("      - {title: Bases, from: z}", "« from: z » n’est pas un module de ce parcours"),
        ("      - {from: a}", "section sans titre"),
        (
            "      - {title: Bases, from: a}\n      - {title: Encore, from: a}",
            "« Encore » doit commencer après la section précédente",
        ),
        ("      title: Bases", "une liste de « title: » et « from: » attendue"),
    ],
)
def test_section_mistakes_are_reported(tmp_path: Path, sections: str, expected: str) -> None:
    found = problems(make(tmp_path, MODULES, course=course_with(sections)))
    assert any(no_break(expected) in p for p in found), found
