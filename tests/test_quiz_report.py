"""The blind strategies of `alliances check --quiz-report`, computed exactly."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from course.loader import load_course
from course.quiz_report import (
    ALL_BUT_SHORTEST,
    ALWAYS_FALSE,
    ALWAYS_TRUE,
    BLIND,
    LONGEST,
    SHORTEST,
    Blind,
    pass_probability,
    quiz_report,
)
from server.cli import main
from tests.conftest import FIXTURE_COURSE
from tests.test_quiz_audit import question, true_false

F = Fraction
COURSE = """title: Essai
pass_threshold: 70
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
{draw}objectives:
  - Apprendre.
---

# Un module

Du texte.

## Quiz
{questions}"""


def make(tmp_path: Path, questions: list[str], draw: int | None = None) -> Path:
    root = tmp_path / "content"
    (root / "modules").mkdir(parents=True)
    text = MODULE.format(draw=f"draw: {draw}\n" if draw else "", questions="".join(questions))
    (root / "modules" / "m.md").write_text(text, encoding="utf-8")
    (root / "course.yaml").write_text(COURSE, encoding="utf-8")
    return root


LONGEST_RIGHT = [("Une option nettement plus longue", True), ("Courte", False), ("Brève", False)]
TIED = [("Égale", True), ("Égale", False), ("Bref", False)]
SHORTEST_WRONG = [("Un tiret", True), ("Deux tirets", True), ("Non", False)]
TWO_SHORT = [("Un tiret", True), ("Oui", True), ("Non", False)]  # ties for shortest


def test_each_strategy_scores_its_kind(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        [
            question("q1", LONGEST_RIGHT),
            question("q2", TIED),
            question("q3", SHORTEST_WRONG, "Choix multiple"),
            question("q4", TWO_SHORT, "Choix multiple"),
            true_false("t1", False),
        ],
    )
    report = quiz_report(load_course(root)).modules["m"]
    outcomes = report.outcomes
    # longest: 1 + 1/2 (two tied longest, one of them right) out of 5 questions
    assert outcomes[LONGEST].score == F(3, 2) / 5
    assert outcomes[ALL_BUT_SHORTEST].score == F(3, 2) / 5
    assert outcomes[ALWAYS_TRUE].score == 0
    assert outcomes[ALWAYS_FALSE].score == F(1, 5)
    assert outcomes[BLIND].score == F(4, 5)  # with « toujours Faux », the better constant
    assert report.blind == Blind(longest=True, answer_true=False)
    assert outcomes[SHORTEST].score == 0
    # Three sure answers give 60 %: passing (4 right, 80 %) needs one tie won at least.
    assert outcomes[BLIND].pass_rate == F(3, 4)
    assert outcomes[LONGEST].pass_rate == 0


def test_keys_shorter_than_every_distractor_are_found(tmp_path: Path) -> None:
    shortest = [("Oui", True), ("Une option nettement plus longue", False), ("Brève", False)]
    root = make(tmp_path, [question(f"q{i}", shortest) for i in range(3)] + [true_false("t", True)])
    course = load_course(root)
    report = quiz_report(course).modules["m"]
    assert report.outcomes[SHORTEST].score == F(3, 4)
    assert report.outcomes[LONGEST].score == 0
    assert report.blind == Blind(longest=False, answer_true=True)
    assert report.outcomes[BLIND].pass_rate == 1
    assert quiz_report(course).blind_score == 1


def test_pass_probability_without_draw_counts_ties() -> None:
    # 2 sure answers are 50 %; 3 of 4 (75 %) passes: one tie won at least.
    assert pass_probability([F(1), F(1), F(1, 2), F(1, 2)], 4, 70) == F(3, 4)
    assert pass_probability([F(1), F(1, 2), F(1, 2), F(0)], 4, 70) == F(1, 4)
    assert pass_probability([F(1), F(1), F(0)], 3, 70) == 0  # 67 % rounds below 70
    assert pass_probability([F(1)] * 7 + [F(0)] * 3, 10, 70) == 1


def test_pass_probability_over_draws() -> None:
    # 3 questions drawn from 4, one of which the strategy gets wrong: only the draw
    # leaving it out (1 of 4) reaches 3/3; the others give 2/3 = 67 %.
    assert pass_probability([F(1), F(1), F(1), F(0)], 3, 70) == F(1, 4)
    # Brute force over the 10 draws of 2 among 5: pass needs both drawn questions right.
    chances = [F(1), F(1), F(1, 2), F(0), F(0)]
    expected = F(1 + 2 * F(1, 2), 10)  # {1,2} sure, {1,3} and {2,3} half
    assert pass_probability(chances, 2, 70) == expected


def test_draw_is_read_from_the_module(tmp_path: Path) -> None:
    questions = [question(f"q{i}", LONGEST_RIGHT) for i in range(3)]
    questions += [question(f"p{i}", TIED) for i in range(2)]
    root = make(tmp_path, questions, draw=3)
    report = quiz_report(load_course(root)).modules["m"]
    assert report.shown == 3
    assert report.outcomes[LONGEST].score == F(3 + 1, 5)
    # Passing needs 3/3: the 3 sure ones (1 draw in 10), or 2 sure + 1 tie won (6 draws x 1/2),
    # or 1 sure + both ties (3 draws x 1/4).
    assert report.outcomes[LONGEST].pass_rate == (1 + F(6, 2) + F(3, 4)) / 10


def test_course_targets(tmp_path: Path) -> None:
    blind = make(tmp_path / "a", [question(f"q{i}", LONGEST_RIGHT) for i in range(3)])
    report = quiz_report(load_course(blind))
    assert report.blind_score == 1 and not report.targets_met
    assert [r.module.id for r in report.passed_blind] == ["m"]
    middle = [("Moyenne", True), ("Une option nettement plus longue", False), ("Brève", False)]
    safe = make(tmp_path / "b", [question(f"q{i}", middle) for i in range(3)])
    report = quiz_report(load_course(safe))
    assert report.blind_score == 0 and report.targets_met


def test_cli_prints_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--quiz-report", str(FIXTURE_COURSE)]) == 0
    out = capsys.readouterr().out
    assert "Parcours 1h «\u00a0Découvrir\u00a0»" in out
    assert "intro" in out and "Aveugle" in out
    assert "Score aveugle sur tout le cours\u00a0:" in out
    assert "Objectif «\u00a0aucun quiz réussi à l’aveugle\u00a0»" in out
    lines = [line for line in out.splitlines() if line.startswith("intro ")]
    assert lines and all(len(line) == len(lines[0]) for line in lines)


def test_cli_report_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--quiz-report", "--json", str(FIXTURE_COURSE)]) == 0
    data = json.loads(capsys.readouterr().out)
    intro = next(m for m in data["modules"] if m["id"] == "intro")
    assert set(intro["strategies"]) == {
        LONGEST,
        SHORTEST,
        ALWAYS_TRUE,
        ALWAYS_FALSE,
        ALL_BUT_SHORTEST,
        BLIND,
    }
    assert set(intro["blind"]) == {"single", "true_false"}
    assert 0 <= data["blind_score"] <= 1 and isinstance(data["targets_met"], bool)


def test_cli_strict_fails_on_a_missed_target(tmp_path: Path) -> None:
    # Ties for the longest option break no share rule, yet a blind learner may pass.
    tied = [
        question(f"q{i}", [(f"Alpha {i}", True), (f"Gamma {i}", False), (f"Bê {i}", False)])
        for i in range(4)
    ]
    root = make(tmp_path, tied)
    text = (root / "modules" / "m.md").read_text(encoding="utf-8")
    minutes = round(load_course(root).modules["m"].estimated_minutes)
    (root / "modules" / "m.md").write_text(
        text.replace("duration: 1", f"duration: {minutes}"), encoding="utf-8"
    )
    (root / "course.yaml").write_text(
        COURSE.replace("target_minutes: 1", f"target_minutes: {minutes}"), encoding="utf-8"
    )
    assert load_course(root).warnings == ()
    assert main(["check", "--strict", str(root)]) == 0
    assert main(["check", "--quiz-report", str(root)]) == 0
    assert main(["check", "--quiz-report", "--strict", str(root)]) == 1
