"""Trainers reach their learners by e-mail; learners stop reminders without signing in.

« Relancer les retardataires », an invitation sent or sent again, and the link
at the foot of every reminder. Messages are only recorded here (the outbox);
the sender task delivers them.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server import clock, urls
from server.reminder_messages import invitation_message, learner_message
from server.reminders import RULE_NAMES, week_ago
from server.state import state
from server.storage.records import Cohort, Send
from server.templating import render
from server.views.trainer import reports_for, trainer_cohort
from server.web import (
    course,
    read_form,
    redirect,
    require_user,
    storage,
    text_field,
    unchecked_form,
)

RESEND_HOURS = 24
TOO_SOON = (
    "Un message d’invitation est déjà parti vers cette adresse il y a moins de 24\u00a0heures. "
    "Vous pourrez le renvoyer demain."
)
NO_INVITATION = "Cette invitation n’existe pas ou n’attend plus de réponse."
ARCHIVED = (
    "Ce groupe est archivé\u00a0: il n’envoie plus de messages. Désarchivez-le dans ses "
    "réglages pour relancer ou inviter de nouveau."
)
BAD_LINK = (
    "Ce lien d’arrêt des relances n’est pas valable\u00a0: il a peut-être été coupé en deux "
    "par votre messagerie. Copiez-le en entier, ou réglez vos relances depuis «\u00a0Mon "
    "compte\u00a0» une fois connecté."
)
COUNTS = re.compile(r"^(\d{1,6})-(\d{1,6})-(\d{1,6})$")
STATUSES = {
    "waiting": "en attente",
    "sending": "en attente",
    "sent": "envoyée",
    "failed": "échec",
}


def _persons(count: int, singular: str, plural: str) -> str:
    return f"{count}\u00a0{singular if count < 2 else plural}"


def relaunch_notice(request: Request) -> str | None:
    """What « Relancer les retardataires » did, from the redirect's `relances=sent-recent-off`."""
    found = COUNTS.match(request.query_params.get("relances", ""))
    if not found:
        return None
    sent, recent, unreachable = (int(n) for n in found.groups())
    if not sent + recent + unreachable:
        return "Aucun apprenant n’est en retard\u00a0: personne n’a été relancé."
    parts = [
        "Aucune relance envoyée"
        if not sent
        else _persons(sent, "relance envoyée", "relances envoyées")
    ]
    if recent:
        parts.append(
            _persons(
                recent,
                "personne relancée il y a moins de 7\u00a0jours n’a pas été relancée de nouveau",
                "personnes relancées il y a moins de 7\u00a0jours n’ont pas été relancées de "
                "nouveau",
            )
        )
    if unreachable:
        parts.append(
            _persons(
                unreachable,
                "personne n’a pas pu être relancée (adresse non confirmée ou relances refusées)",
                "personnes n’ont pas pu être relancées (adresse non confirmée ou relances "
                "refusées)",
            )
        )
    return "\u00a0; ".join(parts) + "."


async def dashboard_context(request: Request, cohort: Cohort) -> dict[str, Any]:
    """What the dashboard shows about messages: reminders sent, invitations' last message."""
    db = storage(request)
    sent = [
        {
            "at": row["at"],
            "name": row["name"] or "compte supprimé",
            "rule": RULE_NAMES.get(row["rule"], row["rule"]),
            "sent_by": row["sent_by"] or "envoi automatique",
            "status": STATUSES.get(row["status"] or "", "—"),
        }
        for row in await db.cohort_reminders(cohort.id)
    ]
    return {
        "relaunch_notice": relaunch_notice(request),
        "reminders_sent": sent,
        "invitation_messages": {
            email: (STATUSES.get(status, status), at)
            for email, (status, at) in (await db.invitation_messages(cohort.id)).items()
        },
        "reminder_rules": await db.reminder_rules(cohort.id),
    }


async def relaunch_late(request: Request) -> Response:
    """One reminder to each late learner who may receive one; at most once a week each."""
    user, cohort = await trainer_cohort(request)
    await read_form(request)
    if cohort.archived_at:
        raise HTTPException(409, ARCHIVED)
    late = [r for r in await reports_for(request, cohort) if r.late]
    db = storage(request)
    moment = clock.moment()
    cutoff = week_ago(moment)
    reach = await db.reminder_reach(cohort.id, [r.user_id for r in late], cutoff)
    settings, signer = state(request).settings, state(request).signer

    def compose_all() -> list[Send]:  # a large cohort's messages: not on the event loop
        return [
            Send(
                r.user_id,
                "late",
                moment.date().isoformat(),
                learner_message(
                    "reminder_late", r, cohort, settings, signer, trainer_name=user.name
                ),
                user.id,
            )
            for r in late
            if reach.get(r.user_id) == "ok"
        ]

    sends = await asyncio.to_thread(compose_all)
    recorded = await db.record_reminders(cohort.id, sends, clock.stamp(moment), cutoff)
    unreachable = sum(reach.get(r.user_id) == "unreachable" for r in late)
    recent = len(late) - len(recorded) - unreachable  # a parallel click counts here too
    counts = f"{len(recorded)}-{recent}-{unreachable}"
    return redirect(f"{urls.cohort(cohort.id)}?relances={counts}#relances")


async def send_invitation(request: Request) -> Response:
    """Send (or send again) a pending invitation's message: at most once a day per person."""
    user, cohort = await trainer_cohort(request)
    form = await read_form(request)
    email = text_field(form, "email").lower()
    if cohort.archived_at:
        raise HTTPException(409, ARCHIVED)
    path = course(request).path(cohort.path_id)
    pending = {
        row["email"].lower(): row["name"]
        for row in await storage(request).pending_invitations(cohort.id)
    }
    if path is None or email not in pending:
        raise HTTPException(404, NO_INVITATION)
    message = invitation_message(
        email, pending[email], cohort, path, user.name, state(request).settings
    )
    cutoff = clock.stamp(clock.moment() - timedelta(hours=RESEND_HOURS))
    outcome = await storage(request).send_invitation(cohort.id, email, message, cutoff)
    if outcome == "recent":
        raise HTTPException(429, TOO_SOON)
    if outcome == "missing":
        raise HTTPException(404, NO_INVITATION)
    return redirect(urls.cohort(cohort.id) + "?fait=invitation-envoyee#invitation")


def _stop_target(request: Request) -> tuple[str, int, str]:
    """The token, the account and what it stops; a forged or cut link is a 404, in French."""
    token = request.path_params["signed"]
    found = state(request).signer.stop_of(token) if len(token) < 200 else None
    if found is None:
        raise HTTPException(404, BAD_LINK)
    return token, *found


async def stop_page(request: Request) -> Response:
    """The link in a message only shows a button: a mail scanner following links stops nothing."""
    token, _, what = _stop_target(request)
    return render(request, "relances_arret.html", {"token": token, "what": what, "done": False})


async def stop(request: Request) -> Response:
    """Stop reminders (or digests) for the account the signed link names.

    No sign-in and no CSRF token: the signed token in the URL is the
    authorisation. Only the person who received the message has it, a forged
    page elsewhere cannot guess it, and all it can do is stop messages. So the
    button of the confirmation page and the one-click POST of RFC 8058
    (`List-Unsubscribe=One-Click`, sent by mail clients without cookies) both work.
    The same link turns them back on (`action=reprendre`), from the page's own button.
    """
    token, user_id, what = _stop_target(request)
    form = await unchecked_form(request)  # the signed token authorises, not a form token
    again = form.get("action") == "reprendre"  # « Recevoir de nouveau »: undo, same link
    await storage(request).stop_reminders(user_id, what, stop=not again)
    return render(request, "relances_arret.html", {"token": token, "what": what, "done": not again})


async def toggle_reminders(request: Request) -> Response:
    """« Mon compte »: turn reminders back on (or off) for one's own account."""
    user = await require_user(request)
    form = await read_form(request)
    await storage(request).set_reminders_off(user.id, form.get("reminders") != "1")
    return redirect(urls.account() + "?fait=relances#relances")
