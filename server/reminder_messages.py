"""The messages of reminders and invitations: their context and their unsubscribe link.

Composed off the event loop for a large cohort (server/reminders.py), recorded
by the storage layer with the event that causes them.
"""

from __future__ import annotations

from typing import Any

from course.models import Path
from course.reporting import LearnerReport
from server import urls
from server.mail.compose import Message, compose
from server.security import Signer
from server.settings import Settings
from server.storage.records import Cohort, Send
from server.templating import date_fr


def stop_url(settings: Settings, signer: Signer, user_id: int, what: str = "r") -> str:
    """The link in every reminder (`r`) or digest (`d`) that stops them, no sign-in needed."""
    return settings.base_url + urls.stop_reminders(signer.stop_token(user_id, what))


def learner_message(
    kind: str,
    report: LearnerReport,
    cohort: Cohort,
    settings: Settings,
    signer: Signer,
    **context: Any,
) -> Message:
    """A reminder to one learner, with its List-Unsubscribe link."""
    values = {
        "cohort_name": cohort.name,
        "path_title": report.path.title,
        "path_url": f"{settings.base_url}{urls.path(report.path.id)}",
        "due_date": date_fr(cohort.due_date) if cohort.due_date else "",
        **context,
    }
    return compose(
        kind,
        report.email,
        report.name,
        values,
        base_url=settings.base_url,
        unsubscribe=stop_url(settings, signer, report.user_id),
    )


def invitation_message(
    email: str,
    name: str,
    cohort: Cohort,
    path: Path,
    trainer_name: str,
    settings: Settings,
) -> Message:
    """What an invited person receives: how to accept (sign up or in, then « Mes formations »)."""
    base = settings.base_url
    context = {
        "cohort_name": cohort.name,
        "trainer_name": trainer_name,
        "path_title": path.title,
        "due_date": date_fr(cohort.due_date) if cohort.due_date else "",
        "signup_url": f"{base}{urls.signup()}",
        "trainings_url": f"{base}{urls.my_trainings()}",
        "join_url": f"{base}{urls.join(cohort.join_code)}" if cohort.join_enabled else "",
    }
    return compose("invitation", email, name or email, context, base_url=base)


def compose_reminders(
    due: list[tuple[LearnerReport, str, str, dict[str, Any]]],
    cohort: Cohort,
    settings: Settings,
    signer: Signer,
    trainer_name: str,
) -> list[Send]:
    return [
        Send(
            report.user_id,
            rule,
            period,
            learner_message(
                f"reminder_{rule}",
                report,
                cohort,
                settings,
                signer,
                trainer_name=trainer_name,
                **context,
            ),
        )
        for report, rule, period, context in due
    ]
