"""« Mon plan d'alliance »: the learner's own reflection answers, as a page, Markdown and PDF."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from course import plan
from server.pdf_pool import PdfPool, version
from server.templating import date_fr, render
from server.web import course, require_user, storage


async def _answers(request: Request) -> dict[str, str]:
    user = await require_user(request)
    rows = await storage(request).reflections(user.id)
    return {rid: answer for rid, (answer, _) in rows.items()}


def _sections(request: Request) -> tuple[plan.Section, ...]:
    return request.app.state.plan_sections


async def plan_page(request: Request) -> Response:
    answers = await _answers(request)
    sections = _sections(request)
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
        },
    )


async def plan_markdown(request: Request) -> Response:
    answers = await _answers(request)
    user = request.state.user
    text = plan.markdown(course(request), _sections(request), answers, user.name, _today())
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="plan-alliance.md"'},
    )


async def plan_pdf(request: Request) -> Response:
    from server.pdf import plan_pdf as build  # reportlab loads on first use

    answers = await _answers(request)
    user = request.state.user
    sections, today = _sections(request), _today()
    # Everything the PDF prints is in the key: a new answer, name, day or course makes a new one.
    key = (
        "plan",
        user.id,
        version(user.name, today, course(request).version, sorted(answers.items())),
    )
    pool: PdfPool = request.app.state.pdf_pool
    pdf = await pool.get(user.id, key, build, course(request), sections, answers, user.name, today)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": 'attachment; filename="plan-alliance.pdf"'},
    )


def _today() -> str:
    return date_fr(datetime.now(UTC))
