"""« Ma formation »: the learner's cohorts on the home page, with due date and lateness."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.requests import Request

from course.certificates import Certificate
from course.models import Path
from course.progress import ModuleProgress, PathProgress, path_progress
from server.storage import User
from server.storage.records import Cohort
from server.views.trainer import today
from server.web import course, storage


@dataclass(frozen=True)
class Training:
    """One cohort the learner belongs to, as the home page shows it."""

    cohort: Cohort
    path: Path
    overview: PathProgress
    late: bool
    certificate: Certificate | None


async def trainings(
    request: Request,
    user: User,
    progress: Mapping[str, ModuleProgress],
    issued: Mapping[str, Certificate],
) -> list[Training]:
    """The learner's open cohorts whose path still exists.

    Archived groups stay on « Mes formations » only: they no longer set a due date.
    """
    day = today()
    found = []
    for cohort, _, _ in await storage(request).learner_cohorts(user.id):
        path = course(request).path(cohort.path_id)
        if path is None or cohort.archived_at:
            continue
        overview = path_progress(course(request), path, progress)
        late = overview.late(cohort.due_date, day)
        found.append(Training(cohort, path, overview, late, issued.get(path.id)))
    return found


async def plan_readers(request: Request, user_id: int) -> tuple[str, ...]:
    """The groups whose trainers can read the learner's plan: the reflection labels say so."""
    rows = await storage(request).learner_cohorts(user_id)
    return tuple(cohort.name for cohort, _, shared in rows if shared and not cohort.archived_at)
