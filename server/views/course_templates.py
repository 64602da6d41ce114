"""`/modeles`: the documents learners fill in, as pages and as PDF and DOCX downloads."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from course.models import Template
from server.state import state
from server.template_files import FORMATS, build
from server.templating import render
from server.web import course, current_user

NOT_FOUND = "Ce modèle n’existe pas."


def _template(request: Request) -> Template:
    found = course(request).templates.get(request.path_params["template_id"])
    if found is None:
        raise HTTPException(404, NOT_FOUND)
    return found


async def templates_index(request: Request) -> Response:
    await current_user(request)
    templates = sorted(course(request).templates.values(), key=lambda t: t.title)
    return render(request, "modeles/index.html", {"templates": templates})


async def template_page(request: Request) -> Response:
    template = _template(request)
    await current_user(request)
    return render(request, "modeles/modele.html", {"template": template})


async def template_download(request: Request) -> Response:
    template = _template(request)
    fmt = FORMATS.get(request.path_params["extension"])
    if fmt is None:
        raise HTTPException(404, NOT_FOUND)
    shared = state(request)
    files = shared.template_files
    current = course(request)
    data = files.get(current, template.id, fmt.extension)
    if data is None:
        base_url = shared.settings.base_url
        data = await run_in_threadpool(build, template, current, fmt, base_url)
        files.put(current, template.id, fmt.extension, data)
    return Response(
        data,
        media_type=fmt.media_type,
        headers={
            "content-disposition": f'attachment; filename="{template.id}.{fmt.extension}"',
            "cache-control": "no-cache",
        },
    )
