"""`/admin/lti`'s grades section (issue #17 §3): the grades waiting for a platform, those
it refused (with its reason, the learner and the platform) and those whose retries ran
out, each of the last two with « Réessayer »."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server import clock, urls
from server.ids import path_id
from server.web import read_form, redirect, require_role, storage

SHOWN = 50  # rows per list: the latest ones
STATUS = {
    "waiting": "en attente",
    "sending": "en cours d’envoi",
    "refused": "refusée par la plateforme",
    "failed": "en échec",
}
NOTICES = {
    "note-renvoyee": "La note est remise en attente\u00a0: elle part dans quelques instants.",
    "note-deja": "Cette note n’était ni refusée ni en échec\u00a0: rien à renvoyer.",
}


async def grades_context(request: Request) -> dict[str, Any]:
    """What the section shows: counts, and the latest grades waiting or in trouble."""
    db = storage(request)
    return {
        "grade_counts": await db.grade_counts(),
        "grades_waiting": await db.grades_list(("waiting", "sending"), SHOWN),
        "grades_stopped": await db.grades_list(("refused", "failed"), SHOWN),
        "grade_status": STATUS,
        "grades_shown": SHOWN,
    }


async def retry_grade(request: Request) -> Response:
    """« Réessayer »: a refused or failed grade waits again, with a fresh count of attempts."""
    await require_role(request, "admin")
    await read_form(request)  # the CSRF check
    grade_id = path_id(request, "grade_id", "Cette note n’existe pas.")
    requeued = await storage(request).retry_grade(grade_id, clock.moment())
    if requeued is None:
        raise HTTPException(404, "Cette note n’existe pas.")
    done = urlencode({"fait": "note-renvoyee" if requeued else "note-deja"})
    return redirect(f"{urls.admin_lti()}?{done}#avis")
