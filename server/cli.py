"""The `alliances` command: serve the course, or check its content."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from course.errors import ContentError
from course.export import course_summary
from course.loader import Loader
from course.originality import overlaps


def cmd_check(args: argparse.Namespace) -> int:
    loader = Loader(Path(args.content_dir))
    try:
        course = loader.load()
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        errors = sum(not p.warning for p in exc.problems)
        print(f"{errors} erreur(s), {len(exc.problems) - errors} avertissement(s)", file=sys.stderr)
        return 1
    for warning in course.warnings:
        print(warning, file=sys.stderr)
    copied = overlaps(Path(args.content_dir), args.sources) if args.sources else []
    for place in copied:
        print(f"{place} : 12 mots consécutifs repris d'une source", file=sys.stderr)
    if args.json:
        json.dump(course_summary(course), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(
            f"Contenu valide : {len(course.modules)} modules, "
            + ", ".join(f"{p.id} = {p.total_minutes} min" for p in course.paths)
            + f", version {course.version}"
            + (f", {len(course.warnings)} avertissement(s)" if course.warnings else ""),
            file=sys.stderr,
        )
    return 1 if copied or (args.strict and course.warnings) else 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.settings import Settings

    try:
        settings = Settings.from_env()  # fail fast, before uvicorn starts, readably
    except ValueError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 2
    try:
        Loader(settings.content_dir).load()  # a broken course: the list, not a traceback
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"alliances: the content in {settings.content_dir} is not valid", file=sys.stderr)
        return 1
    code = Path(__file__).resolve().parent.parent
    watched = [str(code / "course"), str(code / "server"), str(settings.content_dir)]
    # Hand the GIL over sooner (default 5 ms), so the SQLite thread answers promptly.
    sys.setswitchinterval(0.001)
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        reload=args.reload,
        reload_dirs=watched if args.reload else None,
        reload_includes=["*.py", "*.md", "*.yaml", "*.html", "*.sql"] if args.reload else None,
        loop="uvloop",
        http="httptools",
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_level="info",
        access_log=not args.no_access_log,
    )
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="alliances", description="Alliances & Territoires")
    sub = root.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--reload", action="store_true", help="restart on code or content change")
    serve.add_argument("--no-access-log", action="store_true", help="do not log each request")
    serve.set_defaults(func=cmd_serve)
    check = sub.add_parser("check", help="validate the course content")
    check.add_argument("content_dir", nargs="?", default="content")
    check.add_argument("--json", action="store_true", help="print the compiled course as JSON")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument(
        "--sources", type=Path, help="fail if the content repeats 12 words of a file in SOURCES"
    )
    check.set_defaults(func=cmd_check)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
