"""Satisfaction questionnaires (issue #18 §3): reading a learner's form, summing the answers.

The answers are anonymous (server/storage/satisfaction.py); what is shown of them is
counts, averages, the spread of each 1–5 rating and the free-text answers. A trainer
sees a cohort's results only from five respondents on: below that, a learner could be
recognised by their answers.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from course.satisfaction import SCALE, Questionnaire, SatisfactionQuestion
from server.exports import neutralise, spreadsheet_writer
from server.storage.satisfaction import Answers, SatisfactionAnswer

MIN_RESPONDENTS = 5  # below this, trainers see only « moins de 5 réponses »
MAX_TEXT = 2_000
SCALE_LABELS = {
    1: "1 — pas du tout d’accord",
    2: "2",
    3: "3",
    4: "4",
    5: "5 — tout à fait d’accord",
}


def read_answers(
    questionnaire: Questionnaire, form: Mapping[str, str]
) -> tuple[Answers, dict[str, str]]:
    """The answers given (every question is optional) and the errors, keyed by field id."""
    answers: Answers = {}
    errors: dict[str, str] = {}
    for question in questionnaire.questions:
        field = f"q-{question.id}"
        raw = (form.get(field) or "").strip()
        if not raw:
            continue
        if question.kind == "rating":
            if raw not in {str(n) for n in SCALE}:
                errors[field] = (
                    f"«\u00a0{question.label}\u00a0»\u00a0: choisissez une note de 1 à 5."
                )
            else:
                answers[question.id] = int(raw)
        elif len(raw) > MAX_TEXT:
            errors[field] = f"Votre réponse dépasse {MAX_TEXT}\u00a0caractères ({len(raw)})."
        else:
            answers[question.id] = raw
    return answers, errors


@dataclass(frozen=True)
class RatingSummary:
    question: SatisfactionQuestion
    count: int
    average: float | None
    distribution: tuple[int, ...]  # how many gave 1, 2, 3, 4, 5


@dataclass(frozen=True)
class Summary:
    respondents: int
    asked: int
    ratings: tuple[RatingSummary, ...]
    texts: tuple[tuple[SatisfactionQuestion, tuple[str, ...]], ...]

    @property
    def rate(self) -> float | None:
        """Respondents out of the learners asked; None when nobody was asked."""
        return self.respondents / self.asked if self.asked else None


def summarise(
    questionnaire: Questionnaire, answers: Sequence[SatisfactionAnswer], asked: int
) -> Summary:
    """Counts, averages and spread per rating; the free-text answers, oldest first."""
    ratings = []
    texts = []
    for question in questionnaire.questions:
        given = [a.answers.get(question.id) for a in answers]
        if question.kind == "rating":
            marks = [g for g in given if isinstance(g, int) and g in SCALE]
            average = sum(marks) / len(marks) if marks else None
            spread = tuple(marks.count(n) for n in SCALE)
            ratings.append(RatingSummary(question, len(marks), average, spread))
        else:
            texts.append((question, tuple(g for g in given if isinstance(g, str) and g)))
    return Summary(len(answers), max(asked, len(answers)), tuple(ratings), tuple(texts))


def decimal(value: float | None) -> str:
    """An average the French way: one decimal, comma."""
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def csv_text(questionnaire: Questionnaire, answers: Sequence[SatisfactionAnswer]) -> str:
    """One row per answer (path, cohort id, month, then each question): for a spreadsheet."""
    buffer = io.StringIO()
    writer = spreadsheet_writer(buffer)
    header = ["Parcours", "Groupe", "Mois"] + [q.label for q in questionnaire.questions]
    writer.writerow([neutralise(h) for h in header])
    for answer in answers:
        row: list[object] = [answer.path_id, answer.cohort_id or "", answer.month]
        row += [answer.answers.get(q.id, "") for q in questionnaire.questions]
        writer.writerow([neutralise(v) for v in row])
    return "\ufeff" + buffer.getvalue()
