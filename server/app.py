"""The application factory: settings in, a ready Starlette app out.

The course is compiled once at start-up; storage is opened and migrated in the
lifespan, so each test gets its own database and content folder.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware

from course.loader import load_course
from course.plan import sections as plan_sections
from server.errors import http_exception, server_error
from server.fragments import quiz_forms
from server.middleware import SecurityMiddleware
from server.routes import routes
from server.security import Signer
from server.settings import Settings
from server.storage import Storage

log = logging.getLogger("alliances")


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    course = load_course(settings.content_dir)  # a broken course stops start-up, loudly
    for warning in course.warnings:
        log.warning("content: %s", warning)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        storage = Storage(settings.database)
        await storage.open()
        app.state.storage = storage
        gc.freeze()  # the compiled course lives as long as the app: keep it out of GC scans
        try:
            yield
        finally:
            await storage.close()

    app = Starlette(
        debug=settings.debug,
        routes=routes(),
        middleware=[
            Middleware(SecurityMiddleware, max_body=settings.max_body, https=settings.production)
        ],
        exception_handlers={HTTPException: http_exception, Exception: server_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.course = course
    app.state.quiz_forms = quiz_forms(course)
    app.state.plan_sections = plan_sections(course)
    app.state.signer = Signer(settings.secret_key)
    return app
