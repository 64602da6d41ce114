"""A learner's progress through a path: statuses, percentage, time left, next step.

Progress is keyed by module id, so it follows the learner from one path to a
longer one and survives content edits.

The progress rules, the reference both storage backends implement (each with a
trigger on `attempts`, so that recording an attempt is one statement) and
tests/test_storage_contract.py holds them to. For each learner and module:

1. every recorded quiz attempt counts: `attempts` is their number;
2. the best score is kept: a lower score never lowers `best_score`;
3. completion is never taken away: the first pass (or, for a module without a
   quiz, marking it done) sets `completed_at`, and no later attempt, pass or
   fail, changes it;
4. the passed quiz's signature is remembered: `quiz_signature` is that of the
   quiz version last passed (a later failure keeps it), so a page can say
   « mis à jour » once editors change a quiz the learner passed;
5. the first attempt (or completion) in a path enrols the learner in it;
6. an attempt is recorded only while its session lasts, only if it is the
   learner's next one (`attempt_no` equal to the attempts counted so far, when
   the quiz form gave one), and only below the attempt limits
   (server/attempt_limits.py); submissions that arrive together pass these
   guards one at a time, so two passes of one module at once count two
   attempts, and two submissions of one attempt number store one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from course.models import Course, Module, Path


@dataclass(frozen=True)
class ModuleProgress:
    module_id: str
    attempts: int = 0
    best_score: int | None = None
    completed_at: str | None = None
    quiz_signature: str | None = None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


def quiz_updated(module: Module, progress: ModuleProgress | None) -> bool:
    """Passed on a quiz that editors have since changed: worth a « mis à jour » badge."""
    return bool(
        progress
        and progress.completed
        and module.questions
        and progress.quiz_signature
        and progress.quiz_signature != module.quiz_signature
    )


class Status(StrEnum):
    TODO = "à faire"
    STARTED = "en cours"
    DONE = "terminé"


def status(progress: ModuleProgress | None) -> Status:
    if progress is None:
        return Status.TODO
    return Status.DONE if progress.completed else Status.STARTED


@dataclass(frozen=True)
class Step:
    module: Module
    status: Status
    progress: ModuleProgress | None

    @property
    def updated(self) -> bool:
        return quiz_updated(self.module, self.progress)


@dataclass(frozen=True)
class PathProgress:
    path: Path
    steps: tuple[Step, ...]

    @property
    def done(self) -> int:
        return sum(step.status is Status.DONE for step in self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.steps)) if self.steps else 0

    @property
    def minutes_left(self) -> int:
        return sum(s.module.duration for s in self.steps if s.status is not Status.DONE)

    @property
    def complete(self) -> bool:
        return self.done == len(self.steps)

    @property
    def started(self) -> bool:
        return any(step.status is not Status.TODO for step in self.steps)

    @property
    def status(self) -> Status:
        """The whole path's state, in the words a module's badge uses."""
        if self.complete:
            return Status.DONE
        return Status.STARTED if self.started else Status.TODO

    def late(self, due_date: str | None, today: str) -> bool:
        """Past the cohort's due date and not finished."""
        return overdue(due_date, today, self.done, len(self.steps))

    @property
    def next_step(self) -> Step | None:
        """The first unfinished module, in path order: where « Reprendre » leads."""
        return next((s for s in self.steps if s.status is not Status.DONE), None)


def overdue(due_date: str | None, today: str, done: int, total: int) -> bool:
    """The one lateness rule, for the trainer's dashboard and the learner's home page.

    Dates are ISO strings (YYYY-MM-DD), so text order is date order; the due day
    itself is still on time.
    """
    return bool(due_date) and today > str(due_date) and done < total


def path_progress(
    course: Course, path: Path, progress: Mapping[str, ModuleProgress]
) -> PathProgress:
    steps = tuple(
        Step(module, status(progress.get(module.id)), progress.get(module.id))
        for module in course.path_modules(path)
    )
    return PathProgress(path, steps)


def neighbours(path: Path, module_id: str) -> tuple[str | None, str | None]:
    """Previous and next module ids in the path, for navigation."""
    index = path.index(module_id)
    before = path.module_ids[index - 1] if index > 0 else None
    after = path.module_ids[index + 1] if index + 1 < len(path.module_ids) else None
    return before, after
