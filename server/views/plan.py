"""« Mon plan d'alliance »: the learner's own reflection answers, as a page, Markdown and PDF."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from course import plan
from course.models import Path
from server import clock
from server.pdf_pool import PdfPool, version
from server.state import snapshot, state
from server.templating import date_fr, render
from server.web import course, require_user, storage


async def _answers(request: Request) -> dict[str, str]:
    user = await require_user(request)
    rows = await storage(request).reflections(user.id)
    return {rid: answer for rid, (answer, _) in rows.items()}


async def _sections(request: Request, answers: Mapping[str, str]) -> tuple[plan.Section, ...]:
    """The prompts of the paths the learner follows, plus any they answered elsewhere.

    A learner of the 1 h path sees its one prompt, not the 12 h path's thirteen.
    """
    followed = await storage(request).enrolments(request.state.user.id)
    modules = {
        module_id
        for path in course(request).paths
        if path.id in followed
        for module_id in path.module_ids
    }
    return tuple(
        section
        for section in snapshot(request).plan_sections
        if section.module.id in modules
        or any(answers.get(r.id, "").strip() for r in section.reflections)
    )


def _longest_with_prompts(request: Request) -> Path | None:
    """Where the empty plan points: the path whose workshops build the whole plan."""
    paths = [
        p
        for p in course(request).paths
        if any(m.reflections for m in course(request).path_modules(p))
    ]
    return max(paths, key=lambda p: p.target_minutes, default=None)


async def plan_page(request: Request) -> Response:
    answers = await _answers(request)
    sections = await _sections(request, answers)
    return render(
        request,
        "plan.html",
        {
            "sections": sections,
            "answers": answers,
            "answered": plan.answered(sections, answers),
            "total": sum(len(s.reflections) for s in sections),
            "heading": plan.heading,
            "sub_questions": plan.sub_questions,
            "suggested": _longest_with_prompts(request),
        },
    )


async def plan_markdown(request: Request) -> Response:
    answers = await _answers(request)
    user = request.state.user
    sections = await _sections(request, answers)
    text = plan.markdown(course(request), sections, answers, user.name, _today())
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="plan-alliance.md"'},
    )


async def plan_pdf(request: Request) -> Response:
    from server.pdf import plan_pdf as build  # WeasyPrint loads on first use

    answers = await _answers(request)
    user = request.state.user
    sections, today = await _sections(request, answers), _today()
    # Everything the PDF prints is in the key: a new answer, name, day or course makes a new one.
    key = (
        "plan",
        user.id,
        version(
            user.name,
            today,
            course(request).version,
            sorted(answers.items()),
            [s.module.id for s in sections],
        ),
    )
    pool: PdfPool = state(request).pdf_pool
    pdf = await pool.get(user.id, key, build, course(request), sections, answers, user.name, today)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": 'attachment; filename="plan-alliance.pdf"'},
    )


def _today() -> str:
    return date_fr(clock.moment())
