"""Importing a platform course's roster into its cohort (issue #17 §3).

Each active member gets the account a launch would give them, by the same key
(issuer, platform user id), made now if they never launched; instructors become
trainers of the cohort, everyone else a member enrolled in its path. Nobody is ever
removed: members the platform marks inactive are counted and reported, so that the
trainer decides. The result, or the platform's error, is recorded for the cohort's page.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

import httpx2

from course.certificates import MAX_NAME
from server import clock
from server.lti.nrps import Member, roster
from server.lti.roles import is_instructor
from server.lti.service_token import ServiceError
from server.storage import Storage
from server.storage.lti_contexts import LtiContext, RosterCounts
from server.storage.records import Cohort

if TYPE_CHECKING:
    from server.state import AppState

log = logging.getLogger("alliances.lti")
NO_NAME = "Apprenant ou apprenante"


class RosterFailed(Exception):
    """The roster could not be had: `message` for the trainer, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def french_reason(error: ServiceError) -> str:
    """What went wrong, for a trainer who can do nothing about the platform's set-up but
    tell its administrator: the platform's own words follow in brackets."""
    if isinstance(error.__cause__, httpx2.TransportError):  # refused, timed out, no DNS...
        what = "La plateforme ne répond pas."
    elif error.status in (401, 403):
        what = (
            "La plateforme refuse de donner la liste des participants à ce site "
            "(le service «\u00a0Noms et rôles\u00a0» est-il activé pour l’outil\u00a0?)."
        )
    elif error.status is not None and error.status >= 500:
        what = "La plateforme est en panne ou indisponible."
    else:
        what = "La réponse de la plateforme n’a pas pu être lue."
    detail = " ".join(error.reason.split())[:300]
    return (
        f"{what} Personne n’a été ajouté ni retiré du groupe\u00a0; réessayez plus tard, ou "
        f"transmettez ce message à l’administrateur de la plateforme\u00a0: «\u00a0{detail}\u00a0»."
    )


async def import_roster(
    app: AppState, db: Storage, context: LtiContext, cohort: Cohort
) -> RosterCounts:
    """Read the whole roster, then file its active members; RosterFailed when the roster
    cannot be had (nothing changed then). Both outcomes are recorded."""
    at = clock.now()
    platform = await db.lti_platform(context.platform_id)
    try:
        if platform is None:
            raise ServiceError("the platform is no longer registered")
        read = await roster(app, platform, context.memberships_url)
    except ServiceError as exc:
        log.warning("lti roster of cohort %s refused: %s", cohort.id, exc.reason)
        message = french_reason(exc)
        await db.record_roster_import(cohort.id, at, RosterCounts(), message)
        raise RosterFailed(message) from exc
    counts = await _file(db, context.issuer, cohort, read.members, read.unreadable, at)
    await db.record_roster_import(cohort.id, at, counts, None)
    log.info("lti roster of cohort %s: %s", cohort.id, counts)
    return counts


async def _file(
    db: Storage, issuer: str, cohort: Cohort, members: list[Member], unreadable: int, at: str
) -> RosterCounts:
    active = {m.user_id: m for m in members if m.status == "Active"}  # once each
    inactive = sum(1 for m in members if m.status == "Inactive")
    skipped = unreadable + sum(1 for m in members if m.status not in ("Active", "Inactive"))
    accounts = await db.lti_users(issuer, list(active))
    for subject, found in active.items():
        if subject not in accounts:
            accounts[subject] = await _new_account(db, issuer, found, at)
    teachers = [accounts[s] for s, m in active.items() if is_instructor(m.roles)]
    learners = [accounts[s] for s, m in active.items() if not is_instructor(m.roles)]
    added = await db.add_cohort_trainers(cohort.id, teachers) if teachers else 0
    if learners:
        added += await db.add_cohort_learners(cohort.id, cohort.path_id, learners, at)
    return RosterCounts(
        read=len(members) + unreadable,
        added=added,
        already=len(active) - added,
        skipped=skipped,
        inactive=inactive,
    )


async def _new_account(db: Storage, issuer: str, member: Member, at: str) -> int:
    """The account a first launch would make: no password, a placeholder address."""
    name = member.name[:MAX_NAME] or NO_NAME
    placeholder = f"lti-{secrets.token_hex(12)}@lti.invalid"
    return await db.create_lti_user(issuer, member.user_id, placeholder, name, member.email, at)
