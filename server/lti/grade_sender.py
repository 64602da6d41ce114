"""The grade sender: delivers the grade outbox to the platforms, in every worker.

Built like the mail sender (server/mail/sender.py): each turn claims the due grades
with one atomic UPDATE under a lease (server/storage/lti_grades.py), so with several
workers each grade goes to one of them; it wakes at once when this process queues a
score, and otherwise looks every few seconds.

Each grade ends `sent`; `refused` with the platform's reason when it answers a 4xx
(a user who is not gradable, such as an administrator testing the link): not retried,
shown on /admin/lti; or, on a 5xx, 429, a network or token failure, `waiting` again
after 1 min, 5 min, 15 min, 1 h, 3 h, 6 h and 12 h, then `failed`. Posting the same
score twice changes nothing at the platform, so a send cut off by a stop (its lease
expires, it is sent again) is harmless; a lower score is never queued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from server import clock
from server.lti.ags import find_or_create_lineitem, post_score, refused
from server.lti.service_token import ServiceError
from server.outbox_loop import OutboxLoop
from server.storage.lti_grades import Grade

if TYPE_CHECKING:
    from server.state import AppState

log = logging.getLogger("alliances.lti")
BATCH = 10
LEASE_SECONDS = 10 * 60  # longer than a batch of 10 grades at 3 requests of 15 s each
BACKOFF = (60.0, 300.0, 900.0, 3600.0, 3 * 3600.0, 6 * 3600.0, 12 * 3600.0)


class GradeSender(OutboxLoop):
    """This process's sender; `step` is one turn (the tests call it directly)."""

    NAME = "lti-grade-sender"
    log = log

    def __init__(
        self,
        app: AppState,
        *,
        poll_seconds: float = 5.0,
        backoff: Sequence[float] = BACKOFF,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        super().__init__(poll_seconds=poll_seconds, backoff=backoff)
        self.app = app
        self.lease_seconds = lease_seconds

    def listen(self, wake: Callable[[], None] | None) -> None:
        self.app.storage.grade_listener = wake

    async def step(self) -> int:
        """Claim the due grades and try each once; how many were handled."""
        storage = self.app.storage
        claimed = await storage.claim_grades(clock.moment(), self.lease_seconds, BATCH)
        for grade in claimed:
            try:
                await self.deliver(grade)
            except Exception:  # its outcome not written: its lease will expire
                log.exception("lti grade %d: could not record the outcome", grade.id)
        return len(claimed)

    async def deliver(self, grade: Grade) -> None:
        storage = self.app.storage
        platform = await storage.lti_platform(grade.platform_id)
        if platform is None:  # removed meanwhile: its grades went with it
            return
        try:
            lineitem = grade.lineitem_url
            if not lineitem:
                lineitem = await find_or_create_lineitem(self.app, platform, grade)
                await storage.set_grade_lineitem(
                    grade.platform_id, grade.resource_link_id, lineitem
                )
            await post_score(self.app, platform, grade, lineitem)
        except ServiceError as exc:
            if refused(exc):
                log.warning(
                    "lti grade %d for user %d refused by %s: %s",
                    grade.id,
                    grade.user_id,
                    platform.issuer,
                    exc.reason,
                )
                await storage.mark_grade_stopped(grade.id, "refused", exc.reason)
            else:
                await self._later(grade, exc.reason)
        except Exception as exc:  # a bug: retried rather than lost, and logged
            log.exception("lti grade %d: unexpected error", grade.id)
            await self._later(grade, repr(exc))
        else:
            log.info("lti grade %d: %d/100 sent to %s", grade.id, grade.score, platform.issuer)
            await storage.mark_grade_sent(grade.id, grade.score, grade.completed, clock.moment())

    async def _later(self, grade: Grade, reason: str) -> None:
        storage = self.app.storage
        if grade.attempts >= self.max_attempts:
            log.warning("lti grade %d given up: %s", grade.id, reason)
            await storage.mark_grade_stopped(
                grade.id, "failed", f"{grade.attempts} tentatives, la dernière\u00a0: {reason}"
            )
            return
        delay = self.backoff[grade.attempts - 1]
        await storage.mark_grade_retry(grade.id, clock.moment() + timedelta(seconds=delay), reason)


def start_grade_sender(app: AppState) -> GradeSender:
    """The grade sender of this process, running (server/app.py's lifespan)."""
    sender = GradeSender(app, poll_seconds=app.settings.mail_poll_seconds)
    sender.start()
    return sender
