"""« Importer la liste des participants depuis la plateforme » (issue #17 §3, NRPS).

A trainer of a cohort tied to a platform course posts the button on the cohort's page;
the roster is read from the platform and filed (server/lti/roster.py), then the page
says what was done. A platform that fails gets a 502 page saying why in French, with
the way back: nothing was changed. One import per cohort runs at a time in a process.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server import urls
from server.lti.roster import RosterFailed, import_roster
from server.state import state
from server.templating import render
from server.views.trainer import trainer_cohort
from server.web import read_form, redirect, storage

NOT_TIED = (
    "Ce groupe n’est lié à aucun cours d’une plateforme qui donne sa liste de participants\u00a0: "
    "lancez l’activité depuis le cours de la plateforme (Moodle…), en tant qu’enseignant."
)
ARCHIVED = "Ce groupe est archivé\u00a0: rouvrez-le dans ses réglages avant d’importer la liste."
RUNNING = "L’importation de la liste est déjà en cours pour ce groupe\u00a0: patientez un instant."
_running: set[int] = set()


async def import_platform_roster(request: Request) -> Response:
    """POST: read the platform course's roster into the cohort."""
    _, cohort = await trainer_cohort(request)
    await read_form(request)
    db = storage(request)
    context = await db.lti_context_of_cohort(cohort.id)
    if context is None or not context.memberships_url:
        raise HTTPException(409, NOT_TIED)
    if cohort.archived_at:  # as a launch, which files nobody in an archived cohort
        raise HTTPException(409, ARCHIVED)
    if cohort.id in _running:
        raise HTTPException(429, RUNNING, headers={"Retry-After": "10"})
    _running.add(cohort.id)
    try:
        await import_roster(state(request), db, context, cohort)
    except RosterFailed as failed:
        page = render(
            request,
            "trainer/platform_import_failed.html",
            {"cohort": cohort, "context": context, "message": failed.message},
            status=502,
        )
        page.headers["cache-control"] = "no-store"
        return page
    finally:
        _running.discard(cohort.id)
    return redirect(urls.cohort(cohort.id) + "?fait=import-plateforme#plateforme")
