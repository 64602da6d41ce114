"""Grade a quiz submission on the server; the browser never sees the answers first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from course.models import Module, Question


class AnswerError(ValueError):
    """A submission that cannot be graded; the message is shown to the learner."""

    def __init__(self, message: str, missing: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.missing = tuple(missing)  # ids of the questions left unanswered, in order


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
    module: Module,
    fields: Iterable[tuple[str, object]],
    ignore: frozenset[str] = frozenset(),
    asked: Sequence[Question] | None = None,
) -> dict[str, frozenset[str]]:
    """Check a submitted form against the attempt's questions; refuse anything odd.

    `asked` is what the attempt showed (a draw from the pool); by default, every
    question of the module.
    """
    asked = module.questions if asked is None else asked
    asked_ids = {q.id for q in asked} if asked is not module.questions else None
    chosen: dict[str, list[str]] = {}
    for name, value in fields:
        if name in ignore:
            continue
        question = module.question(name)
        if question is None or (asked_ids is not None and name not in asked_ids):
            raise AnswerError("Le formulaire contient une réponse à une question inconnue.")
        if not isinstance(value, str) or value not in question.choice_ids:
            # A file sent in place of a choice (a multipart form) is refused here too.
            raise AnswerError("Une réponse ne correspond à aucun choix proposé.")
        answers = chosen.setdefault(name, [])
        if value in answers or (not question.spec.several_right and answers):
            raise AnswerError("Une même question a reçu plusieurs réponses incompatibles.")
        answers.append(value)
    missing = [q.id for q in asked if q.id not in chosen]
    if missing:
        count = len(missing)
        raise AnswerError(
            f"Répondez à toutes les questions avant de valider\u00a0: {count} "
            f"{'question est restée' if count == 1 else 'questions sont restées'} sans réponse.",
            missing,
        )
    return {qid: frozenset(values) for qid, values in chosen.items()}


def grade(
    module: Module,
    answers: dict[str, frozenset[str]],
    threshold: int,
    asked: Sequence[Question] | None = None,
) -> QuizResult:
    """The kind's rule per question; the score is the share of asked questions answered right."""
    results = []
    for question in module.questions if asked is None else asked:
        chosen = answers.get(question.id, frozenset())
        results.append(
            QuestionResult(question, chosen, question.spec.is_right(chosen, question.correct_ids))
        )
    right = sum(r.correct for r in results)
    score = round(100 * right / len(results)) if results else 100
    return QuizResult(tuple(results), score, score >= threshold, threshold, right)
