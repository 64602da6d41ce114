"""Finding one's way: which module a sign-in leads to, and a path's sections."""

from __future__ import annotations

import re

from starlette.requests import Request

from course.models import Module
from server.web import course

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
