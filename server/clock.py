"""The server's one clock: every moment it stores, compares or shows is read here, in UTC.

Stored moments are ISO 8601 text to the second (`2026-11-27T16:05:00+00:00`),
which sorts as it reads in both backends; days are ISO dates of the UTC calendar.
One module, so that the timezone and the format cannot drift apart between callers.
"""

from __future__ import annotations

from datetime import UTC, datetime


def moment() -> datetime:
    """Now, as an aware UTC datetime: for arithmetic (deadlines, ages) before stamping."""
    return datetime.now(UTC)


def stamp(when: datetime) -> str:
    """A moment as stored: ISO 8601 to the second, ordered as text."""
    return when.isoformat(timespec="seconds")


def now() -> str:
    """The current moment as stored."""
    return stamp(moment())


def today() -> str:
    """Today's UTC date as stored and compared with due dates: `2026-11-27`."""
    return moment().date().isoformat()
