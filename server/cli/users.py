"""The account commands: `create-user`, `purge-inactive`, `revoke-certificate`, `reminders run`."""

from __future__ import annotations

import argparse
import sys

from server import clock
from server.settings import Settings


def cmd_create_user(args: argparse.Namespace) -> int:
    """Create an account from the command line: how the first admin is made."""
    import asyncio
    import getpass

    from server.passwords import password_problem
    from server.security import hash_password
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
                await storage.change_role(None, user.id, role, True, clock.now())
            print(f"created {email} ({', '.join(args.role or ['learner'])})")
            return 0
        finally:
            await storage.close()

    return asyncio.run(create())


def cmd_purge_inactive(args: argparse.Namespace) -> int:
    """Warn accounts unseen for nearly --days, delete those warned 30 days ago (run daily)."""
    import asyncio

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
                storage, settings, days, dry_run=args.dry_run, moment=clock.moment()
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


def cmd_reminders_run(args: argparse.Namespace) -> int:
    """For cron users: evaluate the rules once; safe beside running servers (idempotent)."""
    import asyncio

    from server.content import compile_snapshot
    from server.reminders import run_due_reminders

    settings = Settings.from_env()
    course = compile_snapshot(settings.content_dir).course

    async def run() -> int:
        from server.storage import open_storage

        storage = open_storage(settings)
        await storage.open()
        try:
            today = clock.moment().date()
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
