"""Editors' page « Contenu »: the version served, its modules, warnings, and reload."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from course.reload_summary import summarize
from server import urls
from server.clock import now
from server.state import snapshot, state
from server.templating import render
from server.web import course, read_form, redirect, require_role


async def content_page(request: Request) -> Response:
    await require_role(request, "editor", "admin")
    current = course(request)
    paths_of = {
        module_id: [p.id for p in current.paths if module_id in p.module_ids]
        for module_id in current.modules
    }
    return render(
        request,
        "editor/content.html",
        {
            "live": state(request).content,
            "loaded_at": snapshot(request).loaded_at,
            "paths_of": paths_of,
            "reloaded": request.query_params.get("rechargement"),
            "last_reload": state(request).last_reload,
        },
    )


async def reload_content(request: Request) -> Response:
    await require_role(request, "editor", "admin")
    await read_form(request)
    shared = state(request)
    before = course(request)  # this request's course stays the one it began with
    ok = await shared.content.reload()
    if ok:
        shared.last_reload = (now(), summarize(before, shared.content.snapshot.course))
    return redirect(f"{urls.editor_content()}?rechargement={'ok' if ok else 'refuse'}")


async def answer_key(request: Request) -> Response:
    """Every quiz with its right answers, for the editor checking a draft (preview mode only)."""
    if not state(request).settings.preview:
        raise HTTPException(404)
    return render(request, "editor/answer_key.html", {})


async def preview_status(request: Request) -> Response:
    """What the preview page polls to refresh itself after a save (preview mode only)."""
    if not state(request).settings.preview:
        raise HTTPException(404)
    live = state(request).content
    stamp = f"{live.snapshot.loaded_at}|{live.failed_at}"
    return JSONResponse({"stamp": stamp, "errors": len(live.errors)})
