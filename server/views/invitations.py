"""A learner's answers about cohorts: accept or decline an invitation, leave a cohort.

Nobody is put in a cohort by someone else: a trainer's import only invites, and
the account's owner decides here, under « Mes formations ».
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server import urls
from server.clock import now
from server.ids import path_id
from server.web import read_form, redirect, require_user, storage, text_field

NO_INVITATION = "Cette invitation n’existe pas ou n’attend plus de réponse."
NOT_MEMBER = "Vous ne faites pas partie de ce groupe."


async def answer_invitation(request: Request) -> Response:
    """Accept (join the cohort and its path) or decline (the trainer is not told who)."""
    user = await require_user(request)
    form = await read_form(request)
    cohort_id = path_id(request, "cohort_id", NO_INVITATION)
    db = storage(request)
    pending = {c.id: c for c, _ in await db.learner_invitations(user.id)}
    cohort = pending.get(cohort_id)
    if cohort is None:
        raise HTTPException(404, NO_INVITATION)
    answer = text_field(form, "reponse")
    if answer not in ("accepter", "refuser"):
        raise HTTPException(
            400, "Répondez à l’invitation par «\u00a0Accepter\u00a0» ou «\u00a0Refuser\u00a0»."
        )
    if answer == "refuser":
        await db.decline_invitation(cohort.id, user.id, now())
        return redirect(urls.my_trainings() + "?invitation=refusee")
    if await db.accept_invitation(cohort.id, user.id, now()):
        await db.enrol(user.id, cohort.path_id)
    return redirect(urls.my_trainings() + "?invitation=acceptee")


async def leave_cohort(request: Request) -> Response:
    """Leave a cohort: its trainers no longer see this learner; progress stays theirs."""
    user = await require_user(request)
    await read_form(request)
    cohort_id = path_id(request, "cohort_id", NOT_MEMBER)
    db = storage(request)
    if cohort_id not in {c.id for c, _, _ in await db.learner_cohorts(user.id)}:
        raise HTTPException(404, NOT_MEMBER)
    await db.remove_member(cohort_id, user.id)
    return redirect(urls.my_trainings() + "?groupe=quitte")
