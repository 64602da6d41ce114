"""The route table, top to bottom: every URL of the site in one place."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from server.views import auth, certificates, learning, misc, plan

STATIC = Path(__file__).resolve().parent.parent / "static"


def routes() -> list[Route | Mount]:
    return [
        Route("/", learning.home, name="home"),
        Route("/signup", auth.signup_form, methods=["GET"], name="signup"),
        Route("/signup", auth.signup, methods=["POST"]),
        Route("/login", auth.login_form, methods=["GET"], name="login"),
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"], name="logout"),
        Route("/paths/{path_id}", learning.path_page, name="path"),
        Route("/paths/{path_id}/start", learning.start_path, methods=["POST"]),
        Route("/paths/{path_id}/{module_id}", learning.module_page, methods=["GET"]),
        Route("/paths/{path_id}/{module_id}", learning.submit_quiz, methods=["POST"]),
        Route("/paths/{path_id}/{module_id}/done", learning.mark_done, methods=["POST"]),
        Route(
            "/paths/{path_id}/{module_id}/reflections/{reflection_id}",
            learning.save_reflection,
            methods=["POST"],
        ),
        Route("/plan", plan.plan_page, name="plan"),
        Route("/plan.md", plan.plan_markdown),
        Route("/plan.pdf", plan.plan_pdf),
        Route("/modules/{module_id}", misc.module_permalink),
        Route("/pages/{page_id}", misc.page, name="page"),
        Route("/certificates/{certificate_id}.pdf", certificates.certificate_download),
        Route("/certificates/{certificate_id}", certificates.certificate_page),
        Route("/media/{path:path}", misc.media),
        Route("/healthz", misc.healthz),
        Route("/plaintext", misc.plaintext),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
