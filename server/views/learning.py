"""The learner's pages: home, a path, a module with its quiz and reflections."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from course import certificates, plan
from course.attempt import Arrangement, arrange
from course.certificates import Certificate
from course.models import Module, Path
from course.progress import (
    ModuleProgress,
    PathProgress,
    neighbours,
    path_progress,
    quiz_updated,
    status,
)
from server import urls
from server.clock import now
from server.credentials.issue import certificate_credential
from server.fragments import quiz_fields
from server.lti.grades import after_module
from server.state import snapshot, state
from server.storage import User
from server.templating import render
from server.views import navigation, training
from server.views.assistance import assisting, support_link
from server.views.credentials import issuing
from server.views.outline_cache import outline_html
from server.views.satisfaction import offer_opinion
from server.web import (
    course,
    current_user,
    learner_in_module,
    read_form,
    redirect,
    require_user,
    storage,
)

# A 20 000-character answer in each of the 19 prompts made a 1.5 to 2.7 s plan PDF;
# 5 000 (about two printed pages per answer) keeps the whole plan under 0.8 s of CPU.
MAX_REFLECTION = 5_000


async def home(request: Request) -> Response:
    user = await current_user(request)
    overview: list[PathProgress] = []
    mine: list[training.Training] = []
    issued: dict[str, Certificate] = {}
    if user:
        progress = await storage(request).progress(user.id)
        overview = [path_progress(course(request), p, progress) for p in course(request).paths]
        if any(o.complete for o in overview):
            issued = await certificates_of(request, user, overview)
        mine = await training.trainings(request, user, progress, issued)
    return render(request, "home.html", {"overview": overview, "trainings": mine, "issued": issued})


def path_of(request: Request) -> Path:
    path = course(request).path(request.path_params["path_id"])
    if path is None:
        raise HTTPException(404, "Ce parcours n'existe pas.")
    return path


def module_of(request: Request, path: Path) -> Module:
    module_id = request.path_params["module_id"]
    if module_id not in path.module_ids:
        raise HTTPException(404, "Ce module ne fait pas partie de ce parcours.")
    return course(request).modules[module_id]


async def path_page(request: Request) -> Response:
    path = path_of(request)
    user = await current_user(request)
    progress, enrolled, certificate = {}, False, None
    if user:
        db = storage(request)
        progress = await db.progress(user.id)
        enrolled = path.id in await db.enrolments(user.id)
    overview = path_progress(course(request), path, progress)
    ask_opinion = False
    assistance: list[tuple[str, list[str]]] = []
    if user:
        certificate = (await certificates_of(request, user, [overview])).get(path.id)
        assistance = await assisting(request, user, path)
        # The « à chaud » questionnaire, offered once the path is complete (issue #18 §3).
        if overview.complete:
            ask_opinion = await offer_opinion(request, user, path.id)
    return render(
        request,
        "path.html",
        {
            "path": path,
            "overview": overview,
            "enrolled": enrolled,
            "certificate": certificate,
            "ask_opinion": ask_opinion,
            "assistance": assistance,
            "support": support_link(state(request).settings.support_contact),
        },
    )


async def start_path(request: Request) -> Response:
    path = path_of(request)
    user = await require_user(request)
    await read_form(request)
    db = storage(request)
    await db.enrol(user.id, path.id)
    overview = path_progress(course(request), path, await db.progress(user.id))
    step = overview.next_step
    return redirect(urls.module(path.id, step.module.id) if step else urls.path(path.id))


async def module_page(request: Request) -> Response:
    path = path_of(request)
    module = module_of(request, path)
    user, progress, answers = await learner_in_module(request, module.id)
    return module_response(
        request,
        path,
        module,
        progress=progress,
        answers=answers,
        **await surroundings(request, path, module, user.id),
        **next_attempt(request, user.id, module, progress),
    )


async def surroundings(request: Request, path: Path, module: Module, user_id: int) -> dict:
    """What a lesson shows around it, however it is reached: the path's outline with
    each module's status, and who may read the reflections (their fields' labels)."""
    readers = await training.plan_readers(request, user_id) if module.reflections else ()
    return {"plan_readers": readers, "outline": await navigation.outline(request, path, user_id)}


def next_attempt(
    request: Request, user_id: int, module: Module, progress: ModuleProgress | None
) -> dict:
    """The learner's next attempt: the same draw and order until they submit it."""
    if not module.has_quiz:
        return {}
    number = progress.attempts if progress else 0
    return _attempt_context(request, user_id, module, number)


def _attempt_context(request: Request, user_id: int, module: Module, number: int) -> dict:
    signer = state(request).signer
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
    return quiz_fields(snapshot(request).quiz_parts, arrangement, chosen, missing)


def module_response(request: Request, path: Path, module: Module, **context) -> Response:
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
        "plan_readers": None,  # unknown: the reflection labels then make no claim
        "heading": plan.heading,
        # Read by the page's one query (`learner_in_module`): no round trip of its own.
        "can_ask": any(pid == path.id for _, pid in getattr(request.state, "cohorts", ())),
    }
    values.update(context)
    if values.get("outline") is not None:
        values["outline_html"] = outline_html(
            course(request).version, path, module, values["outline"]
        )
    if values["arrangement"] is not None and values["result"] is None:
        values["quiz_fields"] = _fields(
            request, values["arrangement"], values["chosen"], values["missing"]
        )
    return render(request, "module.html", values, status=context.get("status_code", 200))


async def mark_done(request: Request) -> Response:
    path = path_of(request)
    module = module_of(request, path)
    user = await require_user(request)
    await read_form(request)
    if module.has_quiz:
        raise HTTPException(400, "Ce module se valide en réussissant son quiz.")
    db = storage(request)
    await db.complete_module(user.id, path.id, module.id)
    progress = await db.progress(user.id)
    completed = {module_id for module_id, state in progress.items() if state.completed}
    # Launched from a platform that takes grades: the module's 100 and any path it ends.
    scores = after_module(course(request), module, 100, True, completed)
    await db.record_scores(user.id, scores, now(), check_first=True)
    certificate = await after_progress(request, user.id, user.name, path, completed)
    if certificate:
        return redirect(urls.path(path.id) + "?termine=1")
    _, following = neighbours(path, module.id)
    return redirect(urls.module(path.id, following) if following else urls.path(path.id))


def _thousands(number: int) -> str:
    """5 000 as French writes it, with a narrow no-break space."""
    return f"{number:,}".replace(",", "\u202f")


async def save_reflection(request: Request) -> Response:
    path = path_of(request)
    module = module_of(request, path)
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
            400,
            f"Votre réponse compte {_thousands(len(answer))} caractères, au-delà de la "
            f"limite de {_thousands(MAX_REFLECTION)}\u00a0: raccourcissez-la.",
        )
    db = storage(request)
    state(request).activity.note(db, user.id, module.id)  # measured time (issue #18 §2)
    await db.enrol(user.id, path.id)
    await db.save_reflection(user.id, module.id, reflection_id, answer)
    return redirect(f"{urls.module(path.id, module.id)}?enregistre={reflection_id}#{reflection_id}")


async def after_progress(
    request: Request, user_id: int, name: str, path: Path, completed: AbstractSet[str]
) -> Certificate | None:
    """Issue the certificate when the path's last module is complete."""
    if not certificates.earned(path, completed):
        return None
    record = certificates.issue(course(request), path, user_id, name, now())
    issued = await storage(request).issue_certificate(record)
    # Its Open Badges credential is signed now, with the facts of this moment (issue #16).
    await certificate_credential(storage(request), issuing(request), course(request), issued)
    return issued


async def certificates_of(
    request: Request, user: User, overviews: Iterable[PathProgress]
) -> dict[str, Certificate]:
    """The learner's certificates, issuing any that a crash left out.

    The pass that completes a path and the certificate's issue are two writes: a
    crash between them leaves the path complete without its certificate. Pages
    that show a complete path call this first, so the learner never sees 100 %
    without the certificate (issued then, under the name the account has now).
    """
    db = storage(request)
    issued = await db.certificates_for(user.id)
    for overview in overviews:
        if overview.complete and overview.path.id not in issued:
            record = certificates.issue(course(request), overview.path, user.id, user.name, now())
            issued[overview.path.id] = await db.issue_certificate(record)
    return issued
