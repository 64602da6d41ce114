"""The « relevé d'activité » of a cohort, for its trainers: CSV for French Excel.

Per learner or for the whole cohort: each working stretch with its dates and times,
the measured and the validated time per module, the total against the path's
duration, the best scores and the completion date, and the sentence that says how
time is measured (course/activity_report.py). Trainers of the cohort and admins
only: anyone else gets the 404 `trainer_cohort` gives.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

from starlette.requests import Request
from starlette.responses import Response

from course.activity import Stretch
from course.activity_report import HEADER, METHOD, Message, learner_rows
from course.models import Course, Path
from course.reporting import LearnerReport
from server import clock
from server.exports import neutralise, spreadsheet_writer
from server.storage import Storage
from server.views.trainer import _learner, present, reports_for, trainer_cohort
from server.web import course, storage


def releve_csv(
    course_: Course,
    path: Path,
    reports: Sequence[LearnerReport],
    stretches: dict[int, list[Stretch]],
    exchanges: dict[int, list[Message]] | None = None,
) -> str:
    """The whole relevé as `;`-separated text with a UTF-8 BOM."""
    buffer = io.StringIO()
    writer = spreadsheet_writer(buffer)
    moment = clock.moment()
    writer.writerow([neutralise(h) for h in HEADER])
    for report in reports:
        rows: Iterator[list[object]] = learner_rows(
            course_,
            path,
            (report.name, report.email),
            report.progress,
            stretches.get(report.user_id, []),
            moment,
            (exchanges or {}).get(report.user_id, []),
        )
        width = len(HEADER)
        writer.writerows(
            [neutralise(v) for v in [*row, *[""] * (width - len(row))]] for row in rows
        )
    writer.writerow([neutralise("Méthode de mesure"), neutralise(METHOD)])
    return "\ufeff" + buffer.getvalue()


async def messages(db: Storage, cohort_id: int, user_id: int) -> list[Message]:
    """The learner's exchanges with the cohort's trainers, as the relevé lists them."""
    found = await db.learner_exchanges(cohort_id, user_id)
    return [(e.module_id, e.at, e.author_name, e.from_trainer, e.body) for e in found]


def _response(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


async def cohort_releve(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    reports = present(await reports_for(request, cohort))
    path = course(request).path(cohort.path_id)
    assert path is not None  # reports_for has checked it
    db = storage(request)
    found = await db.stretches_of([r.user_id for r in reports])
    said = {r.user_id: await messages(db, cohort.id, r.user_id) for r in reports}
    text = releve_csv(course(request), path, reports, found, said)
    return _response(text, f"releve-activite-groupe-{cohort.id}.csv")


async def learner_releve(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    report = _learner(present(await reports_for(request, cohort)), request)
    path = course(request).path(cohort.path_id)
    assert path is not None
    db = storage(request)
    found = await db.stretches_of([report.user_id])
    said = {report.user_id: await messages(db, cohort.id, report.user_id)}
    text = releve_csv(course(request), path, [report], found, said)
    return _response(text, f"releve-activite-groupe-{cohort.id}-{report.user_id}.csv")
