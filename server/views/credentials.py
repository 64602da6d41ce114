"""Open Badges 3.0 (issue #16): a certificate's signed credential and the status list."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.credentials.issue import (
    STATUS_LIST_MEDIA_TYPE,
    Issuing,
    certificate_credential,
    status_list_credential,
)
from server.state import state
from server.views.certificates import ERASED, NOT_FOUND
from server.web import course, storage

NO_STATUS_LIST = "Aucune liste de statuts ne correspond à cette adresse."


def issuing(request: Request) -> Issuing:
    """The keys and names credentials are signed with, from the app's state."""
    shared = state(request)
    keys = shared.badge_keys
    assert keys is not None, "create_app loads the badge keys"
    return Issuing(keys, shared.settings.base_url, shared.settings.organisation)


def _json(document: dict[str, Any], media_type: str, filename: str | None = None) -> Response:
    headers = {"cache-control": "no-cache", "access-control-allow-origin": "*"}
    if filename:
        headers["content-disposition"] = f'inline; filename="{filename}"'
    body = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    return Response(body, media_type=media_type, headers=headers)


async def certificate_badge(request: Request) -> Response:
    """`/certificates/{id}/badge.json`: served revoked too, so a verifier sees the revocation."""
    certificate_id = request.path_params["certificate_id"]
    db = storage(request)
    found = await db.certificate(certificate_id) if len(certificate_id) < 64 else None
    if found is None:
        raise HTTPException(404, NOT_FOUND)
    document = await certificate_credential(db, issuing(request), course(request), found)
    if document is None:  # withdrawn by its holder: only the status list speaks for it
        raise HTTPException(404, ERASED)
    return _json(document, "application/json", f"badge-{found.path_id}.json")


async def status_list(request: Request) -> Response:
    """`/badges/status/{key_number}.json`: a key's signed revocation list, public."""
    raw = request.path_params["key_number"]
    document = None
    if raw.isdigit() and len(raw) < 9:
        document = await status_list_credential(storage(request), issuing(request), int(raw))
    if document is None:
        raise HTTPException(404, NO_STATUS_LIST)
    return _json(document, STATUS_LIST_MEDIA_TYPE)
