"""Questions to the cohort's trainers (issue #18 §2): assistance that leaves a trace.

A learner in a cohort asks about a module from its page; the cohort's trainers get an
e-mail and answer on the site; the dated thread stays readable by the learner and the
cohort's trainers (and admins), never by anyone else: they get a 404, as for a cohort.
"""

from __future__ import annotations

import time

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from course.models import Module, Path
from server import urls
from server.clock import now
from server.ids import path_id
from server.mail.compose import Message, compose
from server.rate_limits import wait_text
from server.state import state
from server.storage import User
from server.storage.questions import Question
from server.templating import render
from server.views.learning import module_of, path_of
from server.web import course, read_form, redirect, require_user, storage, text_field

MAX_MESSAGE = 4_000  # a long question fits; a pasted document does not
# Messages per learner or trainer: enough for a real exchange, not for flooding mailboxes.
PER_HOUR = 10
HOUR = 60 * 60
TOO_MANY = "Vous avez envoyé beaucoup de messages\u00a0: réessayez dans {wait}."
GONE = "Cette question n’existe pas ou vous n’y avez pas accès."


def _check(body: str) -> str | None:
    """The French message saying what is wrong with `body`, or None."""
    if not body:
        return "Écrivez votre message."
    if len(body) > MAX_MESSAGE:
        return f"Votre message dépasse {MAX_MESSAGE:_}\u00a0caractères".replace("_", "\u202f") + (
            f" ({len(body):_}).".replace("_", "\u202f")
        )
    return None


async def _wait(request: Request, user: User) -> int:
    """0 if `user` may write now (the event is recorded), else seconds to wait."""
    left = await storage(request).reserve_rate(
        "question", str(user.id), time.time(), PER_HOUR, HOUR
    )
    return 0 if left <= 0 else max(1, int(left) + 1)


async def _cohort_for(request: Request, path: Path) -> int | None:
    """The learner's open cohort following `path` (the first, if several), or None."""
    cohorts = getattr(request.state, "cohorts", None)
    if cohorts is None:
        user = await require_user(request)
        cohorts = [
            (c.id, c.path_id)
            for c, _, _ in await storage(request).learner_cohorts(user.id)
            if not c.archived_at
        ]
    return next((cid for cid, pid in cohorts if pid == path.id), None)


async def module_questions(request: Request) -> Response:
    """GET: the learner's threads about this module and the form; POST: a new question."""
    path = path_of(request)
    module = module_of(request, path)
    user = await require_user(request)
    cohort_id = await _cohort_for(request, path)
    body, error, status = "", None, 200
    if request.method == "POST":
        form = await read_form(request)
        body = text_field(form, "message")
        error = _check(body)
        if cohort_id is None:
            raise HTTPException(404, "Vous ne suivez pas ce parcours dans un groupe.")
        if error is None:
            wait = await _wait(request, user)
            if wait:
                error = TOO_MANY.format(wait=wait_text(wait))
                response = await _module_page(request, path, module, cohort_id, body, error, 429)
                response.headers["Retry-After"] = str(wait)
                return response
            await _ask(request, user, cohort_id, path, module, body)
            return redirect(urls.module_questions(path.id, module.id) + "?envoyee=1")
        status = 400
    return await _module_page(request, path, module, cohort_id, body, error, status)


async def _module_page(
    request: Request,
    path: Path,
    module: Module,
    cohort_id: int | None,
    body: str,
    error: str | None,
    status: int,
) -> Response:
    user = await require_user(request)
    db = storage(request)
    trainers = [r["name"] for r in await db.cohort_trainers(cohort_id)] if cohort_id else []
    threads = await db.learner_questions(user.id, module.id)
    messages = {t.id: await db.question_messages(t.id) for t in threads}
    return render(
        request,
        "questions/module.html",
        {
            "path": path,
            "module": module,
            "cohort_id": cohort_id,
            "trainers": trainers,
            "threads": threads,
            "messages": messages,
            "body": body,
            "errors": {"message": error} if error else {},
            "max_message": MAX_MESSAGE,
            "sent": request.query_params.get("envoyee"),
        },
        status=status,
    )


async def _ask(
    request: Request, user: User, cohort_id: int, path: Path, module: Module, body: str
) -> None:
    db = storage(request)
    base = state(request).settings.base_url
    mail = [
        (
            compose(
                "question_asked",
                t["email"],
                t["name"],
                {
                    "learner_name": user.name,
                    "module_title": module.title,
                    "path_title": path.title,
                    "question": body,
                    "thread_url": f"{base}{urls.learner(cohort_id, user.id)}#questions",
                },
                base_url=base,
            ),
            int(t["id"]),
        )
        for t in await db.cohort_trainers(cohort_id)
    ]
    await db.ask_question(cohort_id, user.id, path.id, module.id, body, now(), mail)


async def _thread_for(request: Request) -> tuple[User, Question, bool]:
    """The thread, its reader and whether they read it as a trainer; 404 for anyone else."""
    user = await require_user(request)
    db = storage(request)
    found = await db.question(path_id(request, "question_id"))
    if found is None:
        raise HTTPException(404, GONE)
    if found.user_id == user.id:
        return user, found, False
    # Training the cohort is what counts, with or without the trainer role (an instructor
    # launched from a platform trains its course's cohort only: issue #17 §3).
    if user.has("admin") or await db.trainer_cohort(found.cohort_id, user.id):
        return user, found, True
    raise HTTPException(404, GONE)


async def question_page(request: Request) -> Response:
    """GET: the thread (a trainer's reading marks it read); POST: a message in it."""
    user, thread, as_trainer = await _thread_for(request)
    db = storage(request)
    body, error, status = "", None, 200
    if request.method == "POST":
        body = text_field(await read_form(request), "message")
        error = _check(body)
        if error is None:
            wait = await _wait(request, user)
            if wait:
                error = TOO_MANY.format(wait=wait_text(wait))
                status = 429
            else:
                await _answer(request, user, thread, as_trainer, body)
                return redirect(urls.question(thread.id) + "?envoyee=1#dernier")
        else:
            status = 400
    elif as_trainer and thread.trainer_unread:
        await db.mark_question_read(thread.id)
    path = course(request).path(thread.path_id)
    module = course(request).modules.get(thread.module_id)
    cohort = await db.cohort(thread.cohort_id)
    response = render(
        request,
        "questions/thread.html",
        {
            "thread": thread,
            "messages": await db.question_messages(thread.id),
            "as_trainer": as_trainer,
            "path": path,
            "module": module,
            "cohort": cohort,
            "body": body,
            "errors": {"message": error} if error else {},
            "max_message": MAX_MESSAGE,
            "sent": request.query_params.get("envoyee"),
        },
        status=status,
    )
    if status == 429:
        response.headers["Retry-After"] = str(HOUR)
    return response


async def _answer(
    request: Request, user: User, thread: Question, as_trainer: bool, body: str
) -> None:
    db = storage(request)
    base = state(request).settings.base_url
    module = course(request).modules.get(thread.module_id)
    title = module.title if module else thread.module_id
    path = course(request).path(thread.path_id)
    mail: list[tuple[Message, int]] = []
    if as_trainer:
        learner = await db.user_by_id(thread.user_id)
        if learner is not None and learner.name:
            context = {
                "trainer_name": user.name,
                "module_title": title,
                "thread_url": f"{base}{urls.question(thread.id)}",
            }
            mail.append(
                (compose("question_answered", learner.email, learner.name, context, base_url=base),
                 learner.id)
            )  # fmt: skip
    else:
        for t in await db.cohort_trainers(thread.cohort_id):
            context = {
                "learner_name": user.name,
                "module_title": title,
                "path_title": path.title if path else thread.path_id,
                "question": body,
                "thread_url": f"{base}{urls.question(thread.id)}",
            }
            mail.append(
                (compose("question_asked", t["email"], t["name"], context, base_url=base),
                 int(t["id"]))
            )  # fmt: skip
    await db.answer_question(
        thread.id, user.id, as_trainer, body, now(), mail, cohort_id=thread.cohort_id
    )
