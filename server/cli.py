"""The `alliances` command: serve the course, or check its content."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from course.diff import Change, annotate, compare
from course.errors import ContentError
from course.export import course_summary
from course.loader import Loader, load_course
from course.models import Course
from course.originality import overlaps
from course.quiz_report import quiz_report
from course.quiz_report_text import format_report, report_json
from server.settings import Settings


def report(problems: list, *footer: str) -> int:
    """Print content problems (file:line: message), then closing lines; exit code 1."""
    for line in [*problems, *footer]:
        print(line, file=sys.stderr)
    return 1


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


def cmd_check(args: argparse.Namespace) -> int:
    if args.database is not None and args.against is None:
        print("alliances: --database ne sert qu'avec --against", file=sys.stderr)
        return 2
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
    blind = quiz_report(course) if args.quiz_report else None
    if blind is not None:
        if args.json:
            json.dump(report_json(blind), sys.stdout, ensure_ascii=False, indent=2)
        print("" if args.json else format_report(blind))
    elif args.json:
        json.dump(course_summary(course), sys.stdout, ensure_ascii=False, indent=2)
        print()
    if not args.json:
        print(
            f"Contenu valide : {len(course.modules)} modules, "
            + ", ".join(f"{p.id} = {p.total_minutes} min" for p in course.paths)
            + f", version {course.version}"
            + (f", {len(course.warnings)} avertissement(s)" if course.warnings else ""),
            file=sys.stderr,
        )
    code = 1 if copied or (args.strict and course.warnings) else 0
    if blind is not None and args.strict and not blind.targets_met:
        code = 1
    if args.against is not None:
        return max(code, check_against(course, args))
    return code


def check_against(course: Course, args: argparse.Namespace) -> int:
    """Print what `course` would do to learners compared with --against: 1 if harmful."""
    out = sys.stderr if args.json else sys.stdout  # --json keeps standard output parseable
    try:
        old = load_course(args.against)  # its warnings are the past's business
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"alliances: l'ancien contenu {args.against} ne se charge pas", file=sys.stderr)
        return 1
    changes = compare(old, course)
    if args.database is not None:
        try:
            changes = learners_touched(args.database, changes)
        except Exception as exc:  # sqlite3's, psycopg's, a refused connection: one line
            reason = " ".join(str(exc).split()) or type(exc).__name__
            print(
                f"alliances: base de données illisible {args.database} : {reason}", file=sys.stderr
            )
            return 2
    for change in changes:
        print(f"{'à risque' if change.harmful else 'information'} : {change.message_fr}", file=out)
    harmful = sum(c.harmful for c in changes)
    print(
        f"Comparaison avec {args.against} : "
        + (
            f"{len(changes)} changement(s), dont {harmful} à risque pour les apprenants"
            if changes
            else "aucun changement pour les apprenants"
        ),
        file=out,
    )
    return 1 if harmful else 0


def learners_touched(database: str, changes: list[Change]) -> list[Change]:
    """Annotate the changes with learner counts, reading the app's database, never writing.

    `database`: a SQLite file's path or a `postgresql://` URL. The counts are the
    storage layer's (`Storage.learners_touched`).
    """
    import asyncio

    from server.storage import SqliteStorage, Storage

    storage: Storage
    if database.startswith(("postgresql://", "postgres://")):
        from server.storage.postgres import PostgresStorage

        storage = PostgresStorage(database)
    else:
        storage = SqliteStorage(Path(database.removeprefix("sqlite://")))

    async def count() -> list[Change]:
        await storage.open_read_only()
        try:
            annotated = []
            for change in changes:
                found = await storage.learners_touched(
                    change.kind,
                    change.subject_id,
                    change.module_id,
                    change.path_id,
                    list(change.choice_ids),
                )
                annotated.append(change if found is None else annotate(change, found))
            return annotated
        finally:
            await storage.close()

    return asyncio.run(count())


def _database_name(settings: Settings) -> str:
    """The database as an operator knows it, without a password in a URL."""
    if not settings.database_url:
        return str(settings.database)
    from urllib.parse import urlsplit

    parts = urlsplit(settings.database_url)
    host = f"{parts.hostname or 'localhost'}{f':{parts.port}' if parts.port else ''}"
    return f"{parts.scheme}://{host}{parts.path}"


def database_problem(settings: Settings) -> str | None:
    """Open the database once (creating and migrating it): what went wrong, or None.

    Run before uvicorn starts, so a damaged file or a PostgreSQL server that
    refuses the connection gets one readable line instead of the traceback of a
    failed application start-up.
    """
    import asyncio

    from server.storage import open_storage

    async def attempt() -> None:
        storage = open_storage(settings)
        await storage.open()
        await storage.close()

    try:
        asyncio.run(attempt())
    except (sqlite3.Error, OSError) as exc:
        return str(exc)
    except Exception as exc:  # psycopg's errors, DatabaseUnavailable: said in one line
        return " ".join(str(exc).split()) or type(exc).__name__
    return None


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply the missing migrations of ALLIANCES_DATABASE's backend: the release step."""
    import asyncio

    from server.storage.migrate import migrate

    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 2
    try:
        applied = asyncio.run(migrate(settings))
    except Exception as exc:  # sqlite3's, OSError, psycopg's: one readable line
        reason = " ".join(str(exc).split()) or type(exc).__name__
        print(
            f"alliances: the database {_database_name(settings)} cannot be migrated: {reason}",
            file=sys.stderr,
        )
        return 2
    for name in applied:
        print(f"applied {name}")
    if not applied:
        print(f"nothing to apply: {_database_name(settings)} is up to date")
    return 0


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
            f"alliances: the database {_database_name(settings)} cannot be used: {problem}",
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
    code = Path(__file__).resolve().parent.parent
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


def cmd_mail_test(args: argparse.Namespace) -> int:
    """Send the `test` message straight through the transport; the outcome in one line."""
    import asyncio

    from server.mail.compose import compose
    from server.mail.transport import (
        FileTransport,
        Outgoing,
        PermanentFailure,
        TemporaryFailure,
        build_email,
        mail_from,
        transport_for,
    )
    from server.views.auth import EMAIL

    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 2
    address = args.address.strip()
    if not EMAIL.match(address):
        print(f"alliances: not an e-mail address: {address!r}", file=sys.stderr)
        return 2
    message = compose("test", address, "", {}, base_url=settings.base_url)
    email = build_email(message, mail_from=mail_from(settings), base_url=settings.base_url)
    transport = transport_for(settings)
    try:
        outcome = asyncio.run(transport.send(Outgoing(None, address, email)))
    except (TemporaryFailure, PermanentFailure) as exc:
        print(f"failed: {exc} (via {transport.description})")
        return 1
    if isinstance(transport, FileTransport):
        print(f"not sent, ALLIANCES_SMTP_URL is not set: {outcome}")
    else:
        print(f"sent to {address} via {transport.description}: {outcome}")
    return 0


def cmd_purge_inactive(args: argparse.Namespace) -> int:
    """Warn accounts unseen for nearly --days, delete those warned 30 days ago (run daily)."""
    import asyncio
    from datetime import UTC, datetime

    from server.personal_purge import WARNING_DAYS, purge_inactive

    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 2
    days = settings.inactive_days if args.days is None else args.days
    if days <= WARNING_DAYS:
        print(f"alliances: --days must be more than {WARNING_DAYS}", file=sys.stderr)
        return 2

    async def purge() -> int:
        from server.storage import open_storage

        storage = open_storage(settings)
        await storage.open()
        try:
            done = await purge_inactive(
                storage, settings, days, dry_run=args.dry_run, moment=datetime.now(UTC)
            )
        finally:
            await storage.close()
        if args.dry_run:
            for account in done.warned:
                print(f"would warn {account.email} (last seen {account.last_seen_at})")
            for account in done.deleted:
                print(f"would delete {account.email} (last seen {account.last_seen_at})")
        print(done.summary())
        return 0

    return asyncio.run(purge())


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the running site's database (server/backup.py)."""
    from server.backup import BackupError, backup_sqlite

    try:
        database = Settings.from_env().database
        size = backup_sqlite(database, args.destination)
    except (ValueError, BackupError) as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 2
    target = args.destination / database.name if args.destination.is_dir() else args.destination
    print(f"backed up {database} to {target} ({size:,} bytes)".replace(",", "\u202f"))
    return 0


def cmd_db_copy(args: argparse.Namespace) -> int:
    """Copy the SQLite site into an empty PostgreSQL database (server/db_copy.py)."""
    from server.db_copy import CopyError, copy_sqlite_to_postgres, source_path, target_url

    try:
        source, target = source_path(args.source), target_url(args.target)
    except CopyError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 2
    try:
        copy_sqlite_to_postgres(source, target)
    except CopyError as exc:
        print(f"alliances: nothing copied: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_revoke_certificate(args: argparse.Namespace) -> int:
    """Revoke an issued certificate: its public page and PDF then say « révoquée »."""
    import asyncio

    # Accept the verification URL too: ids may start with "-", which argparse reads
    # as an option unless written after "--".
    certificate_id = args.certificate.rstrip("/").rsplit("/", 1)[-1].removesuffix(".pdf")

    async def revoke() -> int:
        from server.storage import open_storage

        storage = open_storage(Settings.from_env())
        await storage.open()
        try:
            if await storage.revoke_certificate(certificate_id, args.reason.strip()):
                print(f"revoked {certificate_id}")
                return 0
            print("alliances: no valid certificate with this id", file=sys.stderr)
            return 1
        finally:
            await storage.close()

    return asyncio.run(revoke())


def cmd_create_user(args: argparse.Namespace) -> int:
    """Create an account from the command line: how the first admin is made."""
    import asyncio
    import getpass

    from server.passwords import password_problem
    from server.security import hash_password
    from server.storage import now
    from server.views.auth import EMAIL, clean_name

    email, name = args.email.strip().lower(), clean_name(args.name)
    if not EMAIL.match(email) or not name:
        print("alliances: a valid email and a non-empty --name are required", file=sys.stderr)
        return 2
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mot de passe : ")
        if password != getpass.getpass("Confirmez le mot de passe : "):
            print("alliances: the passwords differ", file=sys.stderr)
            return 2
    if problem := password_problem(password, email, name):
        print(f"alliances: {problem}", file=sys.stderr)
        return 2

    async def create() -> int:
        from server.storage import open_storage

        storage = open_storage(Settings.from_env())
        await storage.open()
        try:
            # The operator vouches for the address: reminders and digests reach it.
            user = await storage.create_user(email, name, hash_password(password), confirmed=True)
            if user is None:
                print(f"alliances: an account already exists for {email}", file=sys.stderr)
                return 1
            for role in set(args.role or []) - {"learner"}:
                await storage.change_role(None, user.id, role, True, now())
            print(f"created {email} ({', '.join(args.role or ['learner'])})")
            return 0
        finally:
            await storage.close()

    return asyncio.run(create())


def cmd_gift_import(args: argparse.Namespace) -> int:
    """Print one line per GIFT question; exit 0 only when the module file was written."""
    from course.gift import GiftError, import_gift

    try:
        result = import_gift(args.file, args.module, args.content)
    except GiftError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 1
    except ContentError as exc:
        return report(exc.problems, "Le cours ne se charge pas : corrigez-le avant d'importer.")
    for line in result.report:
        print(line)
    if result.written:
        print(
            f"{len(result.imported)} question(s) ajoutée(s) à {result.written} "
            "(section « ## Quiz ») : à relire avant publication. GIFT ne connaît pas "
            "les indices : écrivez l’« **Indice.** » de chaque question importée, "
            "`alliances check` les signale jusque-là."
        )
        return 0
    if result.problems:
        print("Avec ces questions, le cours ne se chargerait plus :", file=sys.stderr)
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print("Import annulé : rien n'a été écrit.", file=sys.stderr)
    else:
        print("Aucune question importée : le module n'a pas été modifié.", file=sys.stderr)
    return 1


def cmd_gift_export(args: argparse.Namespace) -> int:
    """Write the quizzes as GIFT to a file, or to standard output."""
    from course.gift import GiftError, cannot_write, export_gift, write_atomic
    from course.loader import load_course

    try:
        course = load_course(args.content, require_hints=False)  # GIFT has no hints
        text, warnings = export_gift(course, args.content, args.path)
    except GiftError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 1
    except ContentError as exc:
        return report(exc.problems)
    for warning in warnings:
        print(f"avertissement : {warning}", file=sys.stderr)
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            write_atomic(args.output, text)
        except OSError as exc:
            print(f"alliances: {cannot_write(args.output, exc)}", file=sys.stderr)
            return 1
        print(f"Questions exportées au format GIFT dans {args.output}", file=sys.stderr)
    return 0


def cmd_reminders_run(args: argparse.Namespace) -> int:
    """For cron users: evaluate the rules once; safe beside running servers (idempotent)."""
    import asyncio
    from datetime import UTC, datetime

    from server.content import compile_snapshot
    from server.reminders import run_due_reminders

    settings = Settings.from_env()
    course = compile_snapshot(settings.content_dir).course

    async def run() -> int:
        from server.storage import open_storage

        storage = open_storage(settings)
        await storage.open()
        try:
            today = datetime.now(UTC).date()
            planned = await run_due_reminders(
                storage, course, settings, today, dry_run=args.dry_run
            )
        finally:
            await storage.close()
        for item in planned:
            print(f"{item.rule}\tcohort {item.cohort_id or '-'}\t{item.to}")
        verb = "would be recorded" if args.dry_run else "recorded"
        print(f"{len(planned)} message(s) {verb}", file=sys.stderr)
        return 0

    return asyncio.run(run())


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="alliances", description="Alliances & Territoires")
    sub = root.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", default="127.0.0.1")
    # Read when serving (server/settings.py), so a bad PORT is one line, not a traceback.
    serve.add_argument("--port", type=int, help="default: PORT, or 8000")
    serve.add_argument("--reload", action="store_true", help="restart on code or content change")
    serve.add_argument("--no-access-log", action="store_true", help="do not log each request")
    serve.add_argument(
        "--cpu",
        help="run on this one CPU (a number, or 'auto'; default: ALLIANCES_CPU): faster when"
        " the server has the machine to itself (see docs/PERFORMANCE.md)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (PostgreSQL only; not with --reload or --cpu)",
    )
    serve.set_defaults(func=cmd_serve)
    migrate = sub.add_parser(
        "migrate", help="apply the database's missing migrations (the release step)"
    )
    migrate.set_defaults(func=cmd_migrate)
    check = sub.add_parser("check", help="validate the course content")
    check.add_argument("content_dir", nargs="?", default="content")
    check.add_argument("--json", action="store_true", help="print the compiled course as JSON")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument(
        "--quiz-report",
        action="store_true",
        help="print what blind strategies score on each quiz (with --strict: fail on a missed"
        " target)",
    )
    check.add_argument(
        "--sources", type=Path, help="fail if the content repeats 12 words of a file in SOURCES"
    )
    check.add_argument(
        "--against",
        type=Path,
        metavar="OLD_CONTENT_DIR",
        help="list what the content would do to learners compared with OLD_CONTENT_DIR",
    )
    check.add_argument(
        "--database",
        metavar="DB",
        help="with --against: count the learners each change touches in this database"
        " (a SQLite file or a postgresql:// URL), read only",
    )
    check.set_defaults(func=cmd_check)
    preview = sub.add_parser("preview", help="serve the course for an editor, live reload")
    preview.add_argument("content_dir", nargs="?", default="content")
    preview.add_argument("--port", type=int, default=8001)
    preview.set_defaults(func=cmd_preview)
    backup = sub.add_parser("backup", help="copy the SQLite database, even while serving")
    backup.add_argument("destination", type=Path, help="a file, or a folder to put it in")
    backup.set_defaults(func=cmd_backup)
    db = sub.add_parser("db", help="move the site's data between databases")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_copy = db_sub.add_parser(
        "copy", help="copy a SQLite site into an empty PostgreSQL database, ids and all"
    )
    db_copy.add_argument(
        "--from", dest="source", required=True, help="the SQLite file: a path or sqlite:///path"
    )
    db_copy.add_argument(
        "--to", dest="target", required=True, help="postgresql://user:password@host:5432/db"
    )
    db_copy.set_defaults(func=cmd_db_copy)
    revoke = sub.add_parser("revoke-certificate", help="revoke an issued certificate")
    revoke.add_argument("certificate", help="the certificate's id or verification URL")
    revoke.add_argument("--reason", required=True, help="shown on the public verification page")
    revoke.set_defaults(func=cmd_revoke_certificate)
    purge = sub.add_parser(
        "purge-inactive",
        help="warn inactive accounts by e-mail, delete them 30 days later (admins never)",
    )
    purge.add_argument(
        "--days",
        type=int,
        help="inactivity before deletion (default: ALLIANCES_INACTIVE_DAYS, 1095)",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="print what would happen, change nothing"
    )
    purge.set_defaults(func=cmd_purge_inactive)
    create = sub.add_parser("create-user", help="create an account (e.g. the first admin)")
    create.add_argument("email")
    create.add_argument("--name", required=True, help="name printed on certificates")
    create.add_argument(
        "--role",
        action="append",
        choices=["learner", "trainer", "editor", "admin"],
        help="role to grant (repeatable); everyone is a learner",
    )
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    create.set_defaults(func=cmd_create_user)
    gift = sub.add_parser("gift", help="import or export Moodle GIFT quizzes")
    gift_sub = gift.add_subparsers(dest="gift_command", required=True)
    gift_import = gift_sub.add_parser(
        "import",
        help="add a GIFT file's questions to a module's « ## Quiz » section, for review",
    )
    gift_import.add_argument("file", type=Path, help="the .gift file")
    gift_import.add_argument("--module", required=True, help="front matter id of the module")
    gift_import.add_argument("--content", type=Path, default=Path("content"))
    gift_import.set_defaults(func=cmd_gift_import)
    gift_export = gift_sub.add_parser("export", help="write the quizzes as GIFT for Moodle")
    gift_export.add_argument("--path", help="only this path's modules, in path order")
    gift_export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    gift_export.add_argument("--content", type=Path, default=Path("content"))
    gift_export.set_defaults(func=cmd_gift_export)
    mail = sub.add_parser("mail", help="check the sending of e-mail")
    mail_sub = mail.add_subparsers(dest="mail_command", required=True)
    mail_test = mail_sub.add_parser(
        "test", help="send a test message now, through the configured relay, not the outbox"
    )
    mail_test.add_argument("address", help="where to send it")
    mail_test.set_defaults(func=cmd_mail_test)
    reminders = sub.add_parser("reminders", help="reminders to learners, digests to trainers")
    reminders_sub = reminders.add_subparsers(dest="reminders_command", required=True)
    reminders_run = reminders_sub.add_parser(
        "run", help="record the reminders due today (the server also does it hourly)"
    )
    reminders_run.add_argument(
        "--dry-run", action="store_true", help="list what would be sent, record nothing"
    )
    reminders_run.set_defaults(func=cmd_reminders_run)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
