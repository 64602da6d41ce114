"""Public certificate verification, as a page and as a PDF."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from course.certificates import Certificate
from server import urls
from server.credentials.linkedin import linkedin_url
from server.pdf_pool import PdfPool, version
from server.state import state
from server.templating import render
from server.web import current_user, storage

NOT_FOUND = "Aucune attestation ne correspond à cette adresse. Vérifiez le lien ou le QR code."
ERASED = (
    "Cette attestation a été retirée à la demande de son titulaire : "
    "elle n’est plus valable et n’existe plus en PDF."
)


async def certificate_or_404(request: Request) -> Certificate:
    """The certificate the URL names, or the site's 404 page (an overlong id is never looked up)."""
    certificate_id = request.path_params["certificate_id"]
    found = await storage(request).certificate(certificate_id) if len(certificate_id) < 64 else None
    if found is None:
        raise HTTPException(404, NOT_FOUND)
    return found


def verify_url(request: Request, certificate: Certificate) -> str:
    return f"{state(request).settings.base_url}{urls.certificate(certificate.id)}"


async def certificate_page(request: Request) -> Response:
    certificate = await certificate_or_404(request)
    user = await current_user(request)
    url = verify_url(request, certificate)
    organisation = state(request).settings.organisation
    return render(
        request,
        "certificate.html",
        {
            "certificate": certificate,
            "verify_url": url,
            "owner": user is not None and user.id == certificate.user_id,
            "organisation": organisation,
            "linkedin_url": linkedin_url(certificate, organisation, url),
        },
    )


async def certificate_download(request: Request) -> Response:
    certificate = await certificate_or_404(request)
    if not certificate.learner_name:  # withdrawn by its holder: no document left to print
        raise HTTPException(404, ERASED)
    from server.pdf import certificate_pdf  # WeasyPrint loads on first use: a lighter server

    url = verify_url(request, certificate)
    key = ("certificate", version(certificate, url))  # revoking it changes the key
    pool: PdfPool = state(request).pdf_pool
    pdf = await pool.get(("learner", certificate.user_id), key, certificate_pdf, certificate, url)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'inline; filename="attestation-{certificate.path_id}.pdf"',
            "cache-control": "no-cache",
        },
    )
