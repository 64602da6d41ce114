"""The learner's side of cohorts: joining by link, « Mes formations », sharing the plan."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from course.progress import path_progress
from server import urls
from server.clock import now
from server.ids import path_id
from server.storage.records import Cohort
from server.templating import render
from server.views.learning import certificates_of
from server.web import course, current_user, read_form, redirect, require_user, storage

GONE = "Ce lien d'invitation n'est plus valable. Demandez un nouveau lien à votre formateur."


async def _open_cohort(request: Request) -> Cohort:
    code = request.path_params["code"]
    cohort = await storage(request).cohort_by_code(code) if len(code) < 64 else None
    if cohort is None or not cohort.join_enabled or cohort.archived_at:
        raise HTTPException(404, GONE)
    return cohort


async def join_page(request: Request) -> Response:
    cohort = await _open_cohort(request)
    await current_user(request)
    path = course(request).path(cohort.path_id)
    return render(request, "join.html", {"cohort": cohort, "path": path})


async def join(request: Request) -> Response:
    cohort = await _open_cohort(request)
    user = await require_user(request)
    await read_form(request)
    db = storage(request)
    await db.join_cohort(cohort.id, user.id, now())
    await db.enrol(user.id, cohort.path_id)
    return redirect(urls.my_trainings() + "?groupe=rejoint")


async def my_trainings(request: Request) -> Response:
    user = await require_user(request)
    db = storage(request)
    progress = await db.progress(user.id)
    rows = []
    for cohort, trainers, shared in await db.learner_cohorts(user.id):
        path = course(request).path(cohort.path_id)
        overview = path_progress(course(request), path, progress) if path else None
        rows.append((cohort, path, overview, trainers, shared))
    complete = [row[2] for row in rows if row[2] is not None and row[2].complete]
    issued = {}
    if complete:
        issued = await certificates_of(request, user, complete)  # a crash may have left one out
    invitations = await db.learner_invitations(user.id)
    questions: dict[int, list] = {}  # the learner's threads with each cohort's trainers
    for thread in await db.learner_questions(user.id) if rows else ():
        questions.setdefault(thread.cohort_id, []).append(thread)
    return render(
        request,
        "mes_formations.html",
        {"rows": rows, "invitations": invitations, "issued": issued, "questions": questions},
    )


async def share_plan(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    cohort_id = path_id(request, "cohort_id")
    mine = {c.id for c, _, _ in await storage(request).learner_cohorts(user.id)}
    if cohort_id not in mine:
        raise HTTPException(404)
    await storage(request).set_plan_shared(cohort_id, user.id, form.get("share") == "1")
    return redirect(urls.my_trainings())
