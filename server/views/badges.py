"""Badge images: each path's picture, which every credential's achievement points to, and the
learner's own copy with the signed credential baked in (Open Badges 3.0 § Baking)."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.assets import STATIC
from server.credentials.baking import bake_svg
from server.credentials.issue import certificate_credential
from server.views.certificates import ERASED, certificate_or_404
from server.views.credentials import issuing
from server.web import course, storage

NO_BADGE = "Aucun badge ne correspond à ce parcours. Vérifiez l’adresse de l’image."
# An SVG opened on its own is a document: nothing in it may run or load anything.
SVG_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "x-content-type-options": "nosniff",
}


def load_badges(folder: Path) -> dict[str, str]:
    """Every badge by path id, read once at start-up: a request picks one from this table,
    so no part of a URL ever becomes a file name."""
    return {file.stem: file.read_text(encoding="utf-8") for file in sorted(folder.glob("*.svg"))}


BADGES = load_badges(STATIC / "badges")


def badge_svg(path_id: str) -> str:
    """The path's badge, or the site's 404 page for a path without one."""
    found = BADGES.get(path_id)
    if found is None:
        raise HTTPException(404, NO_BADGE)
    return found


async def badge_image(request: Request) -> Response:
    """`/badges/{path_id}.svg`: public and cacheable, as a verifier or a wallet fetches it."""
    svg = badge_svg(request.path_params["path_id"])
    headers = {**SVG_HEADERS, "cache-control": "public, max-age=86400"}
    return Response(svg, media_type="image/svg+xml", headers=headers)


async def certificate_badge_image(request: Request) -> Response:
    """`/certificates/{id}/badge.svg`: the path's badge with the certificate's signed credential
    baked in, one file that is both the picture and the proof. Served for a revoked
    certificate too, like the JSON: the status list, not this page, tells a verifier."""
    certificate = await certificate_or_404(request)
    svg = badge_svg(certificate.path_id)
    document = await certificate_credential(
        storage(request), issuing(request), course(request), certificate
    )
    if document is None:  # withdrawn by its holder: no name left to certify
        raise HTTPException(404, ERASED)
    headers = {
        **SVG_HEADERS,
        "cache-control": "no-cache",
        "content-disposition": f'attachment; filename="badge-{certificate.path_id}.svg"',
    }
    return Response(bake_svg(svg, document), media_type="image/svg+xml", headers=headers)
