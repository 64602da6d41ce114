"""Numbers read from URLs, bounded to what the database can hold.

SQLite (and PostgreSQL's bigint) stop at 2⁶³ − 1: a larger id would raise an
OverflowError at the query, so it is refused here as what it is, a page that
does not exist.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

MAX_ID = 2**63 - 1


def bounded_int(text: str | None) -> int | None:
    """The non-negative integer `text` spells if the database can hold it, else None."""
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def path_id(request: Request, name: str, message: str | None = None) -> int:
    """An id from the URL; anything else is a 404, never an OverflowError."""
    value = bounded_int(request.path_params.get(name))
    if value is None:
        raise HTTPException(404, message)
    return value


def page_number(request: Request) -> int:
    """`?page=` as a page number (1 when absent or unreadable); callers clamp the top."""
    value = bounded_int(request.query_params.get("page"))
    return max(1, min(value or 1, MAX_ID // 1000))
