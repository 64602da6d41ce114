"""Trainers' pages: their cohorts, the dashboard, a learner's detail, exports."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from course import reporting
from course.option_counts import option_counts
from course.plan import heading
from course.reporting import LearnerReport
from server import urls
from server.clock import now, today
from server.exports import csv_rows, json_report
from server.ids import bounded_int, page_number, path_id
from server.reminders import parse_rules
from server.state import snapshot, state
from server.storage import User
from server.storage.records import Cohort
from server.templating import render
from server.web import course, read_form, redirect, require_role, require_user, storage, text_field

PAGE_SIZE = 50
MAX_NAME = 120
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NOTICES = {
    "lien-remplace": "Nouveau lien créé\u00a0: l’ancien ne fonctionne plus.",
    "lien-desactive": "Lien désactivé\u00a0: il ne permet plus de rejoindre le groupe.",
    "lien-reactive": "Lien réactivé\u00a0: il permet de nouveau de rejoindre le groupe.",
    "retire": "La personne a été retirée du groupe\u00a0; sa progression lui reste acquise.",
    "formateur": "Co-formateur ajouté au groupe.",
    "invitation-envoyee": "Message d’invitation enregistré\u00a0: il part dans quelques instants.",
    "reglages": "Réglages du groupe enregistrés.",
}
DONE = {"rotate": "lien-remplace", "disable": "lien-desactive", "enable": "lien-reactive"}
NO_TRAINER = (
    "Aucun formateur ne correspond à cette adresse\u00a0: la personne doit avoir un compte "
    "avec le rôle formateur."
)


def new_join_code() -> str:
    return secrets.token_urlsafe(12)  # 96 random bits: a link nobody can guess


async def trainer_cohort(request: Request) -> tuple[User, Cohort]:
    """The cohort if the signed-in user trains it (or is admin); 404 otherwise, never 403.

    An instructor launched from a platform trains its course's cohort without the site's
    trainer role (issue #17 §3): training the cohort is the right; without the role and
    without this cohort, the 403 of any trainer page."""
    user = await require_user(request)
    if not (user.has("trainer") or user.has("admin")):
        cohort_id = bounded_int(request.path_params["cohort_id"])
        db = storage(request)
        found = None if cohort_id is None else await db.trainer_cohort(cohort_id, user.id)
        if found is None:
            await require_role(request, "trainer", "admin")
        assert found is not None
        return user, found
    cohort_id = path_id(request, "cohort_id")
    db = storage(request)
    found = (
        await db.cohort(cohort_id)
        if user.has("admin")
        else await db.trainer_cohort(cohort_id, user.id)
    )
    if found is None:
        raise HTTPException(404, "Ce groupe n'existe pas ou vous n'en êtes pas formateur.")
    return user, found


def _cohort_form(form: FormData) -> tuple[str, str | None, dict[str, str]]:
    """Name and due date, with each error keyed by the id of its field."""
    errors = {}
    name = " ".join(text_field(form, "name").split())
    due = text_field(form, "due_date") or None
    if not name:
        errors["name"] = "Donnez un nom au groupe."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Le nom ne doit pas dépasser {MAX_NAME} caractères."
    if due and not DATE.match(due):
        errors["due_date"] = "La date d'échéance doit être au format AAAA-MM-JJ."
    elif due:
        try:
            datetime.fromisoformat(due)
        except ValueError:
            errors["due_date"] = "Cette date d'échéance n'existe pas."
    return name, due, errors


async def summaries(request: Request, cohorts: list[Cohort]) -> dict[int, reporting.Summary]:
    """Each cohort's progress at a glance, for the list; a cohort whose path is gone has none."""
    return {
        c.id: reporting.summary(present(await reports_for(request, c)))
        for c in cohorts
        if course(request).path(c.path_id) is not None
    }


async def cohorts_page(request: Request) -> Response:
    """The cohorts one trains; and, for the site's trainers, the form that creates one
    (a platform's instructor trains their course's cohort only: issue #17 §3)."""
    user = await require_user(request)
    cohorts = await storage(request).trainer_cohorts(user.id)
    may_create = user.has("trainer") or user.has("admin")
    if not may_create and not cohorts:
        await require_role(request, "trainer", "admin")
    return render(
        request,
        "trainer/cohorts.html",
        {
            "may_create": may_create,
            "cohorts": cohorts,
            "summaries": await summaries(request, cohorts),
            "errors": {},
            "values": {},
            "today": today(),
        },
    )


async def create_cohort(request: Request) -> Response:
    user = await require_role(request, "trainer", "admin")
    form = await read_form(request)
    name, due, errors = _cohort_form(form)
    path_id = text_field(form, "path_id")
    if course(request).path(path_id) is None:
        errors["path_id"] = "Choisissez le parcours du groupe."
    if due and "due_date" not in errors and due < today() and not form.get("past_ok"):
        errors["due_date"] = (
            "Cette date d’échéance est déjà passée\u00a0: tous les apprenants seraient en retard "
            "dès leur arrivée. Corrigez-la, ou cochez «\u00a0Garder cette date passée\u00a0»."
        )
    if errors:
        cohorts = await storage(request).trainer_cohorts(user.id)
        values = {"name": name, "due_date": due or "", "path_id": path_id}
        return render(
            request,
            "trainer/cohorts.html",
            {
                "cohorts": cohorts,
                "summaries": await summaries(request, cohorts),
                "errors": errors,
                "values": values,
                "today": today(),
            },
            status=400,
        )
    cohort_id = await storage(request).create_cohort(
        name, path_id, due, user.id, new_join_code(), now()
    )
    return redirect(urls.cohort(cohort_id))


async def reports_for(request: Request, cohort: Cohort) -> list[LearnerReport]:
    path = course(request).path(cohort.path_id)
    if path is None:
        raise HTTPException(404, "Le parcours de ce groupe n'existe plus.")
    db = storage(request)
    members = await db.members(cohort.id, path.module_ids)
    certificates = await db.cohort_certificates(cohort.id, path.id)
    day = today()
    return [
        reporting.learner_report(
            path,
            (m.user_id, m.name, m.email),
            m.progress,
            m.last_activity,
            certificates.get(m.user_id),
            cohort.due_date,
            day,
            m.deleted,
            m.email_confirmed,
        )
        for m in members
    ]


def present(reports: list[LearnerReport]) -> list[LearnerReport]:
    """The learners whose account still exists: a deleted one is in no figure or export."""
    return [r for r in reports if not r.deleted]


async def dashboard(
    request: Request,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The cohort's page; a co-trainer form error comes back here, under its field."""
    _, cohort = await trainer_cohort(request)
    reports = await reports_for(request, cohort)
    sort = request.query_params.get("tri", "nom")
    keep = request.query_params.get("filtre", "tous")
    shown = reporting.sort_and_filter(reports, sort, keep)
    page = page_number(request)
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(page, pages)
    db = storage(request)
    from server.views import reminders as reminder_views  # it imports this module

    return render(
        request,
        "trainer/dashboard.html",
        {
            "cohort": cohort,
            "path": course(request).path(cohort.path_id),
            "summary": reporting.summary(present(reports)),
            "rows": shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
            "shown": len(shown),
            "page": page,
            "pages": pages,
            "sort": sort if sort in reporting.SORTS else "nom",
            "keep": keep if keep in reporting.FILTERS else "tous",
            "trainers": await db.cohort_trainers(cohort.id),
            "platform_course": await db.lti_context_of_cohort(cohort.id),  # issue #17 §3
            "invitations": await db.pending_invitations(cohort.id),
            "join_url": f"{state(request).settings.base_url}{urls.join(cohort.join_code)}",
            "errors": errors or {},
            "values": values or {},
            "notice": NOTICES.get(request.query_params.get("fait", "")),
            **await reminder_views.dashboard_context(request, cohort),
        },
        status=status,
    )


async def update_cohort(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    form = await read_form(request)
    name, due, errors = _cohort_form(form)
    rules, rule_errors = parse_rules(form)
    errors |= rule_errors
    if errors:
        raise HTTPException(400, " ".join(errors.values()))
    archived = cohort.archived_at or now() if form.get("archived") else None
    await storage(request).save_cohort_settings(cohort.id, name, due, archived, rules)
    return redirect(urls.cohort(cohort.id) + "?fait=reglages#reglages")


async def join_link(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    form = await read_form(request)
    action = text_field(form, "action")
    if action not in ("rotate", "disable", "enable"):
        raise HTTPException(400, "Action inconnue sur le lien d'invitation.")
    code = new_join_code() if action == "rotate" else cohort.join_code
    enabled = cohort.join_enabled if action == "rotate" else action == "enable"
    await storage(request).set_join_link(cohort.id, code, enabled)
    return redirect(f"{urls.cohort(cohort.id)}?fait={DONE[action]}#invitation")


async def add_trainer(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    form = await read_form(request)
    email = text_field(form, "email").lower()
    other = await storage(request).user_by_email(email) if email else None
    if other is None or not (other.has("trainer") or other.has("admin")):
        return await dashboard(request, {"trainer-email": NO_TRAINER}, {"email": email}, 400)
    await storage(request).add_trainer(cohort.id, other.id)
    return redirect(urls.cohort(cohort.id) + "?fait=formateur#formateurs")


def _learner(reports: list[LearnerReport], request: Request) -> LearnerReport:
    user_id = path_id(request, "user_id")
    found = next((r for r in reports if r.user_id == user_id), None)
    if found is None:
        raise HTTPException(404, "Cette personne ne fait pas partie du groupe.")
    return found


async def learner_detail(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    report = _learner(await reports_for(request, cohort), request)
    if report.deleted:  # nothing left to show about a person who deleted their account
        raise HTTPException(404, "Le compte de cette personne a été supprimé.")
    db = storage(request)
    shared = next(
        (shared for c, _, shared in await db.learner_cohorts(report.user_id) if c.id == cohort.id),
        False,
    )
    answers = {}
    if shared:
        answers = {rid: a for rid, (a, _) in (await db.reflections(report.user_id)).items()}
    path = course(request).path(cohort.path_id)
    assert path is not None  # reports_for has checked it
    return render(
        request,
        "trainer/learner.html",
        {
            "cohort": cohort,
            "path": path,
            "attempts": await db.learner_attempts(report.user_id, path.module_ids),
            "questions": await db.cohort_learner_questions(cohort.id, report.user_id),
            "report": report,
            "shared": shared,
            "answers": answers,
            "sections": snapshot(request).plan_sections,
            "heading": heading,
        },
    )


async def remove_member(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    await read_form(request)
    report = _learner(await reports_for(request, cohort), request)
    await storage(request).remove_member(cohort.id, report.user_id)
    return redirect(urls.cohort(cohort.id) + "?fait=retire")


async def questions(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    path = course(request).path(cohort.path_id)
    assert path is not None
    rows = await storage(request).cohort_answers(cohort.id, path.module_ids)
    pairs = [(r["module_id"], r["answers"]) for r in rows]
    rates = reporting.question_rates(course(request), path, pairs)
    known = {m.id: frozenset(q.id for q in m.questions) for m in course(request).path_modules(path)}
    return render(
        request,
        "trainer/questions.html",
        {"cohort": cohort, "path": path, "rates": rates, "picks": option_counts(known, pairs)},
    )


async def export_csv(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    reports = reporting.sort_and_filter(present(await reports_for(request, cohort)), "nom", "tous")
    path = course(request).path(cohort.path_id)
    assert path is not None
    filename = f"progression-groupe-{cohort.id}.csv"
    return StreamingResponse(
        csv_rows(course(request), path, reports),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


async def api_progress(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    reports = reporting.sort_and_filter(present(await reports_for(request, cohort)), "nom", "tous")
    path = course(request).path(cohort.path_id)
    assert path is not None
    return JSONResponse(json_report(cohort, path, reports))
