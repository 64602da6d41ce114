"""Reminders to learners and the trainers' weekly digest: which rule fires for whom.

The rules are pure decisions over a cohort's learners; recording is the storage
layer's (server/storage/reminders.py), where every limit is enforced by the
statement that records the reminder: a rule fires at most once per period
(UNIQUE(cohort_id, user_id, rule, period)), a learner gets at most one reminder
a week from a cohort, and never at an unconfirmed, deleted or opted-out
address. So the runner may run in every worker, every hour, and from cron:
what it records twice is refused by the database, not sent twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from starlette.datastructures import FormData

from course import reporting
from course.models import Course
from course.reporting import LearnerReport
from server import clock, urls
from server.mail.compose import compose
from server.reminder_messages import compose_reminders, stop_url
from server.satisfaction_mail import run_cold
from server.security import Signer
from server.settings import Settings
from server.state import AppState
from server.storage import Storage
from server.storage.records import Cohort, MemberRow, ReminderRules, Send

log = logging.getLogger("alliances.reminders")

WEEK_DAYS = 7  # at most one reminder a week per learner and cohort
INTERVAL_SECONDS = 3600  # how often the server evaluates the rules
FIRST_RUN_SECONDS = 60  # not at start-up: a restart loop must not hammer the database
# What the digest counts as « at risk » when the cohort has no rule of that kind.
DIGEST_NOT_STARTED_DAYS = 7
DIGEST_INACTIVE_DAYS = 14
DIGEST_NAMES = 50  # per cohort; the dashboard lists the others
RULE_NAMES = {
    "late": "en retard",
    "not_started": "pas commencé",
    "inactive": "inactif",
    "before_due": "échéance proche",
    "digest": "résumé hebdomadaire",
}


MAX_DAYS = 365
RULE_FIELDS = {
    "remind_not_started_days": "le délai avant de relancer qui n’a pas commencé",
    "remind_inactive_days": "le délai d’inactivité",
    "remind_before_due_days": "le nombre de jours avant l’échéance",
}


def parse_rules(form: FormData) -> tuple[ReminderRules, dict[str, str]]:
    """The settings form's rules: a number of days (1 to 365) or empty for off."""
    days: dict[str, int | None] = {}
    errors = {}
    for name, label in RULE_FIELDS.items():
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        days[name] = None
        if not value:
            continue
        if not value.isdigit() or not 0 < int(value) <= MAX_DAYS:
            errors[name] = (
                f"Pour {label}, indiquez un nombre de jours entre 1 et {MAX_DAYS}, "
                "ou laissez vide pour ne pas relancer."
            )
        else:
            days[name] = int(value)
    rules = ReminderRules(
        days["remind_not_started_days"],
        days["remind_inactive_days"],
        days["remind_before_due_days"],
        form.get("remind_digest") == "1",
    )
    return rules, errors


def week_ago(moment: datetime) -> str:
    """The weekly limit's cutoff: a reminder recorded after it blocks another."""
    return clock.stamp(moment - timedelta(days=WEEK_DAYS))


def _days(since: str | None, today: date) -> int | None:
    return (today - date.fromisoformat(since[:10])).days if since else None


def due_rule(
    rules: ReminderRules, cohort: Cohort, member: MemberRow, report: LearnerReport, today: date
) -> tuple[str, str, dict[str, Any]] | None:
    """The one automatic rule that fires for this learner today: (rule, period, context).

    The period makes each rule fire once: once per due date, once per
    membership, once per stretch of inactivity (a learner who comes back and
    stops again may be reminded again).
    """
    if report.state == "completed":
        return None
    if rules.before_due_days is not None and cohort.due_date:
        left = (date.fromisoformat(cohort.due_date) - today).days
        if 0 <= left <= rules.before_due_days:
            return "before_due", cohort.due_date, {"days_left": left}
    joined = _days(member.joined_at, today)
    waited = rules.not_started_days
    if waited is not None and not report.started and joined is not None and joined >= waited:
        return "not_started", member.joined_at[:10], {"days": joined}
    idle = _days(report.last_activity, today)
    limit = rules.inactive_days
    if limit is not None and report.last_activity and idle is not None and idle >= limit:
        return "inactive", report.last_activity[:10], {"days": idle}
    return None


def risks(rules: ReminderRules, member: MemberRow, report: LearnerReport, today: date) -> str:
    """Why the digest lists this learner (empty: not at risk)."""
    if report.state == "completed":
        return ""
    reasons = []
    if report.late:
        reasons.append("en retard")
    if not report.started:
        joined = _days(member.joined_at, today) or 0
        if joined >= (rules.not_started_days or DIGEST_NOT_STARTED_DAYS):
            reasons.append(f"pas commencé {joined}\u00a0jours après son arrivée")
    else:
        idle = _days(report.last_activity, today) or 0
        if idle >= (rules.inactive_days or DIGEST_INACTIVE_DAYS):
            reasons.append(f"inactif depuis {idle}\u00a0jours")
    return ", ".join(reasons)


@dataclass(frozen=True)
class Planned:
    """One message the runner recorded (or, in a dry run, would record)."""

    rule: str
    cohort_id: int | None
    user_id: int
    to: str


@dataclass
class _Digest:
    name: str
    email: str
    groups: list[dict[str, Any]]


async def run_due_reminders(
    storage: Storage, course: Course, settings: Settings, today: date, *, dry_run: bool = False
) -> list[Planned]:
    """Evaluate every cohort's rules for `today` and record what is due, idempotently."""
    signer = Signer(settings.secret_key)
    moment = clock.moment()
    at, cutoff = clock.stamp(moment), week_ago(moment)
    planned: list[Planned] = []
    digests: dict[int, _Digest] = {}
    for cohort_id, rules in await storage.cohorts_with_rules():
        cohort = await storage.cohort(cohort_id)
        path = course.path(cohort.path_id) if cohort else None
        if cohort is None or path is None:
            continue
        trainers = await storage.cohort_trainers(cohort_id)
        trainer_name = trainers[0]["name"] if trainers else "Votre formateur"
        due: list[tuple[LearnerReport, str, str, dict[str, Any]]] = []
        at_risk = []
        for member in await storage.members(cohort_id, path.module_ids):
            if getattr(member, "deleted", False):  # « compte supprimé »: nobody to write to
                continue
            report = reporting.learner_report(
                path,
                (member.user_id, member.name, member.email),
                member.progress,
                member.last_activity,
                None,
                cohort.due_date,
                today.isoformat(),
            )
            if rules.digest and (why := risks(rules, member, report, today)):
                at_risk.append({"name": member.name, "reasons": why})
            found = due_rule(rules, cohort, member, report, today)
            if found is not None:
                due.append((report, *found))
        if due:
            reach = await storage.reminder_reach(cohort_id, [d[0].user_id for d in due], cutoff)
            due = [d for d in due if reach.get(d[0].user_id) == "ok"]
            # A large cohort's messages are composed off the server's event loop.
            sends = await asyncio.to_thread(
                compose_reminders, due, cohort, settings, signer, trainer_name
            )
            done = (
                {s.user_id for s in sends}
                if dry_run
                else set(await storage.record_reminders(cohort_id, sends, at, cutoff))
            )
            planned += [
                Planned(s.rule, cohort_id, s.user_id, s.message.to)
                for s in sends
                if s.user_id in done
            ]
        if at_risk:
            group = {
                "cohort_name": cohort.name,
                "url": f"{settings.base_url}{urls.cohort(cohort_id)}",
                "people": sorted(at_risk, key=lambda p: p["name"].casefold())[:DIGEST_NAMES],
                "more": max(0, len(at_risk) - DIGEST_NAMES),
            }
            for trainer in trainers:
                digest = digests.setdefault(
                    trainer["id"], _Digest(trainer["name"], trainer["email"], [])
                )
                digest.groups.append(group)
    planned += await _send_digests(storage, settings, signer, digests, today, at, dry_run)
    return planned


async def _send_digests(
    storage: Storage,
    settings: Settings,
    signer: Signer,
    digests: dict[int, _Digest],
    today: date,
    at: str,
    dry_run: bool,
) -> list[Planned]:
    """One digest per trainer and ISO week, listing every cohort of theirs with people at risk."""
    year, week, _ = today.isocalendar()
    period = f"{year}-W{week:02d}"
    sends = [
        Send(
            trainer_id,
            "digest",
            period,
            compose(
                "digest",
                digest.email,
                digest.name,
                {"groups": digest.groups},
                base_url=settings.base_url,
                unsubscribe=stop_url(settings, signer, trainer_id, "d"),
            ),
        )
        for trainer_id, digest in digests.items()
    ]
    done = (
        {s.user_id for s in sends}
        if dry_run
        else set(await storage.record_reminders(None, sends, at, at))
    )
    return [Planned("digest", None, s.user_id, s.message.to) for s in sends if s.user_id in done]


async def run_periodically(shared: AppState) -> None:
    """The server's own runner (a task of the lifespan): every hour, whatever fails."""
    await asyncio.sleep(FIRST_RUN_SECONDS)
    while True:
        try:
            planned = await run_due_reminders(
                shared.storage,
                shared.content.snapshot.course,  # the course served now, reloads included
                shared.settings,
                clock.moment().date(),
            )
            if planned:
                log.info("reminders: %d message(s) recorded", len(planned))
        except Exception:  # a bad hour must not stop the next ones
            log.exception("reminders: the rules could not be evaluated")
        if shared.settings.smtp_url:  # « à froid » invitations only where mail goes out
            try:
                await run_cold(
                    shared.storage,
                    shared.content.snapshot.course,
                    shared.settings,
                    clock.moment(),
                )
            except Exception:
                log.exception("satisfaction: the « à froid » invitations could not be recorded")
        await asyncio.sleep(INTERVAL_SECONDS)
