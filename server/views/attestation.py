"""The attestation de fin de formation PDF: for its learner and their cohorts' trainers only.

Unlike the certificate, it prints scores, which are personal: knowing the certificate's
id is not enough, the request must come from its holder or from a trainer of one of the
holder's cohorts; anyone else gets the same 404 as for an unknown id.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from course.certificates import Certificate
from server.attestation import gather
from server.pdf_pool import PdfPool, version
from server.state import state
from server.storage.records import User
from server.views.certificates import ERASED, NOT_FOUND, certificate_or_404, verify_url
from server.web import course, require_user, storage


async def may_read(request: Request, user: User, certificate: Certificate) -> bool:
    """The holder, or a trainer of a cohort the holder belongs to."""
    if user.id == certificate.user_id:
        return True
    db = storage(request)  # a platform's instructor trains without the role (issue #17 §3)
    theirs = {cohort.id for cohort, _, _ in await db.learner_cohorts(certificate.user_id)}
    return any(cohort.id in theirs for cohort in await db.trainer_cohorts(user.id))


async def attestation_download(request: Request) -> Response:
    user = await require_user(request)
    certificate = await certificate_or_404(request)
    if not await may_read(request, user, certificate):
        raise HTTPException(404, NOT_FOUND)
    if not certificate.learner_name:  # withdrawn by its holder: nothing left to print
        raise HTTPException(404, ERASED)
    from server.attestation_pdf import attestation_pdf  # WeasyPrint loads on first use

    settings = state(request).settings
    facts = await gather(
        storage(request), course(request), settings, certificate, verify_url(request, certificate)
    )
    pool: PdfPool = state(request).pdf_pool
    key = ("attestation", version(facts))  # a new score, trainer or setting: a new PDF
    pdf = await pool.get(("learner", certificate.user_id), key, attestation_pdf, facts)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": (
                f'inline; filename="attestation-fin-de-formation-{certificate.path_id}.pdf"'
            ),
            "cache-control": "no-store",
        },
    )
