"""The Jinja2 environment: French formatting filters and the page renderer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2.ext import Extension
from jinja2.lexer import Token
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from course.certificates import format_duration
from course.outline import lesson_headings, letter_index, section_runs
from course.progress import Status
from server import urls
from server.assets import ASSETS
from server.state import snapshot, state

TEMPLATES = Path(__file__).parent / "templates"
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def date_fr(value: str | datetime | None) -> str:
    """« 23 novembre 2026 »."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"{day}\u00a0{MONTHS[moment.month - 1]}\u00a0{moment.year}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count}\u00a0{singular if count < 2 else (plural_form or singular + 's')}"


BADGE_CLASSES = {Status.TODO: "todo", Status.STARTED: "started", Status.DONE: "done"}


def badge(status: Status) -> Markup:
    """A module's status as a small label (a Python global: cheaper than a macro call)."""
    return Markup('<span class="badge badge-{}">{}</span>').format(
        BADGE_CLASSES[status], status.capitalize()
    )


class FixedUrls(Extension):
    """`urls.PLAN` becomes the string "/plan" when a template compiles.

    Jinja then folds it into the page's text: a fixed address costs nothing per render, as the
    typed path did (base.html alone has some twenty of them, on every page).
    """

    def filter_stream(self, stream: Iterable[Token]) -> Iterator[Token]:
        held: list[Token] = []
        for token in stream:
            held.append(token)
            if not held[0].test("name:urls") or (len(held) == 2 and not token.test("dot")):
                yield from held
                held = []
            elif len(held) == 3:
                value = getattr(urls, token.value, None) if token.test("name") else None
                if token.value.isupper() and isinstance(value, str):
                    yield Token(held[0].lineno, "string", value)
                else:
                    yield from held
                held = []
        yield from held


def make_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=[FixedUrls],
    )
    env.filters["duration"] = format_duration
    env.filters["date_fr"] = date_fr
    env.filters["plural"] = plural
    env.globals["static"] = ASSETS.url
    env.globals["urls"] = urls  # `{{ urls.module(path.id, m.id) }}`: no route-table walk
    env.globals["badge"] = badge
    env.globals["section_runs"] = section_runs
    env.globals["lesson_headings"] = lesson_headings
    env.globals["letter_index"] = letter_index
    return env


ENV = make_env()


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render a page with what every page needs: the user, the course, the CSRF token."""
    per_request = request.state
    shared = state(request)
    values = {
        "request": request,
        "user": getattr(per_request, "user", None),
        "course": snapshot(request).course,
        "preview": shared.settings.preview,
        "content_errors": shared.content.errors,
        "csrf_token": shared.signer.csrf_token(per_request.csrf_cookie),
    }
    values.update(context or {})
    html = ENV.get_template(template).render(values)
    return HTMLResponse(html, status_code=status)
