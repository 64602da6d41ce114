"""The certificat de réalisation: a trainer of the learner's cohort completes and issues it.

The form takes what the site cannot know (employer, funder's file number), checks lengths
and issues it; the PDF (server/realisation_pdf.py) is for the cohort's trainers, who hand
it to the funder. Access as every trainer page: 404 outside one's own cohorts.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from course.models import Path
from course.progress import ModuleProgress
from server import clock, urls
from server.attestation import Accompaniment, accompaniment
from server.pdf_pool import PdfPool, version
from server.realisation_pdf import RealisationFacts
from server.state import state
from server.storage import Storage
from server.templating import render
from server.views.trainer import _learner, reports_for, trainer_cohort
from server.web import course, read_form, redirect, storage, text_field

MAX_EMPLOYER = 150
MAX_FILE = 60
NOT_ISSUED = "Aucun certificat de réalisation n’a encore été délivré pour cette personne."


def check(employer: str, funder_file: str) -> dict[str, str]:
    """Lengths only: both are optional, and a funder's numbering has no single shape."""
    errors = {}
    if len(employer) > MAX_EMPLOYER:
        errors["employer"] = (
            f"Le nom de l’employeur ne doit pas dépasser {MAX_EMPLOYER} caractères."
        )
    if len(funder_file) > MAX_FILE:
        errors["funder_file"] = f"Le numéro de dossier ne doit pas dépasser {MAX_FILE} caractères."
    return errors


async def named_cohort(
    db: Storage,
    path: Path,
    user_id: int,
    progress: Mapping[str, ModuleProgress],
    last_activity: str | None,
) -> Accompaniment | None:
    """The cohort the certificate names: the one the attestation names too, the path
    followed as of its end (the last module completed, or the last activity when the path
    is not complete; server/attestation.py `followed_in`)."""
    done_at = [p.completed_at for m in path.module_ids if (p := progress.get(m)) is not None]
    complete = [at for at in done_at if at is not None]
    ended = max(complete) if len(complete) == len(path.module_ids) else last_activity
    return accompaniment(await db.path_cohorts(user_id, path.id), ended)


async def realisation_form(request: Request) -> Response:
    user, cohort = await trainer_cohort(request)
    report = _learner(await reports_for(request, cohort), request)
    if report.deleted:
        raise HTTPException(404, "Le compte de cette personne a été supprimé.")
    db = storage(request)
    issued = await db.realisation(report.user_id, cohort.path_id)
    path = course(request).path(cohort.path_id)
    followed = None
    if path is not None:
        _, last = await db.path_activity(report.user_id, path.id, path.module_ids)
        progress = await db.progress(report.user_id)
        followed = await named_cohort(db, path, report.user_id, progress, last)
    values = {"employer": issued.employer if issued else "", "funder_file": ""}
    values["funder_file"] = issued.funder_file if issued else ""
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await read_form(request)
        values = {
            "employer": " ".join(text_field(form, "employer").split()),
            "funder_file": " ".join(text_field(form, "funder_file").split()),
        }
        errors = check(values["employer"], values["funder_file"])
        if not errors:
            await db.issue_realisation(
                report.user_id,
                cohort.path_id,
                values["employer"],
                values["funder_file"],
                user.id,
                clock.now(),
            )
            return redirect(urls.realisation(cohort.id, report.user_id))
    return render(
        request,
        "trainer/realisation.html",
        {
            "cohort": cohort,
            "report": report,
            "path": path,
            "followed": followed,
            "issued": issued,
            "values": values,
            "errors": errors,
            "max_employer": MAX_EMPLOYER,
            "max_file": MAX_FILE,
        },
        status=400 if errors else 200,
    )


async def realisation_download(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    report = _learner(await reports_for(request, cohort), request)
    db = storage(request)
    issued = await db.realisation(report.user_id, cohort.path_id)
    if issued is None or report.deleted:
        raise HTTPException(404, NOT_ISSUED)
    from server.realisation_pdf import realisation_pdf  # WeasyPrint loads on first use

    the_course = course(request)
    path = the_course.path(cohort.path_id)
    if path is None:
        raise HTTPException(404, NOT_ISSUED)
    first, last = await db.path_activity(report.user_id, path.id, path.module_ids)
    progress = await db.progress(report.user_id)
    followed = await named_cohort(db, path, report.user_id, progress, last)
    done = sum(
        the_course.modules[m].duration
        for m in path.module_ids
        if m in progress and progress[m].completed and m in the_course.modules
    )
    settings = state(request).settings
    facts = RealisationFacts(
        provider_name=settings.organisation,
        provider_address=settings.provider_address,
        provider_nda=settings.provider_nda,
        learner_name=report.name,
        employer=issued.employer,
        funder_file=issued.funder_file,
        action_title=f"{the_course.title}, parcours {path.title}",
        first_activity=first,
        last_activity=last,
        minutes_done=done,
        issued_at=issued.issued_at,
        cohort=followed,
    )
    pool: PdfPool = state(request).pdf_pool
    pdf = await pool.get(
        ("learner", report.user_id), ("realisation", version(facts)), realisation_pdf, facts
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'inline; filename="certificat-realisation-{path.id}.pdf"',
            "cache-control": "no-store",
        },
    )
