"""The application factory: settings in, a ready Starlette app out.

The course is compiled once at start-up (and again only on reload: SIGHUP, the
editors' page, or every save in preview mode); storage is opened and migrated
in the lifespan, so each test gets its own database and content folder.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect

from server.content import LiveContent, compile_snapshot
from server.content_sync import announcer, follow_content
from server.credentials.keys import load_keys
from server.errors import http_exception, not_durable, server_error
from server.key_agreement import key_problem
from server.lti.grade_sender import start_grade_sender
from server.lti.keys import check_tool_keys
from server.mail.sender import start_sender
from server.middleware import SecurityMiddleware
from server.personal_purge import purge_loop
from server.reminders import run_periodically
from server.routes import routes
from server.security import Signer, new_token, token_hash
from server.settings import Settings
from server.slow_clients import client_gone
from server.state import AppState
from server.storage import Storage, User, open_storage
from server.storage.errors import storage_errors, storage_failure
from server.storage.walsync import NotDurable

log = logging.getLogger("alliances")


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    snapshot = compile_snapshot(settings.content_dir)  # a broken course stops start-up, loudly
    shared = AppState(
        settings, LiveContent(settings.content_dir, snapshot), Signer(settings.secret_key)
    )
    # Open Badges keys: a damaged one stops start-up here too (never an unsigned credential).
    shared.badge_keys = load_keys(settings.badge_keys_dir, create=settings.badge_keys is None)
    # The LTI tool's keys likewise; /lti/jwks.json reads the folder again (rotations show).
    check_tool_keys(settings.lti_keys_dir, configured=settings.lti_keys is not None)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        storage = open_storage(settings)
        await storage.open()
        problem = await key_problem(storage, settings, shared.badge_keys)
        if problem:  # `alliances serve` said it in one line before starting (cli/database.py)
            await storage.close()
            raise RuntimeError(problem)
        shared.storage = storage
        live = shared.content
        tasks = []
        if settings.preview:
            shared.preview_user, shared.preview_session = await preview_user(storage)
            tasks.append(asyncio.create_task(live.watch()))
        else:  # retention that ended is purged now, then daily (server/personal_purge.py)
            tasks.append(asyncio.create_task(purge_loop(storage)))
            # Reloads reach every instance on this database (server/content_sync.py).
            live.announce = announcer(storage)
            tasks.append(asyncio.create_task(follow_content(live, storage)))
        _on_sighup(live)
        gc.freeze()  # the compiled course lives as long as the app: keep it out of GC scans
        # Requests allocate many short-lived objects; collecting the young generation
        # less often trims latency spikes (the p99) for a few MB of memory.
        gc.set_threshold(50_000, 20, 100)
        # Delivers the outbox (server/mail/sender.py); the editor's preview sends nothing.
        sender = None if settings.preview else start_sender(storage, settings)
        shared.mail_sender = sender
        # Posts LTI grades to the platforms (server/lti/grade_sender.py), likewise.
        grades = None if settings.preview else start_grade_sender(shared)
        shared.lti_grade_sender = grades
        if not settings.preview:  # reminders' rules, hourly (server/reminders.py)
            tasks.append(asyncio.create_task(run_periodically(shared)))
        try:
            yield
        finally:
            if sender is not None:
                await sender.stop()  # before the storage closes under it
            if grades is not None:
                await grades.stop()
            for task in tasks:
                task.cancel()
            # Wait for them to stop: none may be halfway through a query when storage
            # closes. Bounded, so that one stuck task cannot hold the shutdown for ever.
            if tasks:
                await asyncio.wait(tasks, timeout=10)
            shared.pdf_pool.close()
            await shared.activity.close(storage)  # the last hits, before the storage closes
            await storage.close()

    app = Starlette(
        debug=settings.debug,
        routes=routes(),
        middleware=[
            Middleware(SecurityMiddleware, max_body=settings.max_body, https=settings.production)
        ],
        exception_handlers={
            HTTPException: http_exception,
            NotDurable: not_durable,
            # A full disk, a PostgreSQL gone: 503 in plain French (server/storage/errors.py).
            **dict.fromkeys(storage_errors(bool(settings.database_url)), storage_failure),
            ClientDisconnect: client_gone,  # cut off mid-body (server/slow_clients.py)
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    # The one attribute set on Starlette's state: everything else is typed (server/state.py).
    app.state.alliances = shared
    return app


def _on_sighup(live: LiveContent) -> None:
    """`kill -HUP <pid>` reloads the content without dropping a request."""
    try:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(live.reload()))
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread (tests)
        log.debug("SIGHUP reload unavailable in this thread")


async def preview_user(storage: Storage) -> tuple[User, str]:
    """The editor's preview needs no account: everyone on localhost is this user.

    It gets a session of its own, so session-keyed queries serve the preview too.
    """
    email = "apercu@localhost.invalid"
    user = await storage.create_user(email, "Aperçu de l'éditeur", "!")  # "!" never verifies
    user = user or (await storage.user_by_email(email))
    assert user is not None
    session = token_hash(new_token())
    await storage.end_sessions_of(user.id)  # one preview session at a time, not one per start
    await storage.create_session(user.id, session, days=3650)
    return user, session
