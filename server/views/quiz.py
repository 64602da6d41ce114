"""The quiz of a module: a submission graded on the server, and its result page.

Each form is one attempt of the learner's (course/attempt.py): the submission
rebuilds that attempt from its signed token, and the result page shows it again
as the learner saw it.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from course.activity import time_short
from course.attempt import Arrangement, arrange
from course.grading import AnswerError, grade, parse_answers
from course.models import Module, Path
from course.progress import ModuleProgress, path_progress
from server import clock, form_expired, urls
from server.form_expired import FormExpired
from server.lti.grades import after_module
from server.state import state
from server.storage import User
from server.views.learning import (
    after_progress,
    certificates_of,
    module_of,
    module_response,
    next_attempt,
    path_of,
    surroundings,
)
from server.web import (
    course,
    learner_in_module,
    read_form,
    redirect,
    require_user,
    session_hash,
    storage,
    to_login,
    unchecked_form,
)

ATTEMPT_FIELD = "tentative"
NOT_FORM_FIELDS = frozenset({"csrf_token", ATTEMPT_FIELD})


async def submit_quiz(request: Request) -> Response:
    """Grade on the server, record with one session-checked write, redirect to the result."""
    path = path_of(request)
    module = module_of(request, path)
    session = session_hash(request)
    if session is None:
        raise to_login(request)
    try:
        form = await read_form(request)
    except FormExpired:
        return await _expired_quiz(request, path, module)
    if not module.has_quiz:
        raise HTTPException(404, "Ce module n'a pas de quiz.")
    token = form.get(ATTEMPT_FIELD)
    shared = state(request)
    shown = shared.signer.attempt_of(token if isinstance(token, str) else None, module.id)
    if shown is None:
        return await _fresh_quiz(
            request,
            path,
            module,
            "Ce formulaire de quiz n'est pas valide (il vient peut-être d'une ancienne "
            "version de la page)\u00a0: voici le quiz à jour.",
        )
    user_id, number = shown
    seed = shared.signer.attempt_seed(user_id, module.id, number)
    arrangement = arrange(module, seed)
    try:
        answers = parse_answers(
            module, form.multi_items(), ignore=NOT_FORM_FIELDS, asked=arrangement.plain
        )
    except AnswerError as exc:
        return await _same_attempt(
            request, path, module, form, token, arrangement, str(exc), 400, exc.missing
        )
    db = storage(request)
    if path.min_time_percent:
        short = await time_short_of(request, user_id, path, module)
        if short:
            return await _same_attempt(request, path, module, form, token, arrangement, short, 403)
    result = grade(module, answers, course(request).pass_threshold, asked=arrangement.plain)
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
        limits=shared.attempt_limits,
    )
    if attempt is None:
        wait = await attempt_wait(request, user_id, module.id)
        if wait:
            return await _too_soon(request, path, module, form, str(token), arrangement, wait)
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
    shared.activity.note(db, attempt.user_id, module.id)  # a quiz post is a hit (issue #18)
    if attempt.graded_by_platform:  # launched from a platform that takes grades (issue #17)
        scores = after_module(
            course(request), module, result.score, result.passed, attempt.completed
        )
        await db.record_scores(attempt.user_id, scores, clock.now())
    if result.passed and attempt.learner_name is not None:  # only a pass completes a path
        await after_progress(
            request, attempt.user_id, attempt.learner_name, path, attempt.completed
        )
    # Post/Redirect/Get: reloading the result page never submits the quiz again.
    return redirect(urls.quiz_result(path.id, module.id) + "#resultat")


async def time_short_of(request: Request, user_id: int, path: Path, module: Module) -> str:
    """Why the quiz cannot count yet under the path's minimum measured time, or ""."""
    found = await storage(request).stretches_of([user_id])
    short = time_short(
        found[user_id], module.id, module.duration, path.min_time_percent, clock.moment()
    )
    if short is None:
        return ""
    required, spent = short
    return (
        f"Pour ce parcours, un quiz ne compte qu’après au moins {required}\u00a0min de travail "
        f"sur son module (temps mesuré pour l’instant\u00a0: {spent}\u00a0min). Poursuivez la "
        "lecture\u00a0: vos réponses sont conservées ci-dessous, envoyez-les ensuite."
    )


async def attempt_wait(request: Request, user_id: int, module_id: str) -> int:
    """Seconds the learner must wait before this module's next attempt (0: no limit reached)."""
    limits = state(request).attempt_limits
    moment = clock.moment()
    _, day = limits.since(moment)
    return limits.retry_after(await storage(request).attempt_times(user_id, module_id, day), moment)


def too_soon_message(wait: int) -> str:
    """In French, the wait as a person reads it: seconds, or about so many minutes or hours."""
    if wait < 90:
        delay = f"{wait}\u00a0seconde{'s' if wait > 1 else ''}"
    elif wait < 90 * 60:
        delay = f"environ {round(wait / 60)}\u00a0minutes"
    else:
        delay = f"environ {round(wait / 3600)}\u00a0heures"
    return (
        "Trop de tentatives rapprochées pour ce quiz\u00a0: vos réponses sont conservées "
        f"ci-dessous, vous pourrez les envoyer dans {delay}."
    )


async def _too_soon(
    request: Request,
    path: Path,
    module: Module,
    form: FormData,
    token: str,
    arrangement: Arrangement,
    wait: int,
) -> Response:
    """The same attempt, answers still ticked, to send again once the limit allows."""
    response = await _same_attempt(
        request, path, module, form, token, arrangement, too_soon_message(wait), 429
    )
    response.headers["retry-after"] = str(wait)
    return response


async def _same_attempt(
    request: Request,
    path: Path,
    module: Module,
    form: FormData,
    token: object,
    arrangement: Arrangement,
    message: str,
    status_code: int,
    missing: tuple[str, ...] = (),
    learner: tuple[User, ModuleProgress | None, dict[str, str]] | None = None,
) -> Response:
    """The attempt the form showed, the learner's ticks refilled, and why it was not graded."""
    user, progress, saved = learner or await learner_in_module(request, module.id)
    return module_response(
        request,
        path,
        module,
        progress=progress,
        answers=saved,
        **await surroundings(request, path, module, user.id),
        quiz_error=message,
        missing=missing,
        chosen=_chosen(module, form.multi_items()),
        arrangement=arrangement,
        attempt_token=token,
        status_code=status_code,
    )


async def _fresh_quiz(
    request: Request, path: Path, module: Module, message: str, status_code: int = 400
) -> Response:
    """The learner's next attempt, with a message saying why the last form was not graded."""
    user, progress, saved = await learner_in_module(request, module.id)
    return module_response(
        request,
        path,
        module,
        progress=progress,
        answers=saved,
        **await surroundings(request, path, module, user.id),
        quiz_error=message,
        status_code=status_code,
        **next_attempt(request, user.id, module, progress),
    )


async def quiz_result(request: Request) -> Response:
    """The learner's latest attempt as they saw it, graded.

    Until the module is passed, it shows which questions were wrong and a hint
    for each, not the right options: otherwise a failed attempt would hand over
    the answers to the next one.
    """
    path = path_of(request)
    module = module_of(request, path)
    user = await require_user(request)
    db = storage(request)
    last = await db.last_attempt(user.id, module.id) if module.has_quiz else None
    if last is None:
        return redirect(urls.module(path.id, module.id))
    seed = None
    if last.number is not None:
        seed = state(request).signer.attempt_seed(user.id, module.id, last.number)
    arrangement = arrange(module, seed, answered=last.answers.keys())
    chosen = {
        question.id: frozenset(last.answers.get(question.id, ())) & question.choice_ids
        for question in arrangement.plain
    }
    result = grade(module, chosen, course(request).pass_threshold, asked=arrangement.plain)
    progress = await db.progress(user.id)
    module_progress = progress.get(module.id)
    certificate = None
    overview = path_progress(course(request), path, progress)
    if overview.complete:
        certificate = (await certificates_of(request, user, [overview])).get(path.id)
    return module_response(
        request,
        path,
        module,
        progress=module_progress,
        result=result,
        seen=arrangement,
        chosen=chosen,
        certificate=certificate,
        reveal=last.passed or bool(module_progress and module_progress.completed),
        outline=overview,
    )


async def _expired_quiz(request: Request, path: Path, module: Module) -> Response:
    """A quiz sent with a stale CSRF token: nothing recorded, the same attempt refilled.

    The learner's ticks come back on a fresh form, so a long pause costs one more click,
    not the answers; any doubt about the attempt gives the plain « Formulaire expiré » page.
    """
    form = await unchecked_form(request)
    token = form.get(ATTEMPT_FIELD)
    signer = state(request).signer
    shown = signer.attempt_of(token if isinstance(token, str) else None, module.id)
    learner = await learner_in_module(request, module.id)
    user = learner[0]
    if not module.has_quiz or shown is None or shown[0] != user.id:
        raise FormExpired()
    arrangement = arrange(module, signer.attempt_seed(user.id, module.id, shown[1]))
    return await _same_attempt(
        request,
        path,
        module,
        form,
        token,
        arrangement,
        form_expired.QUIZ_MESSAGE,
        403,
        learner=learner,
    )


def _chosen(module: Module, items: Iterable[tuple[str, object]]) -> dict[str, frozenset[str]]:
    """What the learner ticked, to refill the form after an error."""
    chosen: dict[str, set[str]] = {}
    for name, value in items:
        question = module.question(name)
        if question and isinstance(value, str) and value in question.choice_ids:
            chosen.setdefault(name, set()).add(value)
    return {k: frozenset(v) for k, v in chosen.items()}
