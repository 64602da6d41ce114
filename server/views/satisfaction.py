"""Satisfaction questionnaires (issue #18 §3): the learner's « à chaud » form and the results.

A learner who completed a path is offered a short, optional questionnaire once; the
answer is stored without their id (server/storage/satisfaction.py). Editors and admins
see the results per path and overall, with a CSV; trainers see their cohort's, only from
MIN_RESPONDENTS respondents on.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from course.models import Path
from course.progress import path_progress
from course.satisfaction import SCALE, Questionnaire
from server import clock, urls
from server.satisfaction import (
    MAX_TEXT,
    MIN_RESPONDENTS,
    SCALE_LABELS,
    csv_text,
    decimal,
    read_answers,
    summarise,
)
from server.satisfaction_mail import link_cutoff
from server.security import token_hash
from server.storage import User
from server.templating import render
from server.views.trainer import trainer_cohort
from server.web import course, read_form, redirect, require_role, require_user, storage

NONE = "Aucun questionnaire de satisfaction n’est proposé sur ce site."


def _questionnaire(request: Request, phase: str = "hot") -> Questionnaire:
    found = course(request).satisfaction
    questionnaire = found.phase(phase) if found else None
    if questionnaire is None:
        raise HTTPException(404, NONE)
    return questionnaire


def path_of(request: Request) -> Path:
    found = course(request).path(request.path_params["path_id"])
    if found is None:
        raise HTTPException(404, "Ce parcours n'existe pas.")
    return found


async def offer_opinion(request: Request, user: User, path_id: str) -> bool:
    """Whether the completed path's page offers the « à chaud » questionnaire; the first
    time, the offer is recorded, so the response rate counts who was asked."""
    if not course(request).satisfaction:
        return False
    db = storage(request)
    state = await db.satisfaction_state(user.id, path_id, "hot")
    if state is None:
        cohort_id = await _cohort_for(request, user, path_id)
        await db.offer_satisfaction(user.id, path_id, "hot", cohort_id, clock.now())
    return state in (None, "invited")


def _has_cold(request: Request) -> bool:
    found = course(request).satisfaction
    return bool(found and found.cold)


async def _cohort_for(request: Request, user: User, path_id: str) -> int | None:
    """The learner's cohort following this path (the first, if several), or None."""
    cohorts = await storage(request).learner_cohorts(user.id)
    return next((c.id for c, _, _ in cohorts if c.path_id == path_id), None)


async def learner_form(request: Request) -> Response:
    """GET: the questionnaire, once the path is complete; POST: the answers, or « non merci »."""
    path = path_of(request)
    questionnaire = _questionnaire(request)
    user = await require_user(request)
    # A forged or stale form is refused before anything else is said about the path.
    data = await read_form(request) if request.method == "POST" else None
    db = storage(request)
    overview = path_progress(course(request), path, await db.progress(user.id))
    if not overview.complete:
        raise HTTPException(404, "Ce questionnaire s’ouvre quand le parcours est terminé.")
    state = await db.satisfaction_state(user.id, path.id, "hot")
    done = state in ("answered", "declined")
    cohort_id = await _cohort_for(request, user, path.id)
    errors: dict[str, str] = {}
    form: dict[str, str] = {}
    if data is not None and not done:
        form = {k: v for k, v in data.items() if isinstance(v, str)}
        month = clock.now()[:7]
        if "decline" in form:
            await db.record_satisfaction(user.id, path.id, "hot", cohort_id, None, month)
            return redirect(urls.path(path.id))
        answers, errors = read_answers(questionnaire, form)
        if not errors:
            if answers:
                await db.record_satisfaction(user.id, path.id, "hot", cohort_id, answers, month)
            return redirect(urls.satisfaction(path.id) + "?merci=1")
    elif request.method == "GET" and state is None:
        await db.offer_satisfaction(user.id, path.id, "hot", cohort_id, clock.now())
    return render(
        request,
        "satisfaction/form.html",
        {
            "path": path,
            "questionnaire": questionnaire,
            "done": done,
            "thanks": request.query_params.get("merci") == "1",
            "form": form,
            "errors": errors,
            "scale": SCALE,
            "scale_labels": SCALE_LABELS,
            "max_text": MAX_TEXT,
            "action": urls.satisfaction(path.id),
            "by_link": False,
        },
        status=400 if errors else 200,
    )


GONE = "Ce lien a déjà servi ou a expiré : merci de votre intérêt."


async def link_form(request: Request) -> Response:
    """The « à froid » questionnaire from its e-mailed link: no sign-in, used once."""
    questionnaire = _questionnaire(request, "cold")
    hashed = token_hash(request.path_params["token"])
    data = await read_form(request) if request.method == "POST" else None
    db = storage(request)
    cutoff = link_cutoff(clock.moment())
    if request.query_params.get("merci") == "1":
        path_id: str | None = None
    else:
        path_id = await db.satisfaction_link_path(hashed, cutoff)
        if path_id is None:
            raise HTTPException(404, GONE)
    errors: dict[str, str] = {}
    form: dict[str, str] = {}
    if data is not None and path_id is not None:
        form = {k: v for k, v in data.items() if isinstance(v, str)}
        answers, errors = read_answers(questionnaire, form)
        if not errors:
            month = clock.now()[:7]
            if not await db.record_satisfaction_by_link(hashed, cutoff, answers, month):
                raise HTTPException(404, GONE)
            return redirect(request.url.path + "?merci=1")
    path = course(request).path(path_id) if path_id else None
    return render(
        request,
        "satisfaction/form.html",
        {
            "path": path,
            "questionnaire": questionnaire,
            "done": False,
            "thanks": path_id is None,
            "form": form,
            "errors": errors,
            "scale": SCALE,
            "scale_labels": SCALE_LABELS,
            "max_text": MAX_TEXT,
            "action": request.url.path,
            "by_link": True,
        },
        status=400 if errors else 200,
    )


async def _results(request: Request, phase: str, path_id: str | None) -> dict:
    questionnaire = _questionnaire(request, phase)
    db = storage(request)
    answers = await db.satisfaction_answers(phase, path_id)
    reach = await db.satisfaction_reach(phase, path_id)
    return {
        "questionnaire": questionnaire,
        "summary": summarise(questionnaire, answers, reach.asked),
        "answers": answers,
    }


def _choices(request: Request) -> tuple[str, str | None]:
    """The phase and path asked for in the query; unknown values are refused."""
    phase = request.query_params.get("questionnaire", "hot")
    path_id = request.query_params.get("parcours") or None
    if phase not in ("hot", "cold") or (path_id and course(request).path(path_id) is None):
        raise HTTPException(404, "Ce questionnaire ou ce parcours n’existe pas.")
    return phase, path_id


async def editor_results(request: Request) -> Response:
    """Per path or overall, à chaud or à froid: counts, averages, spread, free text."""
    await require_role(request, "editor", "admin")
    phase, path_id = _choices(request)
    context = await _results(request, phase, path_id)
    return render(
        request,
        "satisfaction/results.html",
        {
            **context,
            "phase": phase,
            "path_id": path_id,
            "paths": course(request).paths,
            "has_cold": _has_cold(request),
            "decimal": decimal,
            "cohort": None,
            "too_few": False,
        },
    )


async def editor_csv(request: Request) -> Response:
    await require_role(request, "editor", "admin")
    phase, path_id = _choices(request)
    context = await _results(request, phase, path_id)
    name = "-".join(
        p for p in ("satisfaction", "a-chaud" if phase == "hot" else "a-froid", path_id) if p
    )
    return Response(
        csv_text(context["questionnaire"], context["answers"]),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.csv"'},
    )


async def cohort_results(request: Request) -> Response:
    """A cohort's trainers see its results, only from MIN_RESPONDENTS respondents on."""
    _, cohort = await trainer_cohort(request)
    phase = "cold" if request.query_params.get("questionnaire") == "cold" else "hot"
    questionnaire = _questionnaire(request, phase)
    db = storage(request)
    answers = await db.satisfaction_answers(phase, cohort.path_id, [cohort.id])
    reach = await db.satisfaction_reach(phase, cohort.path_id, cohort.id)
    too_few = len(answers) < MIN_RESPONDENTS
    summary = summarise(questionnaire, [] if too_few else answers, reach.asked)
    return render(
        request,
        "satisfaction/results.html",
        {
            "questionnaire": questionnaire,
            "summary": summary,
            "phase": phase,
            "path_id": cohort.path_id,
            "paths": (),
            "has_cold": _has_cold(request),
            "decimal": decimal,
            "cohort": cohort,
            "too_few": too_few,
            "min_respondents": MIN_RESPONDENTS,
        },
    )
