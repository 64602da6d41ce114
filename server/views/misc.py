"""Health check, standalone pages, module permalinks and content media."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from server import urls
from server.state import state
from server.templating import render
from server.web import course, current_user, redirect, storage

MEDIA_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}


async def healthz(request: Request) -> Response:
    """Ok only when the database can be read AND written: a full disk still answers reads."""
    db = storage(request)
    try:
        ok = await db.ping()
        problem = await db.write_problem() if ok else None
    except Exception:  # any database failure means "not healthy", never a 500 page
        ok, problem = False, None
    if not ok:
        return JSONResponse({"status": "error", "database": "unavailable"}, status_code=503)
    if problem:
        body = {"status": "error", "database": "read-only", "problem": problem}
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ok", "content_version": course(request).version})


async def plaintext(request: Request) -> Response:
    """A bare endpoint the benchmark compares the real pages against."""
    return PlainTextResponse("ok")


async def page(request: Request) -> Response:
    found = course(request).pages.get(request.path_params["page_id"])
    if found is None:
        raise HTTPException(404)
    await current_user(request)
    return render(request, "page.html", {"page": found})


async def module_permalink(request: Request) -> Response:
    """`/modules/<id>`: links between modules lead to the learner's own path."""
    module_id = request.path_params["module_id"]
    paths = [p for p in course(request).paths if module_id in p.module_ids]
    if not paths:
        raise HTTPException(404, "Ce module n'existe pas.")
    user = await current_user(request)
    enrolled = await storage(request).enrolments(user.id) if user else set()
    chosen = next((p for p in paths if p.id in enrolled), paths[0])
    return redirect(urls.module(chosen.id, module_id))


async def media(request: Request) -> Response:
    """Images of the content folder, and nothing else from it (modules hold answers)."""
    root: Path = state(request).settings.content_dir.resolve()
    try:  # a NUL byte or an overlong name is a ValueError or an OSError, not a 500
        file = (root / request.path_params["path"]).resolve()
        found = root in file.parents and file.suffix.lower() in MEDIA_TYPES and file.is_file()
    except (OSError, ValueError):
        found = False
    if not found:
        raise HTTPException(404)
    response = FileResponse(file)
    response.headers["content-security-policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    response.headers["cache-control"] = "public, max-age=3600"
    return response
