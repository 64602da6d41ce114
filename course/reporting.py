"""Trainers' views of a cohort: per-learner progress, summary, per-question success.

Pure functions over plain data, so the dashboard, the CSV export and the JSON
API all say the same thing.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from course.models import Course, Module, Path, Question
from course.progress import Status, overdue

STATES = {"not_started": "Pas commencé", "in_progress": "En cours", "completed": "Terminé"}


class Cell(NamedTuple):
    """One learner × one module; a tuple, since a dashboard holds tens of thousands."""

    module_id: str
    status: Status
    best_score: int | None
    attempts: int


@dataclass(frozen=True)
class LearnerReport:
    """A learner's row; cells are built only when shown, as sorting needs just the totals."""

    user_id: int
    name: str
    email: str
    path: Path
    progress: Mapping[str, tuple[int, int | None, str | None]]
    percent: int
    started: bool
    last_activity: str | None
    certificate_id: str | None
    late: bool
    deleted: bool = False  # the account was deleted: « compte supprimé », in no export
    email_confirmed: bool = True  # unconfirmed: the trainer sees « adresse non confirmée »

    @property
    def state(self) -> str:
        if self.percent == 100:
            return "completed"
        return "in_progress" if self.started else "not_started"

    @cached_property
    def cells(self) -> tuple[Cell, ...]:
        cells = []
        for module_id in self.path.module_ids:
            found = self.progress.get(module_id)
            if found is None:
                cells.append(Cell(module_id, Status.TODO, None, 0))
            else:
                attempts, best, completed_at = found
                status = Status.STARTED if completed_at is None else Status.DONE
                cells.append(Cell(module_id, status, best, attempts))
        return tuple(cells)


@dataclass(frozen=True)
class Summary:
    learners: int
    started: int
    completed: int
    median_percent: float
    late: int


@dataclass(frozen=True)
class QuestionRate:
    module: Module
    question: Question
    answered: int
    right: int

    @property
    def rate(self) -> float | None:
        return self.right / self.answered if self.answered else None


def learner_report(
    path: Path,
    member: tuple[int, str, str],
    progress: Mapping[str, tuple[int, int | None, str | None]],
    last_activity: str | None,
    certificate_id: str | None,
    due_date: str | None,
    today: str,
    deleted: bool = False,
    email_confirmed: bool = True,
) -> LearnerReport:
    """One learner's row; `progress` maps module id -> (attempts, best score, completed at)."""
    done = started = 0
    for module_id in path.module_ids:
        found = progress.get(module_id)
        if found is not None:
            started = 1
            done += found[2] is not None
    total = len(path.module_ids)
    percent = round(100 * done / total) if total else 0
    late = not deleted and overdue(due_date, today, done, total)
    user_id, name, email = member
    return LearnerReport(
        user_id,
        name,
        email,
        path,
        progress,
        percent,
        bool(started),
        last_activity,
        certificate_id,
        late,
        deleted,
        email_confirmed,
    )


def summary(reports: list[LearnerReport]) -> Summary:
    percents = [r.percent for r in reports]
    return Summary(
        learners=len(reports),
        started=sum(r.state != "not_started" for r in reports),
        completed=sum(r.state == "completed" for r in reports),
        median_percent=statistics.median(percents) if percents else 0,
        late=sum(r.late for r in reports),
    )


SORTS = {
    "nom": lambda r: (r.name.casefold(), r.user_id),
    "progression": lambda r: (-r.percent, r.name.casefold()),
    "activite": lambda r: (r.last_activity or "", r.name.casefold()),
}
FILTERS = {
    "tous": lambda r: True,
    "pas-commence": lambda r: r.state == "not_started",
    "en-cours": lambda r: r.state == "in_progress",
    "en-retard": lambda r: r.late,
    "termine": lambda r: r.state == "completed",
}


def sort_and_filter(reports: list[LearnerReport], sort: str, keep: str) -> list[LearnerReport]:
    chosen = [r for r in reports if FILTERS.get(keep, FILTERS["tous"])(r)]
    key = SORTS.get(sort, SORTS["nom"])
    return sorted(chosen, key=key, reverse=sort == "activite")


def question_rates(
    course: Course, path: Path, attempts: Iterable[tuple[str, str]]
) -> list[QuestionRate]:
    """Success rate of each question over every attempt, worst first.

    `attempts` are (module_id, answers as JSON). Answers are judged against the
    current content, so a corrected question shows its current rate.
    """
    tally: dict[str, list[int]] = {}
    for module_id, raw in attempts:
        module = course.modules.get(module_id)
        if module is None:
            continue
        answers = json.loads(raw)
        for question in module.questions:
            if question.id in answers:
                right = frozenset(answers[question.id]) == question.correct_ids
                counts = tally.setdefault(question.id, [0, 0])
                counts[0] += 1
                counts[1] += right
    rates = [
        QuestionRate(module, q, *tally.get(q.id, [0, 0]))
        for module in course.path_modules(path)
        for q in module.questions
    ]
    return sorted(rates, key=lambda r: (r.rate is None, r.rate if r.rate is not None else 0))
