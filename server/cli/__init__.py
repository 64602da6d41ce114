"""The `alliances` command: serve the course, or check its content.

This module builds the parser; each command lives in the module of its concern.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from server.cli.badges import cmd_badge_key_list, cmd_badge_key_rotate
from server.cli.content import cmd_check, cmd_gift_export, cmd_gift_import
from server.cli.database import cmd_backup, cmd_db_copy, cmd_migrate
from server.cli.lti import add_parser as add_lti_parser
from server.cli.mail import cmd_mail_test
from server.cli.serve import cmd_preview, cmd_serve
from server.cli.users import (
    cmd_create_user,
    cmd_purge_inactive,
    cmd_reminders_run,
    cmd_revoke_certificate,
)


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
    badge_key = sub.add_parser("badge-key", help="the keys that sign the Open Badges")
    badge_key_sub = badge_key.add_subparsers(dest="badge_key_command", required=True)
    badge_key_sub.add_parser(
        "rotate", help="make a new current signing key; older badges still verify"
    ).set_defaults(func=cmd_badge_key_rotate)
    badge_key_sub.add_parser("list", help="the keys and their did:key").set_defaults(
        func=cmd_badge_key_list
    )
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
    add_lti_parser(sub)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))
