"""Finding one's way: the sign-in reason, a lesson's contents and its path's outline."""

from __future__ import annotations

import re

from starlette.requests import Request

from course.models import Module, Path
from course.progress import PathProgress, path_progress
from server.web import course, storage

# `/paths/<path>/<module>` and its sub-pages, or the `/modules/<module>` permalink.
MODULE_URL = re.compile(r"^/(?:paths/(?P<path>[^/?#]+)|modules)/(?P<module>[^/?#]+)")


def wanted_module(request: Request, target: str) -> Module | None:
    """The module a visitor was following when sent to sign in, to tell them why."""
    found = MODULE_URL.match(target)
    if found is None:
        return None
    current = course(request)
    module = current.modules.get(found["module"])
    if module is None or found["path"] is None:
        return module
    path = next((p for p in current.paths if p.id == found["path"]), None)
    return module if path is not None and module.id in path.module_ids else None


async def outline(request: Request, path: Path, user_id: int) -> PathProgress:
    """Every module of the path with the learner's status, for the outline beside a lesson.

    The module page's one query already read it (`learner_in_module`); other pages read it.
    """
    progress = getattr(request.state, "progress", None)
    if progress is None:
        progress = await storage(request).progress(user_id)
    return path_progress(course(request), path, progress)
