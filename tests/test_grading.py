"""Server-side grading: parsing the submitted form and scoring it."""

from __future__ import annotations

import pytest

from course.grading import AnswerError, grade, parse_answers
from course.loader import load_course
from tests.conftest import FIXTURE_COURSE

INTRO = load_course(FIXTURE_COURSE).modules["intro"]
RIGHT = [
    ("intro-mode", "a"),
    ("intro-acteurs", "a"),
    ("intro-acteurs", "b"),
    ("intro-classement", "faux"),
]


def test_all_right_scores_100() -> None:
    result = grade(INTRO, parse_answers(INTRO, RIGHT), 70)
    assert (result.score, result.passed, result.right) == (100, True, 3)


def test_multiple_choice_is_all_or_nothing() -> None:
    answers = parse_answers(INTRO, [*RIGHT[:1], ("intro-acteurs", "a"), RIGHT[3]])
    result = grade(INTRO, answers, 70)
    assert result.score == 67 and not result.passed
    assert [r.correct for r in result.results] == [True, False, True]


def test_threshold_is_inclusive() -> None:
    answers = parse_answers(INTRO, [*RIGHT[:1], ("intro-acteurs", "a"), RIGHT[3]])
    assert grade(INTRO, answers, 67).passed


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (RIGHT[:3], "Répondez à toutes les questions"),
        ([*RIGHT, ("inconnue", "a")], "question inconnue"),
        ([*RIGHT[:3], ("intro-classement", "peut-être")], "aucun choix"),
        ([*RIGHT, ("intro-mode", "b")], "plusieurs réponses"),
        ([*RIGHT, ("intro-acteurs", "a")], "plusieurs réponses"),
        ([], "3 questions sont restées"),
    ],
)
def test_bad_submissions_are_refused(fields: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        parse_answers(INTRO, fields)


def test_ignored_fields() -> None:
    assert parse_answers(INTRO, [*RIGHT, ("csrf_token", "x")], ignore=frozenset({"csrf_token"}))
