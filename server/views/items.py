"""Editors' item analysis: /editor/questions and its CSV, from learners' first attempts."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from course import item_analysis
from course.item_analysis import ItemStats
from course.models import Module
from server.exports_items import csv_text, decimal, percent
from server.state import state
from server.templating import render
from server.web import course, require_role, storage

# Each column's first direction: the order of the course, then what needs a look first.
FIRST_DIRECTION = {
    "ordre": "asc",
    "tentatives": "desc",
    "facilite": "desc",
    "discrimination": "asc",
}
DIRECTIONS = ("asc", "desc")


@dataclass(frozen=True)
class Choices:
    """What the visitor asked for, cleaned: filters, sort column and direction."""

    path_id: str
    module_id: str
    sort: str
    direction: str

    def query(self, **changes: str) -> str:
        """The query string of this view with some values changed (empty ones left out)."""
        values = {
            "parcours": self.path_id,
            "module": self.module_id,
            "tri": self.sort,
            "sens": self.direction,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v})

    def sort_link(self, column: str) -> str:
        """A header's link: the other direction on the sorted column, else its first one."""
        if column == self.sort:
            direction = "desc" if self.direction == "asc" else "asc"
        else:
            direction = FIRST_DIRECTION[column]
        return "?" + self.query(tri=column, sens=direction)

    def aria_sort(self, column: str) -> str | None:
        if column != self.sort:
            return None
        return "ascending" if self.direction == "asc" else "descending"


async def _analysis(request: Request) -> tuple[Choices, list[ItemStats]]:
    """The rows for this request's filters and sort; 400 for a path or module that isn't."""
    await require_role(request, "editor", "admin")
    params = request.query_params
    sort = params.get("tri", "ordre")
    sort = sort if sort in item_analysis.SORTS else "ordre"
    direction = params.get("sens", "")
    direction = direction if direction in DIRECTIONS else FIRST_DIRECTION[sort]
    choices = Choices(params.get("parcours", ""), params.get("module", ""), sort, direction)
    current = course(request)
    try:
        modules = item_analysis.select_modules(current, choices.path_id, choices.module_id)
    except LookupError as exc:
        raise HTTPException(400, f"{exc} Choisissez-en un dans la liste.") from None
    tallies = await _tallies(request, current.version, modules)
    items = item_analysis.item_statistics(modules, tallies)
    return choices, item_analysis.sort_items(items, sort, direction == "desc")


@dataclass
class TallyCache:
    """Per-module tallies, valid for one content version and one state of the attempts.

    With 10,000 learners a full pass takes about a second: re-sorting, filtering
    or exporting what was just shown should not pay it again. Any new attempt,
    or a content reload, changes the stamp and empties the cache.
    """

    stamp: tuple[str, int, int] = ("", 0, 0)
    modules: dict[str, dict[str, item_analysis.Tally]] = field(default_factory=dict)


async def _tallies(
    request: Request, version: str, modules: list[Module]
) -> dict[str, dict[str, item_analysis.Tally]]:
    """The modules' tallies, from the cache when nothing changed since they were counted.

    `version` is that of the course the modules come from (a reload may swap the
    course meanwhile: tallies are only kept under the version they were judged by).
    """
    db = storage(request)
    stamp = (version, *await db.attempts_stamp())
    shared = state(request)
    cache = shared.item_tallies
    if cache is None or cache.stamp != stamp:
        cache = shared.item_tallies = TallyCache(stamp)
    missing = [m for m in modules if m.id not in cache.modules]
    if missing:
        rows = await db.first_attempts(m.id for m in missing)
        # The pass is pure Python: in a worker thread, the event loop keeps serving meanwhile.
        cache.modules.update(await run_in_threadpool(item_analysis.tally, missing, rows))
    return cache.modules


async def questions_page(request: Request) -> Response:
    choices, items = await _analysis(request)
    current = course(request)
    return render(
        request,
        "editor/questions.html",
        {
            "items": items,
            "choices": choices,
            "flag_counts": item_analysis.flag_counts(items),
            "quiz_modules": [m for m in current.modules.values() if m.has_quiz],
            "percent": percent,
            "decimal": decimal,
            "threshold": round(item_analysis.TOO_EASY_ABOVE * 100),
        },
    )


async def questions_csv(request: Request) -> Response:
    choices, items = await _analysis(request)
    suffix = "-".join(part for part in (choices.path_id, choices.module_id) if part)
    filename = f"statistiques-questions{'-' + suffix if suffix else ''}.csv"
    return Response(
        csv_text(items),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
