"""The « relevé d'activité » of a cohort, for its trainers: CSV for French Excel, and PDF.

Per learner or for the whole cohort: each working stretch with its dates and times,
the measured and the validated time per module, the total against the path's
duration, the best scores and the completion date, and the sentence that says how
time is measured (course/activity_report.py). The PDF (server/releve_pdf.py) prints
the same rows, made off the event loop by the PDF pool like the other documents.
Trainers of the cohort and admins only: anyone else gets the 404 `trainer_cohort` gives.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

from starlette.requests import Request
from starlette.responses import Response

from course.activity import Stretch
from course.activity_report import HEADER, METHOD, Message, learner_rows, local
from course.models import Course, Path
from course.reporting import LearnerReport
from server import clock
from server.exports import neutralise, spreadsheet_writer
from server.pdf_pool import PdfPool, version
from server.releve_pdf import Provider, ReleveFacts, learner_part, moment_fr, releve_pdf
from server.state import state
from server.storage import Storage
from server.storage.records import Cohort, User
from server.views.trainer import _learner, present, reports_for, trainer_cohort
from server.web import course, storage

# What the relevé of some learners reads: their reports, stretches and exchanges.
Gathered = tuple[Path, list[LearnerReport], dict[int, list[Stretch]], dict[int, list[Message]]]


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


async def gather(request: Request, cohort: Cohort, one: bool) -> Gathered:
    """The cohort's learners (or the one the URL names) and what their relevé prints."""
    reports = present(await reports_for(request, cohort))
    if one:
        reports = [_learner(reports, request)]
    path = course(request).path(cohort.path_id)
    assert path is not None  # reports_for has checked it
    db = storage(request)
    found = await db.stretches_of([r.user_id for r in reports])
    said = {r.user_id: await messages(db, cohort.id, r.user_id) for r in reports}
    return path, reports, found, said


async def cohort_releve(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    path, reports, found, said = await gather(request, cohort, one=False)
    text = releve_csv(course(request), path, reports, found, said)
    return _response(text, f"releve-activite-groupe-{cohort.id}.csv")


async def learner_releve(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    path, reports, found, said = await gather(request, cohort, one=True)
    text = releve_csv(course(request), path, reports, found, said)
    return _response(text, f"releve-activite-groupe-{cohort.id}-{reports[0].user_id}.csv")


async def releve_facts(
    request: Request, cohort: Cohort, gathered: Gathered, one: bool
) -> ReleveFacts:
    """What the PDF prints: the CSV's rows per learner, with the provider and the cohort."""
    path, reports, found, said = gathered
    the_course = course(request)
    moment = clock.moment()
    settings = state(request).settings
    trainers = await storage(request).cohort_trainers(cohort.id)
    learners = tuple(
        learner_part(
            learner_rows(
                the_course,
                path,
                (r.name, r.email),
                r.progress,
                found.get(r.user_id, []),
                moment,
                said.get(r.user_id, []),
            )
        )
        for r in reports
    )
    return ReleveFacts(
        provider=Provider(settings.organisation, settings.provider_address, settings.provider_nda),
        course_title=the_course.title,
        path_title=path.title,
        cohort_name=cohort.name,
        trainers=tuple(t["name"] for t in trainers if t["name"]),
        made_at=moment_fr(local(moment)),
        learners=learners,
        about=reports[0].name if one else cohort.name,
    )


async def _pdf(request: Request, user: User, facts: ReleveFacts, filename: str) -> Response:
    pool: PdfPool = state(request).pdf_pool
    # One relevé in the making per trainer; the same facts (same minute) come from the cache.
    pdf = await pool.get(("releve", user.id), ("releve", version(facts)), releve_pdf, facts)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )


async def cohort_releve_pdf(request: Request) -> Response:
    user, cohort = await trainer_cohort(request)
    gathered = await gather(request, cohort, one=False)
    facts = await releve_facts(request, cohort, gathered, one=False)
    return await _pdf(request, user, facts, f"releve-activite-groupe-{cohort.id}.pdf")


async def learner_releve_pdf(request: Request) -> Response:
    user, cohort = await trainer_cohort(request)
    gathered = await gather(request, cohort, one=True)
    facts = await releve_facts(request, cohort, gathered, one=True)
    user_id = gathered[1][0].user_id
    return await _pdf(request, user, facts, f"releve-activite-groupe-{cohort.id}-{user_id}.pdf")
