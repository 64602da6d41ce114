"""The path's outline beside a lesson, rendered once per state of the learner's path.

It depends only on the content version, the path, the current module and each
module's status: learners move through a path in few distinct states, so a bounded
cache spares every module page a template loop over the path's modules (about a
quarter of the page's cost when it was rendered per request).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from course.models import Module, Path
from course.progress import PathProgress
from server.templating import ENV

MAX_ENTRIES = 4096
_CACHE: dict[tuple[Any, ...], Markup] = {}


def outline_html(version: str, path: Path, module: Module, outline: PathProgress) -> Markup:
    key = (version, path.id, module.id, tuple(step.status for step in outline.steps))
    html = _CACHE.get(key)
    if html is None:
        if len(_CACHE) >= MAX_ENTRIES:  # a bound, not an eviction policy: states are few
            _CACHE.clear()
        macro = ENV.get_template("_outline.html").module.outline_nav  # type: ignore[attr-defined]
        html = _CACHE[key] = Markup(macro(path, module, outline))
    return html
