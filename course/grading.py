"""Grade a quiz submission on the server; the browser never sees the answers first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from course.models import Kind, Module, Question


class AnswerError(ValueError):
    """A submission that cannot be graded; the message is shown to the learner."""


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    chosen: frozenset[str]
    correct: bool


@dataclass(frozen=True)
class QuizResult:
    results: tuple[QuestionResult, ...]
    score: int
    passed: bool
    threshold: int
    right: int


def parse_answers(
    module: Module, fields: Iterable[tuple[str, str]], ignore: frozenset[str] = frozenset()
) -> dict[str, frozenset[str]]:
    """Check a submitted form against the module's quiz; refuse anything odd, record nothing."""
    chosen: dict[str, list[str]] = {}
    for name, value in fields:
        if name in ignore:
            continue
        question = module.question(name)
        if question is None:
            raise AnswerError("Le formulaire contient une réponse à une question inconnue.")
        if value not in question.choice_ids:
            raise AnswerError("Une réponse ne correspond à aucun choix proposé.")
        answers = chosen.setdefault(name, [])
        if value in answers or (question.kind is not Kind.MULTIPLE and answers):
            raise AnswerError("Une même question a reçu plusieurs réponses incompatibles.")
        answers.append(value)
    missing = [q for q in module.questions if q.id not in chosen]
    if missing:
        count = len(missing)
        raise AnswerError(
            f"Répondez à toutes les questions avant de valider\u00a0: {count} "
            f"{'question est restée' if count == 1 else 'questions sont restées'} sans réponse."
        )
    return {qid: frozenset(values) for qid, values in chosen.items()}


def grade(module: Module, answers: dict[str, frozenset[str]], threshold: int) -> QuizResult:
    """All-or-nothing per question; the score is the share of questions answered right."""
    results = []
    for question in module.questions:
        chosen = answers.get(question.id, frozenset())
        results.append(QuestionResult(question, chosen, chosen == question.correct_ids))
    right = sum(r.correct for r in results)
    score = round(100 * right / len(results)) if results else 100
    return QuizResult(tuple(results), score, score >= threshold, threshold, right)
