"""`alliances serve` and `alliances preview`: the web server, for learners or for an editor."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.errors import ContentError
from course.loader import Loader
from server.cli.content import report
from server.cli.database import database_name, database_problem
from server.settings import Settings


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.slow_clients import UVICORN_LIMITS, DeadlineProtocol

    if args.workers < 1:
        print("alliances: --workers must be at least 1", file=sys.stderr)
        return 2
    if args.workers > 1 and args.reload:
        print("alliances: --workers cannot be used with --reload", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env()  # fail fast, before uvicorn starts, readably
    except ValueError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 2
    port = settings.port if args.port is None else args.port
    cpu = settings.cpu if args.cpu is None else args.cpu
    if args.workers > 1 and cpu:
        print("alliances: --cpu would put every worker on the same CPU: drop it", file=sys.stderr)
        return 2
    if args.workers > 1 and not settings.database_url:
        print(
            "alliances: --workers needs PostgreSQL: SQLite is one file written by one"
            " process (its group commit lives in that process); set"
            " ALLIANCES_DATABASE=postgresql://… or serve with one worker",
            file=sys.stderr,
        )
        return 2
    try:
        Loader(settings.content_dir).load()  # a broken course: the list, not a traceback
    except ContentError as exc:
        return report(
            exc.problems, f"alliances: the content in {settings.content_dir} is not valid"
        )
    problem = database_problem(settings)
    if problem:
        print(
            f"alliances: the database {database_name(settings)} cannot be used: {problem}",
            file=sys.stderr,
        )
        return 2
    if cpu:
        from server.cpu import pin

        try:
            pinned = pin(cpu)  # before any thread starts: they inherit it
        except ValueError as exc:
            print(f"alliances: {exc}", file=sys.stderr)
            return 2
        print(f"alliances: running on CPU {pinned}", file=sys.stderr)
    code = Path(__file__).resolve().parents[2]  # the repository: course/ and server/
    watched = [str(code / "course"), str(code / "server"), str(settings.content_dir)]
    # Hand the GIL over sooner (default 5 ms), so the SQLite thread answers promptly.
    sys.setswitchinterval(0.001)
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=args.host,
        port=port,
        reload=args.reload,
        workers=args.workers,  # each runs its own mail sender: the outbox's claim shares them
        reload_dirs=watched if args.reload else None,
        reload_includes=["*.py", "*.md", "*.yaml", "*.html", "*.sql"] if args.reload else None,
        loop="uvloop",
        http=DeadlineProtocol,  # httptools, with a deadline on incomplete requests
        **UVICORN_LIMITS,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level="info",
        access_log=not args.no_access_log,
    )
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    """Serve the course for an editor: localhost only, no account, reload on every save."""
    import tempfile
    from dataclasses import replace

    import uvicorn

    from server.app import create_app

    content = Path(args.content_dir)
    try:
        Loader(content).load()
    except ContentError as exc:
        return report(exc.problems, f"alliances: fix the content in {content} first")
    workdir = Path(tempfile.mkdtemp(prefix="alliances-preview-"))
    settings = replace(
        Settings.from_env({"ALLIANCES_DATABASE": str(workdir / "preview.db")}),
        content_dir=content,
        preview=True,
    )
    print(f"Aperçu de {content} sur http://127.0.0.1:{args.port} (Ctrl+C pour arrêter)")
    uvicorn.run(create_app(settings), host="127.0.0.1", port=args.port, log_level="warning")
    return 0
