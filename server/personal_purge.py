"""Inactive accounts and expired retention: what `alliances purge-inactive` does.

An account unseen for `inactive_days` is deleted, exactly as its owner would
delete it, 30 days after a warning by e-mail; signing in meanwhile voids the
warning. Admin accounts are never deleted automatically (the site would lose
the people who can grant roles): an operator deletes them by hand.

Deleted learners' records kept for the retention period are purged once due,
here and by the server itself, at start-up and then once a day
(`purge_loop`): a period counted in days needs no finer clock, and the purge
then happens even where nobody schedules the command. Several workers may run
it at once: each statement only deletes what is due, so the second finds
nothing left.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from server import clock, urls
from server.mail.compose import compose
from server.settings import Settings
from server.storage import Storage
from server.storage.records import InactiveAccount
from server.templating import date_fr

WARNING_DAYS = 30
PURGE_EVERY = timedelta(days=1)
# A message the site sent: its text is kept a month (to answer « I never got it »),
# its trace (recipient, subject, date, outcome) a year; stated on /donnees-personnelles.
MESSAGE_TEXT_DAYS = 30
MESSAGE_DAYS = 365
log = logging.getLogger("alliances")


def days_fr(days: int) -> str:
    """« 3\u00a0ans », « 1\u00a0an », « 45\u00a0jours »: a period as people say it."""
    if days and days % 365 == 0:
        years = days // 365
        return f"{years}\u00a0an{'s' if years > 1 else ''}"
    return f"{days}\u00a0jour{'s' if days > 1 else ''}"


def purge_after(settings: Settings, moment: datetime) -> str | None:
    """Until when a deletion at `moment` keeps the training records; None: nothing kept."""
    if not settings.retention_days:
        return None
    return clock.stamp(moment + timedelta(days=settings.retention_days))


@dataclass
class PurgeReport:
    warned: list[InactiveAccount] = field(default_factory=list)
    deleted: list[InactiveAccount] = field(default_factory=list)
    purged: int = 0  # deleted accounts whose kept records were purged
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would warn" if self.dry_run else "warned"
        return (
            f"{verb} {len(self.warned)}, "
            f"{'would delete' if self.dry_run else 'deleted'} {len(self.deleted)} inactive"
            f" account(s); {'would purge' if self.dry_run else 'purged'} the kept records"
            f" of {self.purged} deleted account(s)"
        )


async def purge_inactive(
    storage: Storage, settings: Settings, days: int, *, dry_run: bool, moment: datetime
) -> PurgeReport:
    """Warn, delete and purge as due at `moment`; with `dry_run`, only say so."""
    report = PurgeReport(dry_run=dry_run)
    if not dry_run:
        await storage.forget_returned_warnings()
    warn_before = clock.stamp(moment - timedelta(days=days - WARNING_DAYS))
    warned_before = clock.stamp(moment - timedelta(days=WARNING_DAYS))
    report.warned, report.deleted = await storage.inactive_accounts(warn_before, warned_before)
    if dry_run:
        report.purged = await storage.purges_due(clock.stamp(moment))
        return report
    deadline = date_fr(moment + timedelta(days=WARNING_DAYS))
    for account in report.warned:
        message = compose(
            "inactivity_warning",
            account.email,
            account.name,
            {
                "deadline": deadline,
                "last_seen": date_fr(account.last_seen_at),
                "period": days_fr(days),
                "login_url": f"{settings.base_url}{urls.login()}",
                "data_url": f"{settings.base_url}{urls.my_data()}",
            },
            base_url=settings.base_url,
        )
        await storage.warn_inactive(account.id, message, clock.stamp(moment))
    for account in report.deleted:
        await storage.delete_account(account.id, clock.stamp(moment), purge_after(settings, moment))
    report.purged = await storage.purge_due(clock.stamp(moment))
    await forget_old_messages(storage, moment)
    return report


async def forget_old_messages(storage: Storage, moment: datetime) -> int:
    """Sent messages lose their text after MESSAGE_TEXT_DAYS, their trace after MESSAGE_DAYS."""
    return await storage.forget_old_messages(
        clock.stamp(moment - timedelta(days=MESSAGE_TEXT_DAYS)),
        clock.stamp(moment - timedelta(days=MESSAGE_DAYS)),
    )


async def purge_loop(storage: Storage) -> None:
    """Purge the retention that ended, now and once a day, for as long as the server runs."""
    while True:
        try:
            moment = clock.moment()
            purged = await storage.purge_due(clock.stamp(moment))
            if purged:
                log.info("purged the kept records of %d deleted account(s)", purged)
            await forget_old_messages(storage, moment)
        except Exception:  # a full disk must not stop the server: tried again tomorrow
            log.exception("purging the kept records of deleted accounts failed")
        await asyncio.sleep(PURGE_EVERY.total_seconds())
