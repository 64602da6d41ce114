"""The learner's pages: home, a path, a module with its quiz and reflections."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from course import certificates
from course.attempt import Arrangement, arrange
from course.certificates import Certificate
from course.grading import AnswerError, grade, parse_answers
from course.models import Module, Path
from course.progress import ModuleProgress, neighbours, path_progress, quiz_updated, status
from server.fragments import quiz_fields
from server.storage import now
from server.templating import render
from server.web import (
    course,
    current_user,
    learner_in_module,
    read_form,
    redirect,
    require_user,
    session_hash,
    storage,
    to_login,
)

MAX_REFLECTION = 20_000
ATTEMPT_FIELD = "tentative"
NOT_FORM_FIELDS = frozenset({"csrf_token", ATTEMPT_FIELD})


async def home(request: Request) -> Response:
    user = await current_user(request)
    overview = []
    if user:
        progress = await storage(request).progress(user.id)
        overview = [path_progress(course(request), p, progress) for p in course(request).paths]
    return render(request, "home.html", {"overview": overview})


def _path(request: Request) -> Path:
    path = course(request).path(request.path_params["path_id"])
    if path is None:
        raise HTTPException(404, "Ce parcours n'existe pas.")
    return path


def _module(request: Request, path: Path) -> Module:
    module_id = request.path_params["module_id"]
    if module_id not in path.module_ids:
        raise HTTPException(404, "Ce module ne fait pas partie de ce parcours.")
    return course(request).modules[module_id]


async def path_page(request: Request) -> Response:
    path = _path(request)
    user = await current_user(request)
    progress, enrolled, certificate = {}, False, None
    if user:
        db = storage(request)
        progress = await db.progress(user.id)
        enrolled = path.id in await db.enrolments(user.id)
        certificate = (await db.certificates_for(user.id)).get(path.id)
    return render(
        request,
        "path.html",
        {
            "path": path,
            "overview": path_progress(course(request), path, progress),
            "enrolled": enrolled,
            "certificate": certificate,
        },
    )


async def start_path(request: Request) -> Response:
    path = _path(request)
    user = await require_user(request)
    await read_form(request)
    db = storage(request)
    await db.enrol(user.id, path.id)
    overview = path_progress(course(request), path, await db.progress(user.id))
    step = overview.next_step
    return redirect(f"/paths/{path.id}/{step.module.id}" if step else f"/paths/{path.id}")


async def module_page(request: Request) -> Response:
    path = _path(request)
    module = _module(request, path)
    user, progress, answers = await learner_in_module(request, module.id)
    return _module_response(
        request,
        path,
        module,
        progress=progress,
        answers=answers,
        **_next_attempt(request, user.id, module, progress),
    )


def _next_attempt(
    request: Request, user_id: int, module: Module, progress: ModuleProgress | None
) -> dict:
    """The learner's next attempt: the same draw and order until they submit it."""
    if not module.has_quiz:
        return {}
    number = progress.attempts if progress else 0
    return _attempt_context(request, user_id, module, number)


def _attempt_context(request: Request, user_id: int, module: Module, number: int) -> dict:
    signer = request.app.state.signer
    arrangement = arrange(module, signer.attempt_seed(user_id, module.id, number))
    return {
        "arrangement": arrangement,
        "attempt_token": signer.attempt_token(user_id, module.id, number),
    }


def _fields(
    request: Request,
    arrangement: Arrangement,
    chosen: dict[str, frozenset[str]] | None = None,
    missing: tuple[str, ...] = (),
) -> str:
    return quiz_fields(request.app.state.quiz_parts, arrangement, chosen, missing)


def _module_response(request: Request, path: Path, module: Module, **context) -> Response:
    previous, following = neighbours(path, module.id)
    modules = course(request).modules
    values: dict[str, Any] = {
        "path": path,
        "module": module,
        "position": path.index(module.id) + 1,
        "previous": modules[previous] if previous else None,
        "next": modules[following] if following else None,
        "status": status(context.get("progress")),
        "updated": quiz_updated(module, context.get("progress")),
        "answers": {},
        "result": None,
        "quiz_error": None,
        "chosen": {},
        "saved": request.query_params.get("enregistre"),
        "certificate": None,
        "arrangement": None,
        "attempt_token": None,
        "missing": (),
        "reveal": False,
    }
    values.update(context)
    if values["arrangement"] is not None and values["result"] is None:
        values["quiz_fields"] = _fields(
            request, values["arrangement"], values["chosen"], values["missing"]
        )
    return render(request, "module.html", values, status=context.get("status_code", 200))


async def submit_quiz(request: Request) -> Response:
    """Grade on the server, record with one session-checked write, redirect to the result."""
    path = _path(request)
    module = _module(request, path)
    session = session_hash(request)
    if session is None:
        raise to_login(request)
    form = await read_form(request)
    if not module.has_quiz:
        raise HTTPException(404, "Ce module n'a pas de quiz.")
    token = form.get(ATTEMPT_FIELD)
    shown = request.app.state.signer.attempt_of(
        token if isinstance(token, str) else None, module.id
    )
    if shown is None:
        return await _fresh_quiz(
            request,
            path,
            module,
            "Ce formulaire de quiz n'est pas valide (il vient peut-être d'une ancienne "
            "version de la page)\u00a0: voici le quiz à jour.",
        )
    user_id, number = shown
    seed = request.app.state.signer.attempt_seed(user_id, module.id, number)
    arrangement = arrange(module, seed)
    try:
        answers = parse_answers(
            module, form.multi_items(), ignore=NOT_FORM_FIELDS, asked=arrangement.plain
        )
    except AnswerError as exc:
        _, progress, saved = await learner_in_module(request, module.id)
        return _module_response(
            request,
            path,
            module,
            progress=progress,
            answers=saved,
            quiz_error=str(exc),
            missing=exc.missing,
            chosen=_chosen(module, form.multi_items()),
            arrangement=arrangement,
            attempt_token=token,
            status_code=400,
        )
    result = grade(module, answers, course(request).pass_threshold, asked=arrangement.plain)
    db = storage(request)
    attempt = await db.record_attempt(
        session,
        path.id,
        module.id,
        result.score,
        result.passed,
        {qid: sorted(choices) for qid, choices in answers.items()},
        course(request).version,
        module.quiz_signature,
        user_id=user_id,
        attempt_no=number,
    )
    if attempt is None:
        # Either the session ended (logged out elsewhere, expired) or this form's
        # attempt was already submitted (another tab): nothing was stored.
        return await _fresh_quiz(
            request,
            path,
            module,
            "Ce quiz a déjà été validé depuis une autre fenêtre ou un autre onglet\u00a0: "
            "voici une nouvelle tentative. Vos réponses précédentes sont dans le résultat.",
            status_code=409,
        )
    if result.passed and attempt.learner_name is not None:  # only a pass completes a path
        await _after_progress(
            request, attempt.user_id, attempt.learner_name, path, attempt.completed
        )
    # Post/Redirect/Get: reloading the result page never submits the quiz again.
    return redirect(f"/paths/{path.id}/{module.id}/resultat#resultat")


async def _fresh_quiz(
    request: Request, path: Path, module: Module, message: str, status_code: int = 400
) -> Response:
    """The learner's next attempt, with a message saying why the last form was not graded."""
    user, progress, saved = await learner_in_module(request, module.id)
    return _module_response(
        request,
        path,
        module,
        progress=progress,
        answers=saved,
        quiz_error=message,
        status_code=status_code,
        **_next_attempt(request, user.id, module, progress),
    )


async def quiz_result(request: Request) -> Response:
    """The learner's latest attempt as they saw it, graded.

    Until the module is passed, it shows which questions were wrong and a hint
    for each, not the right options: otherwise a failed attempt would hand over
    the answers to the next one.
    """
    path = _path(request)
    module = _module(request, path)
    user = await require_user(request)
    db = storage(request)
    last = await db.last_attempt(user.id, module.id) if module.has_quiz else None
    if last is None:
        return redirect(f"/paths/{path.id}/{module.id}")
    seed = None
    if last.number is not None:
        seed = request.app.state.signer.attempt_seed(user.id, module.id, last.number)
    arrangement = arrange(module, seed, answered=last.answers.keys())
    chosen = {
        question.id: frozenset(last.answers.get(question.id, ())) & question.choice_ids
        for question in arrangement.plain
    }
    result = grade(module, chosen, course(request).pass_threshold, asked=arrangement.plain)
    progress = await db.progress(user.id)
    state = progress.get(module.id)
    certificate = None
    if path_progress(course(request), path, progress).complete:
        certificate = (await db.certificates_for(user.id)).get(path.id)
    return _module_response(
        request,
        path,
        module,
        progress=state,
        result=result,
        seen=arrangement,
        chosen=chosen,
        certificate=certificate,
        reveal=last.passed or bool(state and state.completed),
    )


async def mark_done(request: Request) -> Response:
    path = _path(request)
    module = _module(request, path)
    user = await require_user(request)
    await read_form(request)
    if module.has_quiz:
        raise HTTPException(400, "Ce module se valide en réussissant son quiz.")
    db = storage(request)
    await db.complete_module(user.id, path.id, module.id)
    progress = await db.progress(user.id)
    completed = {module_id for module_id, state in progress.items() if state.completed}
    certificate = await _after_progress(request, user.id, user.name, path, completed)
    if certificate:
        return redirect(f"/paths/{path.id}?termine=1")
    _, following = neighbours(path, module.id)
    return redirect(f"/paths/{path.id}/{following}" if following else f"/paths/{path.id}")


async def save_reflection(request: Request) -> Response:
    path = _path(request)
    module = _module(request, path)
    user = await require_user(request)
    form = await read_form(request)
    reflection_id = request.path_params["reflection_id"]
    if reflection_id not in {r.id for r in module.reflections}:
        raise HTTPException(404, "Cette réflexion n'existe pas dans ce module.")
    answer = form.get("answer")
    if not isinstance(answer, str):
        raise HTTPException(400, "Le champ de réponse est manquant.")
    answer = answer.replace("\r\n", "\n").strip()
    if len(answer) > MAX_REFLECTION:
        raise HTTPException(
            400, f"Votre réponse dépasse {MAX_REFLECTION} caractères\u00a0: raccourcissez-la."
        )
    db = storage(request)
    await db.enrol(user.id, path.id)
    await db.save_reflection(user.id, module.id, reflection_id, answer)
    return redirect(f"/paths/{path.id}/{module.id}?enregistre={reflection_id}#{reflection_id}")


async def _after_progress(
    request: Request, user_id: int, name: str, path: Path, completed: AbstractSet[str]
) -> Certificate | None:
    """Issue the certificate when the path's last module is complete."""
    if not certificates.earned(path, completed):
        return None
    record = certificates.issue(course(request), path, user_id, name, now())
    return await storage(request).issue_certificate(record)


def _chosen(module: Module, items: Iterable[tuple[str, object]]) -> dict[str, frozenset[str]]:
    """What the learner ticked, to refill the form after an error."""
    chosen: dict[str, set[str]] = {}
    for name, value in items:
        question = module.question(name)
        if question and isinstance(value, str) and value in question.choice_ids:
            chosen.setdefault(name, set()).add(value)
    return {k: frozenset(v) for k, v in chosen.items()}
