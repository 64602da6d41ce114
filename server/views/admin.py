"""Administrators' page: accounts, search, roles, and the record of role changes."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server import urls
from server.clock import now
from server.ids import bounded_int, page_number
from server.storage.records import ROLES
from server.templating import render
from server.web import read_form, redirect, require_role, storage, text_field

PAGE_SIZE = 25
ROLE_LABELS = {"trainer": "formateur", "editor": "éditeur", "admin": "administrateur"}


async def users(request: Request) -> Response:
    await require_role(request, "admin")
    query = request.query_params.get("q", "")[:100]
    page = page_number(request)
    db = storage(request)
    found, total = await db.list_users(query, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return render(
        request,
        "admin/users.html",
        {
            "users": found,
            "total": total,
            "query": query,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "roles": ROLES,
            "labels": ROLE_LABELS,
            "history": await db.role_history(20),
            "notice": await _notice(request),
        },
    )


async def _notice(request: Request) -> str | None:
    """What the last role change did, named, so the admin sees it happened."""
    action, role = request.query_params.get("fait"), request.query_params.get("role", "")
    target_id = bounded_int(request.query_params.get("compte", ""))
    if action not in ("grant", "revoke") or role not in ROLE_LABELS or target_id is None:
        return None
    target = await storage(request).user_by_id(target_id)
    if target is None:
        return None
    done = "donné à" if action == "grant" else "retiré à"
    return f"Rôle {ROLE_LABELS[role]} {done} {target.name}."


async def change_role(request: Request) -> Response:
    admin = await require_role(request, "admin")
    form = await read_form(request)
    role, action = text_field(form, "role"), text_field(form, "action")
    if role not in ROLES or action not in ("grant", "revoke"):
        raise HTTPException(400, "Rôle ou action inconnus.")
    target_id = bounded_int(request.path_params["user_id"])
    target = await storage(request).user_by_id(target_id) if target_id is not None else None
    if target is None:
        raise HTTPException(404, "Ce compte n'existe pas.")
    if target.id == admin.id and role == "admin" and action == "revoke":
        raise HTTPException(400, "Vous ne pouvez pas retirer votre propre rôle d'administrateur.")
    await storage(request).change_role(admin.id, target.id, role, action == "grant", now())
    back = text_field(form, "back")
    back = back if back.startswith(urls.admin_users()) else urls.admin_users()
    done = urlencode({"fait": action, "role": role, "compte": target.id})
    return redirect(f"{back}{'&' if '?' in back else '?'}{done}")
