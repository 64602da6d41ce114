"""The « à froid » satisfaction questionnaire by e-mail (issue #18 §3).

`delay_days` (content/satisfaction.yaml) after a learner completed a path, they are
sent a link that opens the questionnaire without signing in: weeks later, many have
lost their password. The link is single-use (its hash is kept, the answer clears it),
expires LINK_DAYS after it was sent, and is sent again once, REMIND_AFTER_DAYS later,
if unanswered (a new link replaces the first). Every message goes through the outbox,
recorded with its invitation in one transaction, so two runs never send twice.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from course.models import Course
from server import clock, urls
from server.mail.compose import compose
from server.security import token_hash
from server.settings import Settings
from server.storage import Storage

log = logging.getLogger("alliances.satisfaction")

REMIND_AFTER_DAYS = 14
LINK_DAYS = 30  # counted from the last message, invitation or reminder


def link_cutoff(moment: datetime) -> str:
    """Links sent before this stamp have expired."""
    return clock.stamp(moment - timedelta(days=LINK_DAYS))


async def run_cold(storage: Storage, course: Course, settings: Settings, moment: datetime) -> int:
    """Record the invitations and reminders due at `moment`; how many messages were."""
    questionnaire = course.satisfaction.cold if course.satisfaction else None
    if questionnaire is None:
        return 0
    at = clock.stamp(moment)
    base = settings.base_url
    sent = 0
    completed_before = clock.stamp(moment - timedelta(days=questionnaire.delay_days))
    for path in course.paths:
        for user_id, email, name, cohort_id in await storage.cold_invitations_due(
            path.id, completed_before
        ):
            token = secrets.token_urlsafe(32)
            link = base + urls.satisfaction_link(token)
            context = {"path_title": path.title, "link": link, "days": LINK_DAYS}
            message = compose("satisfaction_invitation", email, name, context, base_url=base)
            if await storage.invite_cold(
                user_id, path.id, cohort_id, token_hash(token), at, message
            ):
                sent += 1
    reminded_before = clock.stamp(moment - timedelta(days=REMIND_AFTER_DAYS))
    for user_id, email, name, path_id in await storage.cold_reminders_due(reminded_before):
        found = course.path(path_id)
        if found is None:
            continue
        token = secrets.token_urlsafe(32)
        link = base + urls.satisfaction_link(token)
        context = {"path_title": found.title, "link": link, "days": LINK_DAYS}
        message = compose("satisfaction_reminder", email, name, context, base_url=base)
        if await storage.remind_cold(user_id, path_id, token_hash(token), at, message):
            sent += 1
    if sent:
        log.info("satisfaction: %d « à froid » message(s) recorded", sent)
    return sent
